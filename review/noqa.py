"""``# noqa`` and ``# noqa: SKS101,SKS102`` comments, read the way ruff and flake8 read them."""

from __future__ import annotations

import re

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def suppressed(line: str, code: str) -> bool:
    """True when ``line`` carries a bare ``# noqa`` or one that lists ``code``."""
    if "noqa" not in line.lower():
        return False
    for match in NOQA.finditer(line):
        codes = match["codes"]
        if codes is None:
            return True
        if code in re.split(r"[\s,]+", codes.upper()):
            return True
    return False
