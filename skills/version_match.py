"""Does a detected framework (or the Python target) meet a requirement, and how sure are we?

A locked or installed version is checked exactly. A declared range without a version is
checked for overlap: ``django>=4`` may well be Django 5, so ``django>=5`` holds as an
assumption. Nothing known at all means the newest version is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

NEWEST_PYTHON = "3.14"


@dataclass(frozen=True)
class VersionCheck:
    holds: bool
    assumed: bool
    """True when the answer rests on an assumption (no exact version was known)."""


def check_version(gate: SpecifierSet, version: str | None, declared: str | None) -> VersionCheck:
    if not str(gate):
        return VersionCheck(True, False)
    if version is not None:
        try:
            return VersionCheck(gate.contains(Version(version), prereleases=True), False)
        except InvalidVersion:
            pass
    if declared:
        try:
            return VersionCheck(overlaps(gate, SpecifierSet(declared)), True)
        except InvalidSpecifier:
            pass
    return VersionCheck(True, True)


def overlaps(first: SpecifierSet, second: SpecifierSet) -> bool:
    """True when some version satisfies both (tested on the versions they name and their
    neighbours, which is where the boundaries of two specifier sets can meet)."""
    candidates = {Version("99999")}
    for spec in (*first, *second):
        try:
            named = Version(spec.version.removesuffix(".*"))
        except InvalidVersion:
            continue
        release = (*named.release, 0, 0)[:3]
        major, minor, micro = release
        candidates.update(
            {
                named,
                Version(f"{major}.{minor}.{micro + 1}"),
                Version(f"{major}.{minor + 1}"),
                Version(f"{major + 1}"),
            }
        )
        if micro:
            candidates.add(Version(f"{major}.{minor}.{micro - 1}"))
        if minor:
            candidates.add(Version(f"{major}.{minor - 1}.9999"))
        if major:
            candidates.add(Version(f"{major - 1}.9999"))
    return any(
        first.contains(candidate, prereleases=True) and second.contains(candidate, prereleases=True)
        for candidate in candidates
    )
