"""A dependency-free token estimate, good enough to fill a context budget.

Tokenizers split text into word pieces of about four characters and give most punctuation a
token of its own; counting the same way lands close to them on prose and on Python code without
shipping a vocabulary. The rule is documented in ``skills/README.md``.
"""

from __future__ import annotations

import re

_PIECE = re.compile(r"[^\W_]+|\S")


def estimate_tokens(text: str) -> int:
    """Tokens for ``text``: ceil(len/4) per run of letters or digits, 1 per other character."""
    total = 0
    for match in _PIECE.finditer(text):
        size = match.end() - match.start()
        total += 1 if size < 5 else (size + 3) // 4
    return total
