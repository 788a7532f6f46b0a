"""PEP 508 requirement strings to ``Dependency`` records, through ``packaging`` only."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from stackskills.detectors.models import Dependency, DetectionError, Evidence, Scope


def normalise(name: str) -> str:
    """PEP 503 normalised distribution name (``Django_REST`` -> ``django-rest``)."""
    return str(canonicalize_name(name))


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
