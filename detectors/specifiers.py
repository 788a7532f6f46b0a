"""Combining and printing version specifiers the way people write them (lower bound first)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_OPERATOR_ORDER = {"===": 0, "==": 1, "~=": 2, ">=": 3, ">": 4, "<=": 5, "<": 6, "!=": 7}


def combine(specifiers: Iterable[str]) -> SpecifierSet:
    """The intersection of every parseable specifier (unparseable ones were reported upstream)."""
    combined = SpecifierSet()
    for text in specifiers:
        try:
            combined &= SpecifierSet(text)
        except InvalidSpecifier:
            continue
    return combined


def _key(spec: Specifier) -> tuple[int, str]:
    return (_OPERATOR_ORDER.get(spec.operator, 9), spec.version)


def format_specifier(specifier: SpecifierSet) -> str | None:
    """``>=5.0,<6`` rather than packaging's alphabetical ``<6,>=5.0``; None when empty."""
    specs = sorted(set(specifier), key=_key)
    return ",".join(str(s) for s in specs) or None


def best_version(versions: Iterable[str], specifier: SpecifierSet) -> str | None:
    """The highest version that satisfies the specifier, else the highest of all."""
    parsed: list[tuple[Version, str]] = []
    for text in versions:
        try:
            parsed.append((Version(text), text))
        except InvalidVersion:
            continue
    if not parsed:
        return None
    allowed = [item for item in parsed if specifier.contains(item[0], prereleases=True)]
    return max(allowed or parsed)[1]


_LEGACY_WILDCARD = re.compile(r"(>=|<=|>|<|~=)\s*(\d+(?:\.\d+)*)\.\*")
_MAJOR_ONLY = re.compile(r"^\s*==\s*(\d+)(?:\.\*)?\s*$")


def lenient_specifier(text: str) -> SpecifierSet:
    """A Python version specifier as projects write it, not only as PEP 440 allows:
    setuptools long accepted ``>=3.6.*`` (read as ``>=3.6``). A bare major (Pipfile's
    ``python_version = "3"``) says nothing about the minor and bounds nothing."""
    if _MAJOR_ONLY.match(text):
        return SpecifierSet()
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return SpecifierSet(_LEGACY_WILDCARD.sub(r"\1\2", text))
