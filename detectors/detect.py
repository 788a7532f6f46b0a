"""``detect(root)``: walk, read, scan, decide — with the cache in front.

Readers are chosen by file name; every reader returns errors as values, so one bad file
never stops the rest of detection.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackskills.detectors.cache import DetectionCache, ScanEntry, default_cache_dir, fingerprint
from stackskills.detectors.models import ManifestReading, Stack
from stackskills.detectors.project_layout import project_dir
from stackskills.detectors.source import ReadFailure, Workspace
from stackskills.detectors.walk import Tree, is_dockerfile, walk

if TYPE_CHECKING:
    from stackskills.detectors.stack_builder import Observations

Reader = Callable[[Workspace, Path], ManifestReading]

READERS: dict[str, tuple[str, str]] = {
    "pyproject.toml": ("pyproject", "read_pyproject"),
    "setup.cfg": ("setup_cfg", "read_setup_cfg"),
    "setup.py": ("setup_py", "read_setup_py"),
    "Pipfile": ("pipfile", "read_pipfile"),
    "Pipfile.lock": ("pipfile_lock", "read_pipfile_lock"),
    "poetry.lock": ("poetry_lock", "read_poetry_lock"),
    "uv.lock": ("uv_lock", "read_uv_lock"),
    "pdm.lock": ("pdm_lock", "read_pdm_lock"),
    ".python-version": ("python_version_files", "read_python_version_file"),
    "runtime.txt": ("python_version_files", "read_python_version_file"),
    ".tool-versions": ("python_version_files", "read_python_version_file"),
    "tox.ini": ("python_hints", "read_tox_ini"),
    "Dockerfile": ("python_hints", "read_dockerfile"),
    "workflow": ("python_hints", "read_ci_workflow"),
}
"""File name -> (module under ``manifests``, function). Imported on first use: a
workspace has a few dialects, and start-up should not pay for the others."""


def reader_for(rel: str) -> Callable[..., Any] | None:
    """The reader of the manifest at ``rel``, imported on first use; None for markers."""
    name = rel.rsplit("/", 1)[-1]
    if rel.startswith(".github/workflows/"):
        name = "workflow"
    elif is_dockerfile(name):
        name = "Dockerfile"
    found = READERS.get(name)
    if found is None:
        return None
    module = importlib.import_module(f"stackskills.detectors.manifests.{found[0]}")
    function: Callable[..., Any] = getattr(module, found[1])
    return function


class NotADirectory(ValueError):
    """The path given to detect is missing or is not a folder."""


def resolve_root(path: Path | str) -> Path:
    """The real path of an existing directory, or ``NotADirectory`` saying what is wrong."""
    candidate = Path(path).expanduser()
    if not candidate.exists():
        raise NotADirectory(f"{candidate}: no such directory")
    if not candidate.is_dir():
        raise NotADirectory(f"{candidate}: is a file, not a directory")
    return Path(os.path.realpath(candidate))


def detect(
    path: Path | str,
    *,
    cache: DetectionCache | None = None,
    use_cache: bool = True,
    workers: int = 1,
    walked: Tree | None = None,
) -> Stack:
    """Detect the stack of the workspace at ``path`` (a directory).

    ``workers`` above 1 lets a cold scan of a large tree fork that many processes. Only a
    single-threaded caller (the CLI) should ask: forking a process that runs other threads
    (the server's event loop and its worker threads) can leave a child holding a lock
    that nobody will release.

    ``walked`` is a walk of this very folder the caller has just made (the review command
    lists the files to review that way); it is used instead of walking again.
    """
    root = resolve_root(path)
    store = (cache or DetectionCache(default_cache_dir())) if use_cache else None
    if store is not None:
        unchanged = store.load_if_unchanged(root)
        if unchanged is not None:
            return unchanged
    tree = walked if walked is not None and walked.root == root else walk(root)
    if store is not None:
        cached = store.load_stack(root, fingerprint(tree))
        if cached is not None:
            store.save(root, tree, cached, None)  # same content, new stamps (e.g. touched)
            return cached
    # Only now is the real work needed: the scanner and the decision logic are imported
    # here so that a warm re-detect (above) loads neither. Forked children (if any) start
    # scanning the Python files first; the decision logic is imported and the manifests
    # read meanwhile.
    workspace = Workspace(root)
    previous = store.load_scans(root) if store is not None else {}
    scanning = _start_python_scan(workspace, tree, previous, workers)
    from stackskills.detectors.stack_builder import build_stack

    try:
        observations = _observe(workspace, tree, _build_scripts(workspace, tree, previous))
    finally:
        scans = scanning()  # the children are waited for even if reading failed
    observations.scans = {rel: scan for rel, (_, _, scan) in scans.items()}
    stack = build_stack(observations)
    if store is not None:
        store.save(root, tree, stack, scans if scans != previous else None)
    return stack


def _observe(workspace: Workspace, tree: Tree, build_scripts: set[str]) -> Observations:
    """Everything detection reads but the Python files' scans."""
    from stackskills.detectors.markers import find_file_markers
    from stackskills.detectors.stack_builder import Observations

    observations = Observations(root=str(tree.root))
    observations.errors.extend(tree.errors)
    for rel in tree.manifests + tree.marker_files:
        reader = reader_for(rel)
        if reader is None:
            continue
        if rel.rsplit("/", 1)[-1] == "setup.py" and rel not in build_scripts:
            continue  # an application module that happens to be called setup.py
        observations.readings.append((rel, _checked(reader(workspace, tree.path(rel)))))
    seen: set[Path] = set()
    if tree.requirement_files or tree.possible_requirement_files:
        from stackskills.detectors.manifests.requirements import read_requirements

        for rel in tree.requirement_files + _requirements_by_content(workspace, tree):
            reading = read_requirements(workspace, tree.path(rel), seen)
            observations.readings.append((rel, _checked(reading)))
    if tree.venvs:
        from stackskills.detectors.manifests.installed import installed_import_names, read_installed

        for rel in tree.venvs:
            venv = tree.path(rel)
            observations.installed.append(_checked(read_installed(workspace, venv)))
            observations.installed_import_names.update(installed_import_names(workspace, venv))
    observations.sample_files = tree.sample_python_files
    observations.build_scripts = build_scripts
    observations.package_names = tree.package_names
    observations.modules_by_dir = tree.modules_by_dir
    observations.file_markers = find_file_markers(workspace, tree)
    return observations


def _checked(reading: ManifestReading) -> ManifestReading:
    """A reading without the records the decisions could not compare (see
    ``drop_oversized_numbers``), each reported as an error instead."""
    from stackskills.detectors.requirement_strings import drop_oversized_numbers

    drop_oversized_numbers(reading)
    return reading


BUILD_TOOLS = frozenset({"setuptools", "distutils", "skbuild", "versioneer"})


def _build_scripts(workspace: Workspace, tree: Tree, previous: dict[str, ScanEntry]) -> set[str]:
    """The ``setup.py`` files that import a build tool, and ``versioneer.py``: their
    imports are the build's (setuptools, Cython), not the project's. Each ``setup.py`` is
    scanned here (a handful of small files), so this need not wait for the full scan."""
    from stackskills.detectors.python_scan import scan_python_file

    found: set[str] = set()
    for rel in tree.python_files:
        name = rel.rsplit("/", 1)[-1]
        if name == "versioneer.py":
            found.add(rel)
        elif name == "setup.py":
            entry = tree.entries[rel]
            cached = previous.get(rel)
            if cached is not None and cached[:2] == (entry.size, entry.mtime_ns):
                scan = cached[2]
            else:
                scan = scan_python_file(workspace, tree, rel, entry.size)
            if any(i.module.split(".", 1)[0] in BUILD_TOOLS for i in scan.imports):
                found.add(rel)
    return found


def _requirements_by_content(workspace: Workspace, tree: Tree) -> list[str]:
    """Files like ``dev.txt`` beside a project's manifests that hold only requirements."""
    from stackskills.detectors.manifests.requirements import looks_like_requirements

    project_dirs = {"."} | {project_dir(rel) for rel in tree.manifests + tree.requirement_files}
    found: list[str] = []
    for rel in tree.possible_requirement_files:
        if project_dir(rel) not in project_dirs:
            continue
        try:
            text = workspace.read_text(tree.path(rel), max_bytes=256 * 1024)
        except ReadFailure:
            continue  # not known to be a manifest: an unreadable one is not worth a report
        if looks_like_requirements(text):
            found.append(rel)
    return found


PARALLEL_SCAN_FROM = 300
"""Below this many files to scan, starting worker processes costs more than it saves."""


def _start_python_scan(
    workspace: Workspace, tree: Tree, previous: dict[str, ScanEntry], workers: int = 1
) -> Callable[[], dict[str, ScanEntry]]:
    """Start scanning each Python file whose size or mtime changed (reusing the rest); the
    returned function gives every Python file's entry once the scan is done."""
    from stackskills.detectors.python_scan import ScanInProgress

    scans: dict[str, ScanEntry] = {}
    todo: list[tuple[str, int]] = []
    for rel in tree.python_files:
        entry = tree.entries[rel]
        cached = previous.get(rel)
        if cached is not None and cached[0] == entry.size and cached[1] == entry.mtime_ns:
            scans[rel] = cached
        else:
            todo.append((rel, entry.size))
    shared = workers if len(todo) >= PARALLEL_SCAN_FROM else 1
    scanning = ScanInProgress(workspace, tree, todo, shared)

    def finish() -> dict[str, ScanEntry]:
        for (rel, size), result in zip(todo, scanning.results(), strict=True):
            scans[rel] = (size, tree.entries[rel].mtime_ns, result)
        return {rel: scans[rel] for rel in tree.python_files}

    return finish
