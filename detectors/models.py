"""The detection result and the records readers produce on the way to it.

Readers return plain records (``Dependency``, ``LockedVersion``, ``PythonConstraint``,
``DetectionError``) so that every conclusion in the final ``Stack`` can point back to
the file and line that caused it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["runtime", "optional", "dev"]
SCOPE_RANK: dict[str, int] = {"runtime": 0, "optional": 1, "dev": 2}
"""Lower is stronger: a distribution declared both at runtime and for dev is a runtime one."""

SCHEMA = "stackskills.detect/1"


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """One observation that supports a conclusion: where it was seen and what it said."""

    file: str
    line: int | None = None
    kind: str
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class DetectionError:
    """A problem met while reading one input; detection of everything else goes on."""

    file: str
    line: int | None = None
    message: str


@dataclass(kw_only=True)
class Framework:
    """A distribution the workspace uses, with what is known of its version."""

    name: str
    version: str | None = None
    specifier: str | None = None
    scope: Scope = "runtime"
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class PythonTarget:
    """The lowest Python minor version the workspace supports, and why."""

    target: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


@dataclass
class SectionRef:
    """An active skill section; filled by the skills package, not by detection."""

    id: str
    skill: str
    version: str
    reason: str


@dataclass
class Project:
    """A sub-project found inside the root (a folder with its own manifest)."""

    path: str
    manifests: list[str] = field(default_factory=list)
    frameworks: list[str] = field(default_factory=list)
    python: str | None = None


@dataclass
class Stack:
    """Everything detection concluded about one workspace root.

    A standard dataclass, like every result type here: pydantic validates, serialises
    and describes them (``TypeAdapter(Stack)``, MCP output schemas) where that is needed,
    while the command line never pays pydantic's import time for a detection.
    """

    root: str
    python: PythonTarget = field(default_factory=PythonTarget)
    frameworks: list[Framework] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    sections: list[SectionRef] = field(default_factory=list)
    errors: list[DetectionError] = field(default_factory=list)
    schema: str = SCHEMA

    def framework(self, name: str) -> Framework | None:
        """The framework with this normalised name, if detected."""
        return next((f for f in self.frameworks if f.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The ``stackskills.detect/1`` document, ``schema`` first.

        Built field by field rather than with ``asdict`` (which deep-copies generically and
        costs more than a whole warm detection on a large tree); a test pins the two equal.
        """

        def evidence(items: list[Evidence]) -> list[dict[str, Any]]:
            return [dict(item.__dict__) for item in items]

        return {
            "schema": self.schema,
            "root": self.root,
            "python": {
                "target": self.python.target,
                "evidence": evidence(self.python.evidence),
                "conflicts": list(self.python.conflicts),
            },
            "frameworks": [
                {**framework.__dict__, "evidence": evidence(framework.evidence)}
                for framework in self.frameworks
            ],
            "projects": [
                {
                    **project.__dict__,
                    "manifests": list(project.manifests),
                    "frameworks": list(project.frameworks),
                }
                for project in self.projects
            ],
            "sections": [dict(section.__dict__) for section in self.sections],
            "errors": [dict(error.__dict__) for error in self.errors],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stack:
        """Rebuild from ``to_dict`` output (the cache); raises on any other shape."""
        python = data["python"]
        return cls(
            schema=data["schema"],
            root=data["root"],
            python=PythonTarget(
                target=python["target"],
                evidence=[Evidence(**e) for e in python["evidence"]],
                conflicts=list(python["conflicts"]),
            ),
            frameworks=[
                Framework(**{**f, "evidence": [Evidence(**e) for e in f["evidence"]]})
                for f in data["frameworks"]
            ],
            projects=[Project(**p) for p in data["projects"]],
            sections=[SectionRef(**s) for s in data["sections"]],
            errors=[DetectionError(**e) for e in data["errors"]],
        )


# --- records produced by readers -------------------------------------------------------


@dataclass(frozen=True)
class Dependency:
    """A distribution a manifest declares (or constrains), with where it was declared.

    ``name`` is PEP 503 normalised; ``specifier`` is ``str(SpecifierSet)`` ('' for any);
    ``pinned`` is the exact version when the specifier is a single ``==`` without wildcard.
    ``constraint_only`` marks ``-c`` constraint files and similar: they bound a version
    but do not declare that the distribution is used.
    """

    name: str
    specifier: str
    scope: Scope
    evidence: Evidence
    extras: tuple[str, ...] = ()
    marker: str | None = None
    url: str | None = None
    pinned: str | None = None
    constraint_only: bool = False


@dataclass(frozen=True)
class LockedVersion:
    """An exact version from a lock file, a fully pinned requirements file or a venv."""

    name: str
    version: str
    evidence: Evidence


@dataclass(frozen=True)
class PythonConstraint:
    """A statement about which Python the workspace targets.

    ``specifier`` is a PEP 440 specifier on the Python version (``>=3.10``); sources that
    name a single version (``.python-version``, ruff's ``py311``) use ``==3.11.*``-style
    specifiers, and ``evidence.kind`` tells which source it was.
    """

    specifier: str
    evidence: Evidence


@dataclass
class ManifestReading:
    """What one reader got out of one file (and any files it included)."""

    dependencies: list[Dependency] = field(default_factory=list)
    locked: list[LockedVersion] = field(default_factory=list)
    python: list[PythonConstraint] = field(default_factory=list)
    errors: list[DetectionError] = field(default_factory=list)
    project_name: str | None = None
    """The distribution name the manifest itself defines (so it is not its own dependency)."""
    markers: list[Evidence] = field(default_factory=list)
    """Framework markers found in the manifest (e.g. ``[tool.pytest.ini_options]``); the
    evidence ``detail`` is the normalised distribution name the marker implies."""

    def extend(self, other: ManifestReading) -> None:
        self.dependencies.extend(other.dependencies)
        self.locked.extend(other.locked)
        self.python.extend(other.python)
        self.errors.extend(other.errors)
        self.markers.extend(other.markers)
        if other.project_name and not self.project_name:
            self.project_name = other.project_name
