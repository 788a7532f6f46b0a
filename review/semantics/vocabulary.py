"""Word lists the rules match names against, written as text so a long list stays readable."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """``words("get post put")`` → ``frozenset({"get", "post", "put"})``."""
    return frozenset(text.split())
