"""PEP 503 name normalisation, on its own: mapping an import to its distribution happens in
every run, and ``packaging.utils`` would bring platform tags, logging and subprocess with it."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")


def normalise(name: str) -> str:
    """PEP 503 normalised distribution name (``Django_REST`` -> ``django-rest``): runs of
    ``-``, ``_`` and ``.`` become one ``-``, all lower case."""
    return _SEPARATORS.sub("-", name).lower()
