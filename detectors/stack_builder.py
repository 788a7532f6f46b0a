"""From observations (manifest readings, imports, markers, installed packages) to a ``Stack``.

This is where detection decides: which distributions are present, in which scope, at
which version, with how much confidence, and on what evidence. It reads no files.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from packaging.specifiers import SpecifierSet

from stackskills.detectors.import_attribution import FirstParty, ImportMapper, known_import_names
from stackskills.detectors.import_names import is_stdlib
from stackskills.detectors.markers import SourceMarker
from stackskills.detectors.models import (
    SCOPE_RANK,
    Dependency,
    DetectionError,
    Evidence,
    Framework,
    LockedVersion,
    ManifestReading,
    Project,
    Scope,
    Stack,
)
from stackskills.detectors.project_layout import is_dev_path, is_version_hint, project_dir
from stackskills.detectors.python_scan import FileScan
from stackskills.detectors.python_target import FolderTarget, decide_python_target, format_minor
from stackskills.detectors.specifiers import best_version, combine, format_specifier

MAX_IMPORT_EVIDENCE = 3
UNCONDITIONAL = frozenset({"module"})
LAZY = frozenset({"function", "conditional", "type-checking"})
"""``try`` imports (guarded by ``except ImportError``) never make a distribution present."""
VERSION_SOURCES = ("installed", "lockfile", "pinned")
"""Strongest first: what is installed, what a lock file resolved, what a file pins."""


@dataclass
class Observations:
    """Everything the readers and scanners found in one workspace."""

    root: str
    readings: list[tuple[str, ManifestReading]] = field(default_factory=list)
    """(manifest path relative to the root, what it gave)."""
    installed: list[ManifestReading] = field(default_factory=list)
    installed_import_names: dict[str, str] = field(default_factory=dict)
    scans: dict[str, FileScan] = field(default_factory=dict)
    sample_files: set[str] = field(default_factory=set)
    build_scripts: set[str] = field(default_factory=set)
    """``setup.py`` and the like: their imports are the build's, not the project's."""
    file_markers: list[Evidence] = field(default_factory=list)
    package_names: set[str] = field(default_factory=set)
    modules_by_dir: dict[str, set[str]] = field(default_factory=dict)
    errors: list[DetectionError] = field(default_factory=list)


@dataclass
class _Candidate:
    name: str
    declarations: list[Dependency] = field(default_factory=list)
    constraints: list[Dependency] = field(default_factory=list)
    imports: list[tuple[str, int, str]] = field(default_factory=list)
    import_scopes: set[Scope] = field(default_factory=set)
    markers: list[Evidence] = field(default_factory=list)


def build_stack(observations: Observations) -> Stack:
    own_names = _own_distribution_names(observations)
    candidates: dict[str, _Candidate] = {}

    def candidate(name: str) -> _Candidate:
        return candidates.setdefault(name, _Candidate(name))

    for _, reading in observations.readings:
        for dependency in reading.dependencies:
            if dependency.name in own_names:
                continue
            target = candidate(dependency.name)
            if dependency.constraint_only:
                target.constraints.append(dependency)
            else:
                target.declarations.append(dependency)
    _add_imports(observations, candidates, own_names)
    _add_markers(observations, candidates)

    locked = _versions_by_name(observations)
    frameworks = [
        framework
        for item in candidates.values()
        if (framework := _conclude(item, locked.get(item.name, {}))) is not None
    ]
    frameworks.sort(key=lambda f: (SCOPE_RANK[f.scope], f.name))

    python_constraints = [c for _, r in observations.readings for c in r.python] + [
        c for r in observations.installed for c in r.python
    ]
    python, folder_targets, python_errors = decide_python_target(python_constraints)
    errors = list(observations.errors)
    for _, reading in observations.readings:
        errors.extend(reading.errors)
    for reading in observations.installed:
        errors.extend(reading.errors)
    errors.extend(python_errors)
    errors.extend(scan.error for scan in observations.scans.values() if scan.error is not None)
    return Stack(
        root=observations.root,
        python=python,
        frameworks=frameworks,
        projects=_projects(observations, {f.name for f in frameworks}, folder_targets),
        errors=_unique_errors(errors),
    )


def _own_distribution_names(observations: Observations) -> set[str]:
    return {r.project_name for _, r in observations.readings if r.project_name}


def _add_imports(
    observations: Observations, candidates: dict[str, _Candidate], own_names: set[str]
) -> None:
    declared = [name for name, item in candidates.items() if item.declarations]
    known = known_import_names(declared, observations.installed_import_names)
    mapper = ImportMapper(known)
    first_party = FirstParty(
        package_names=observations.package_names,
        modules_by_dir=observations.modules_by_dir,
        project_dirs={project_dir(rel) for rel, _ in observations.readings},
    )
    # With manifests, an undeclared import counts only when the module always runs it:
    # lazy imports in functions and conditional ones are optional integrations.
    undeclared_contexts = UNCONDITIONAL if declared else UNCONDITIONAL | LAZY
    for rel, scan in sorted(observations.scans.items()):
        if rel in observations.sample_files or rel in observations.build_scripts:
            continue
        scope: Scope = "dev" if is_dev_path(rel) else "runtime"
        seen_here: set[str] = set()
        for imported in scan.imports:
            top = imported.module.split(".", 1)[0]
            if is_stdlib(top):
                continue
            distribution = mapper.statement(imported.module, imported.names)
            if distribution is None or distribution in own_names or distribution in seen_here:
                continue
            is_declared = distribution in candidates and candidates[distribution].declarations
            if not is_declared and (
                first_party.has(top, rel) or imported.context not in undeclared_contexts
            ):
                continue  # our own module, or an optional import
            seen_here.add(distribution)
            item = candidates.setdefault(distribution, _Candidate(distribution))
            item.imports.append((rel, imported.line, imported.module))
            item.import_scopes.add(scope)


def _add_markers(observations: Observations, candidates: dict[str, _Candidate]) -> None:
    for evidence in observations.file_markers:
        candidates.setdefault(evidence.detail, _Candidate(evidence.detail)).markers.append(evidence)
    for _, reading in observations.readings:
        for evidence in reading.markers:
            candidates.setdefault(evidence.detail, _Candidate(evidence.detail)).markers.append(
                evidence
            )
    for rel, scan in sorted(observations.scans.items()):
        if rel in observations.sample_files:
            continue
        for marker in scan.markers:
            _add_source_marker(candidates, rel, marker)


def _add_source_marker(candidates: dict[str, _Candidate], rel: str, marker: SourceMarker) -> None:
    """Source patterns only support what manifests or imports found: ``FastAPI(`` or the
    name ``DJANGO_SETTINGS_MODULE`` in a string also appear in code that merely supports a
    framework (a plugin, a fixup, this very detector)."""
    item = candidates.get(marker.distribution)
    if item is None or not (item.declarations or item.imports):
        return
    if len(item.markers) < MAX_IMPORT_EVIDENCE:
        item.markers.append(
            Evidence(file=rel, line=marker.line, kind="marker", detail=marker.detail)
        )


def _versions_by_name(observations: Observations) -> dict[str, dict[str, list[LockedVersion]]]:
    found: dict[str, dict[str, list[LockedVersion]]] = defaultdict(lambda: defaultdict(list))
    for reading in observations.installed:
        for item in reading.locked:
            found[item.name]["installed"].append(item)
    for _, reading in observations.readings:
        for item in reading.locked:
            source = "pinned" if item.evidence.kind == "pinned" else "lockfile"
            found[item.name][source].append(item)
        for dependency in reading.dependencies:
            if dependency.pinned:
                pin = LockedVersion(dependency.name, dependency.pinned, dependency.evidence)
                found[dependency.name]["pinned"].append(pin)
    return found


def _conclude(item: _Candidate, versions: dict[str, list[LockedVersion]]) -> Framework | None:
    if not (item.declarations or item.imports or item.markers):
        return None  # only constrained or locked: a transitive dependency
    scope = _scope(item)
    # The declared constraint is that of the strongest scope: a docs extra pinning an old
    # release says nothing about what the application runs.
    governing = _nearest_root([d for d in item.declarations if d.scope == scope])
    specifier = combine(d.specifier for d in governing + item.constraints)
    declared_in = {project_dir(d.evidence.file) for d in governing}
    version, version_evidence = _pick_version(versions, specifier, declared_in)
    ordered = sorted(item.declarations, key=lambda d: SCOPE_RANK[d.scope])
    evidence = [d.evidence for d in ordered + item.constraints]
    evidence += version_evidence
    evidence += _import_evidence(item)
    evidence += item.markers[:MAX_IMPORT_EVIDENCE]
    return Framework(
        name=item.name,
        version=version,
        specifier=format_specifier(specifier),
        scope=scope,
        confidence=_confidence(item, version is not None),
        evidence=_unique_evidence(evidence),
    )


def _depth(file: str) -> int:
    folder = project_dir(file)
    return 0 if folder == "." else folder.count("/") + 1


def _nearest_root(declarations: list[Dependency]) -> list[Dependency]:
    """The declarations of the project closest to the root: in a monorepo, sub-projects'
    constraints on the same distribution are not one constraint."""
    if not declarations:
        return declarations
    nearest = min(_depth(d.evidence.file) for d in declarations)
    return [d for d in declarations if _depth(d.evidence.file) == nearest]


def _pick_version(
    versions: dict[str, list[LockedVersion]], specifier: SpecifierSet, declared_in: set[str]
) -> tuple[str | None, list[Evidence]]:
    """The exact version from the strongest source, taken from the projects that declare
    the distribution when they lock it (in a monorepo, another service's lock may hold it
    as a transitive dependency at another version); ``None`` when several files pin
    different versions (test-matrix files, stale copies): picking one would be a guess,
    so the evidence shows them all instead."""
    for source in VERSION_SOURCES:
        entries = versions.get(source, [])
        own = [e for e in entries if project_dir(e.evidence.file) in declared_in]
        entries = own or entries
        if not entries:
            continue
        nearest = min(_depth(e.evidence.file) for e in entries)
        entries = [e for e in entries if _depth(e.evidence.file) == nearest]
        files = {e.evidence.file for e in entries}
        if len(files) > 1 and len({e.version for e in entries}) > 1:
            return None, [e.evidence for e in entries]
        chosen = best_version((e.version for e in entries), specifier)
        if chosen is not None:
            return chosen, [e.evidence for e in entries if e.version == chosen]
    return None, []


def _scope(item: _Candidate) -> Scope:
    scopes: list[Scope] = [d.scope for d in item.declarations]
    if not scopes:
        scopes = sorted(item.import_scopes) or (
            ["dev"] if all(m.detail == "pytest" for m in item.markers) else ["runtime"]
        )
    return min(scopes, key=lambda s: SCOPE_RANK[s])


def _confidence(item: _Candidate, has_version: bool) -> float:
    if item.declarations:
        score = 0.95
        if has_version:
            score += 0.02
        if item.imports or item.markers:
            score += 0.02
        return round(min(score, 0.99), 2)
    if item.imports and item.markers:
        return 0.85
    if item.markers:
        return 0.8
    files = len({rel for rel, _, _ in item.imports})
    return 0.75 if files >= 3 else 0.6


def _import_evidence(item: _Candidate) -> list[Evidence]:
    files = sorted({rel for rel, _, _ in item.imports})
    shown: list[Evidence] = []
    for rel, line, module in item.imports[:MAX_IMPORT_EVIDENCE]:
        detail = f"import {module}"
        if not shown and len(files) > 1:
            detail += f" (imported in {len(files)} files)"
        shown.append(Evidence(file=rel, line=line, kind="import", detail=detail))
    return shown


def _unique_evidence(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, int | None, str, str]] = set()
    unique: list[Evidence] = []
    for item in evidence:
        key = (item.file, item.line, item.kind, item.detail)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _unique_errors(errors: list[DetectionError]) -> list[DetectionError]:
    seen: set[tuple[str, int | None, str]] = set()
    unique: list[DetectionError] = []
    for error in errors:
        key = (error.file, error.line, error.message)
        if key not in seen:
            seen.add(key)
            unique.append(error)
    return unique


def _projects(
    observations: Observations, present: set[str], folder_targets: list[FolderTarget]
) -> list[Project]:
    """One entry per project folder, with its manifests, frameworks and Python target."""
    manifests: dict[str, list[str]] = defaultdict(list)
    names: dict[str, set[str]] = defaultdict(set)
    real = {project_dir(rel) for rel, _ in observations.readings if not is_version_hint(rel)}
    for rel, reading in observations.readings:
        directory = project_dir(rel)
        if directory not in real:
            continue  # a Dockerfile or a CI workflow alone does not make a project
        manifests[directory].append(rel)
        names[directory].update(
            d.name for d in reading.dependencies if d.name in present and not d.constraint_only
        )
    targets = {f.folder: format_minor(f.target) for f in folder_targets if f.target}
    return [
        Project(
            path=directory,
            manifests=sorted(files),
            frameworks=sorted(names[directory]),
            python=targets.get(directory),
        )
        for directory, files in sorted(manifests.items())
    ]
