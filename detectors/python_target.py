"""The lowest Python minor a workspace supports, from every place that states it.

Sources are ranked: a declared support range (``requires-python``, ``python_requires``,
Poetry's ``python``) decides; without one, classifiers; then tool targets (ruff, mypy,
black, pyright); last, the versions a workspace runs on (``.python-version``,
``runtime.txt``, Pipfile, a venv). Each folder (project) is decided on its own; the
workspace target is the lowest of them, because advice must hold for every project in
it. Sources that disagree with their folder's decision are reported as conflicts.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from stackskills.detectors.models import DetectionError, Evidence, PythonConstraint, PythonTarget
from stackskills.detectors.project_layout import project_dir
from stackskills.detectors.specifiers import lenient_specifier

DECLARED = frozenset({"requires-python", "python_requires", "poetry-python"})
CLASSIFIER = frozenset({"classifier"})
TOOL_TARGETS = frozenset(
    {"ruff-target-version", "mypy-python-version", "black-target-version", "pyright-python-version"}
)
TESTED = frozenset({"ci-matrix", "tox-envlist"})
TIERS: tuple[frozenset[str], ...] = (DECLARED, CLASSIFIER, TOOL_TARGETS, TESTED)
"""Anything not in a tier (runtime pins, Dockerfiles, lock files, venvs) ranks last."""

CANDIDATE_MINORS: tuple[tuple[int, int], ...] = ((2, 7), *((3, m) for m in range(21)))
_PATCHES = range(40)

Minor = tuple[int, int]
LISTS = (TIERS.index(CLASSIFIER), TIERS.index(TESTED))
"""Tiers that list several versions on purpose: the lowest is the target, no conflict."""
LOWEST_WINS = (*LISTS, len(TIERS))
"""Runtime pins that disagree (a Dockerfile on 3.11, ``.python-version`` 3.12): the code
must run on both, so the lowest is the target (and the disagreement is reported)."""


@dataclass(frozen=True)
class _Stated:
    constraint: PythonConstraint
    specifier: SpecifierSet

    @property
    def kind(self) -> str:
        return self.constraint.evidence.kind

    @property
    def tier(self) -> int:
        return next((i for i, kinds in enumerate(TIERS) if self.kind in kinds), len(TIERS))

    def where(self) -> str:
        evidence = self.constraint.evidence
        line = f":{evidence.line}" if evidence.line else ""
        stated = evidence.detail or self.constraint.specifier
        return f"{evidence.kind} {stated} ({evidence.file}{line})"


@dataclass(frozen=True)
class FolderTarget:
    """One folder's decision: its target, the sources that decided it, its conflicts."""

    folder: str
    target: Minor | None
    deciding: tuple[_Stated, ...]
    others: tuple[_Stated, ...]
    conflicts: tuple[str, ...]


@functools.cache
def _versions_of(minor: Minor) -> tuple[Version, ...]:
    major, number = minor
    return (Version(f"{major}.{number}"), *(Version(f"{major}.{number}.{p}") for p in _PATCHES))


def allows_minor(specifier: SpecifierSet, minor: Minor) -> bool:
    """True when some release of that minor satisfies the specifier."""
    return any(specifier.contains(v, prereleases=True) for v in _versions_of(minor))


def lowest_minor(specifier: SpecifierSet) -> Minor | None:
    """The lowest minor with a release the specifier allows, if it is bounded below."""
    if not any(spec.operator in (">=", ">", "~=", "==", "===") for spec in specifier):
        return None  # only upper bounds or exclusions: says nothing about the lowest version
    return next((m for m in CANDIDATE_MINORS if allows_minor(specifier, m)), None)


def format_minor(minor: Minor) -> str:
    return f"{minor[0]}.{minor[1]}"


def _folder(constraint: PythonConstraint) -> str:
    """The project folder a statement is about; CI workflows speak for the root project."""
    file = constraint.evidence.file
    return "." if file.startswith(".github/") else project_dir(file)


def decide_folder(folder: str, stated: list[_Stated]) -> FolderTarget:
    best = min(s.tier for s in stated)
    deciding = [s for s in stated if s.tier == best]
    others = [s for s in stated if s.tier != best]
    combined = SpecifierSet()
    for item in deciding:
        combined &= item.specifier
    lows = [low for s in deciding if (low := lowest_minor(s.specifier)) is not None]
    if best in LOWEST_WINS:
        target = min(lows) if lows else None
    else:
        target = lowest_minor(combined) or (max(lows) if lows else None)
    conflicts: list[str] = []
    if target is not None:
        if len(set(lows)) > 1 and best not in LISTS:
            conflicts.append("Python versions disagree: " + "; ".join(s.where() for s in deciding))
        reference = deciding[0].where()
        for item in others:
            low = lowest_minor(item.specifier)
            if low is None:
                continue
            if item.kind in TOOL_TARGETS and low != target:
                conflicts.append(
                    f"{item.where()} targets {format_minor(low)}, not {format_minor(target)}"
                )
            elif item.kind not in TOOL_TARGETS and not allows_minor(combined, low):
                conflicts.append(f"{item.where()} is outside {reference}")
    return FolderTarget(folder, target, tuple(deciding), tuple(others), tuple(conflicts))


def decide_folders(
    constraints: Iterable[PythonConstraint],
) -> tuple[list[FolderTarget], list[DetectionError]]:
    """Each folder's decision, plus errors for specifiers that do not parse."""
    by_folder: dict[str, list[_Stated]] = defaultdict(list)
    errors: list[DetectionError] = []
    for constraint in constraints:
        try:
            specifier = lenient_specifier(constraint.specifier)
        except InvalidSpecifier:
            evidence = constraint.evidence
            message = f"invalid Python version specifier {constraint.specifier!r}"
            errors.append(DetectionError(file=evidence.file, line=evidence.line, message=message))
            continue
        by_folder[_folder(constraint)].append(_Stated(constraint, specifier))
    folders = [decide_folder(folder, stated) for folder, stated in sorted(by_folder.items())]
    return folders, errors


def decide_python_target(
    constraints: Iterable[PythonConstraint],
) -> tuple[PythonTarget, list[FolderTarget], list[DetectionError]]:
    """The workspace target: the lowest folder target, with every folder's evidence."""
    folders, errors = decide_folders(constraints)
    decided = [f for f in folders if f.target is not None]
    if decided:
        # A folder with only a Dockerfile does not outvote projects that declare a range.
        strongest = min(f.deciding[0].tier for f in decided)
        decided = [f for f in decided if f.deciding[0].tier == strongest]
    evidence: list[Evidence] = []
    conflicts: list[str] = []
    if not decided:
        for folder in folders:
            evidence.extend(s.constraint.evidence for s in folder.deciding + folder.others)
        return PythonTarget(evidence=evidence), folders, errors
    lowest = min(decided, key=lambda f: (f.target, f.folder))
    ordered = [lowest] + [f for f in folders if f is not lowest]
    for folder in ordered:
        evidence.extend(s.constraint.evidence for s in folder.deciding)
    for folder in ordered:
        evidence.extend(s.constraint.evidence for s in folder.others)
        conflicts.extend(folder.conflicts)
    assert lowest.target is not None
    target = PythonTarget(
        target=format_minor(lowest.target), evidence=evidence, conflicts=conflicts
    )
    return target, folders, errors
