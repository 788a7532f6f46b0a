"""PEP 508 requirement strings to ``Dependency`` records, through ``packaging`` only."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import TypeVar

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from stackskills.detectors.models import (
    Dependency,
    DetectionError,
    Evidence,
    LockedVersion,
    ManifestReading,
    PythonConstraint,
    Scope,
)
from stackskills.detectors.names import normalise


def pinned_version(specifier: SpecifierSet) -> str | None:
    """The exact version when the specifier is one ``==``/``===`` without a wildcard."""
    specs = list(specifier)
    if len(specs) != 1:
        return None
    (spec,) = specs
    if spec.operator in ("==", "===") and not spec.version.endswith(".*"):
        return spec.version
    return None


def parse_requirement(
    text: str,
    *,
    scope: Scope,
    file: str,
    line: int | None,
    kind: str = "requirement",
    constraint_only: bool = False,
) -> Dependency:
    """Parse one PEP 508 string; raises ``InvalidRequirement`` with packaging's message."""
    requirement = Requirement(text)
    return Dependency(
        name=normalise(requirement.name),
        specifier=str(requirement.specifier),
        scope=scope,
        evidence=Evidence(file=file, line=line, kind=kind, detail=text.strip()),
        extras=tuple(sorted(requirement.extras)),
        marker=str(requirement.marker) if requirement.marker else None,
        url=requirement.url,
        pinned=pinned_version(requirement.specifier),
        constraint_only=constraint_only,
    )


def requirement_or_error(
    text: str,
    *,
    scope: Scope,
    file: str,
    line: int | None,
    kind: str = "requirement",
    constraint_only: bool = False,
) -> Dependency | DetectionError:
    """Like ``parse_requirement`` but returns the problem as a ``DetectionError``."""
    try:
        return parse_requirement(
            text, scope=scope, file=file, line=line, kind=kind, constraint_only=constraint_only
        )
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        return DetectionError(
            file=file, line=line, message=f"invalid requirement {text!r}: {first}"
        )


RecordT = TypeVar("RecordT", Dependency, LockedVersion, PythonConstraint)


@functools.lru_cache(maxsize=1)
def _oversized_number() -> re.Pattern[str] | None:
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    return re.compile(rf"\d{{{limit + 1},}}") if limit else None


def drop_oversized_numbers(reading: ManifestReading) -> None:
    """Turn every record holding a number Python will not convert into an error.

    ``packaging`` checks versions with a regular expression, so ``django>=1.<5,000 nines>``
    parses, and the ``int()`` inside ``Version`` raises ``ValueError`` later, when the
    decisions compare versions (even hashing such a specifier raises): one such line in
    any manifest took the whole detection down. Checked once here, for every reader.
    """
    pattern = _oversized_number()
    if pattern is None:
        return

    def oversized(*texts: str | None) -> bool:
        return any(text is not None and pattern.search(text) for text in texts)

    def error(evidence: Evidence) -> DetectionError:
        detail = evidence.detail if len(evidence.detail) <= 40 else evidence.detail[:40] + "..."
        message = f"a number too long for Python to read in {detail!r}; not read"
        return DetectionError(file=evidence.file, line=evidence.line, message=message)

    def kept(
        records: list[RecordT], texts: Callable[[RecordT], tuple[str | None, ...]]
    ) -> list[RecordT]:
        good = []
        for record in records:
            if oversized(*texts(record)):
                reading.errors.append(error(record.evidence))
            else:
                good.append(record)
        return good

    reading.dependencies = kept(reading.dependencies, lambda d: (d.specifier, d.pinned, d.marker))
    reading.locked = kept(reading.locked, lambda locked: (locked.version,))
    reading.python = kept(reading.python, lambda constraint: (constraint.specifier,))
