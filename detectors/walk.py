"""One pass over the workspace tree: classify files, find virtualenvs, refuse to leave the root.

The walk never follows a symlinked directory (no loops, no escapes); a symlinked file is
kept only when it resolves inside the root. It records every file's size and mtime so the
cache can tell an unchanged tree without reading anything.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from stackskills.detectors.models import DetectionError
from stackskills.detectors.source import cannot_read, within_root

SKIPPED_DIRS = frozenset(
    {
        "node_modules", "__pycache__", "site-packages", "dist-packages", "build", "dist",
        "htmlcov", "__pypackages__", "bower_components", "wheels", "eggs",
    }
)  # fmt: skip
"""Never walked: caches, build output and installed packages."""

VENDORED_DIRS = frozenset({"vendor", "vendored", "_vendor", "third_party", "thirdparty", "extern"})
"""Walked for first-party names but not scanned for imports: the code is someone else's."""

SAMPLE_DIRS = frozenset(
    {
        "fixtures", "fixture", "testdata", "test_data", "test-data", "samples", "sample",
        "examples", "example", "docs_src", "templates", "template", "tutorial", "tutorials",
        "project_template", "app_template", "skeleton", "scaffold", "boilerplate",
    }
)  # fmt: skip
"""Manifests and imports under these describe example projects, not this one."""

MANIFEST_NAMES = frozenset(
    {
        "pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "Pipfile.lock", "poetry.lock",
        "uv.lock", "pdm.lock",
    }
)  # fmt: skip
MARKER_NAMES = frozenset(
    {
        "manage.py", "alembic.ini", "conftest.py", "pytest.ini", "tox.ini", ".python-version",
        "runtime.txt", ".tool-versions",
    }
)  # fmt: skip


@dataclass(frozen=True)
class FileEntry:
    """A regular file seen by the walk: where, how big, when last changed."""

    rel: str
    size: int
    mtime_ns: int


@dataclass
class Tree:
    """What the walk found, ready for the readers."""

    root: Path
    files: list[FileEntry] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    requirement_files: list[str] = field(default_factory=list)
    possible_requirement_files: list[str] = field(default_factory=list)
    """Files whose name does not say they hold requirements; read only if they look so."""
    marker_files: list[str] = field(default_factory=list)
    python_files: list[str] = field(default_factory=list)
    sample_python_files: set[str] = field(default_factory=set)
    dirs: list[FileEntry] = field(default_factory=list)
    """Every folder walked, with its mtime: an added, removed or renamed entry changes it."""
    symlinked: set[str] = field(default_factory=set)
    """Files reached through a symlink (resolved inside the root): read the careful way."""
    venvs: list[str] = field(default_factory=list)
    venv_stamps: list[FileEntry] = field(default_factory=list)
    package_names: set[str] = field(default_factory=set)
    """Names of folders with Python code below them: importable as packages."""
    modules_by_dir: dict[str, set[str]] = field(default_factory=dict)
    """Folder -> stems of its ``.py`` files."""
    errors: list[DetectionError] = field(default_factory=list)

    def path(self, rel: str) -> Path:
        return self.root / rel if rel else self.root

    @cached_property
    def entries(self) -> dict[str, FileEntry]:
        """Each file's entry by its path relative to the root (asked once the walk is done)."""
        return {entry.rel: entry for entry in self.files}


REQUIREMENTS_DIRS = frozenset({"requirements", "requirement", "reqs", "deps", "pip"})
NOT_REQUIREMENTS = frozenset(
    {
        "license", "licence", "readme", "changes", "changelog", "history", "authors",
        "contributors", "notice", "robots", "runtime", "version", "sources", "top_level",
        "dependency_links", "entry_points", "cmakelists", "manifest", "makefile", "news",
        "todo", "copying", "credits", "security", "setup.cfg", "config.h", "not-zip-safe",
    }
)  # fmt: skip
"""Stems of ``.txt``/``.in`` files that are never requirements, whatever they contain."""


def is_requirements_file(rel: str) -> bool:
    """Named as requirements: ``requirements*.txt``, ``*requirements.txt``, any ``.txt`` or
    ``.pip`` under a ``requirements/`` folder (nested too), pip-tools ``requirements*.in``."""
    parent, _, name = rel.rpartition("/")
    lower = name.lower()
    stem, dot, extension = lower.rpartition(".")
    if not dot or extension not in ("txt", "in", "pip"):
        return False
    if stem.startswith("requirements") or stem.endswith(("requirements", "reqs")):
        return True
    in_requirements_dir = any(part in REQUIREMENTS_DIRS for part in parent.lower().split("/"))
    return in_requirements_dir and stem not in NOT_REQUIREMENTS and "constraint" not in stem


def may_be_requirements_file(rel: str) -> bool:
    """Other ``.txt``/``.in``/``.pip`` files that may hold requirements (``dev.txt``,
    ``development.txt``, pip-tools ``base.in``): their content decides."""
    lower = rel.rpartition("/")[2].lower()
    stem, dot, extension = lower.rpartition(".")
    if not dot or extension not in ("txt", "in", "pip") or "." in stem or not stem:
        return False
    return stem not in NOT_REQUIREMENTS and "constraint" not in stem


def is_virtualenv(path: Path) -> bool:
    """A folder with a ``pyvenv.cfg`` (venv, virtualenv, uv, poetry in-project envs)."""
    return (path / "pyvenv.cfg").is_file()


MAX_WALK_ENTRIES = 200_000
"""A workspace is a project, not a home folder or a whole disk (an MCP client started in ``/``
or ``~`` with no roots): past this many entries the walk stops and says so."""


def walk(root: Path, max_entries: int = MAX_WALK_ENTRIES) -> Tree:
    """Walk the tree under ``root`` (already resolved) and classify what is there.

    Strings, not ``Path`` objects, and one ``scandir`` per folder: this runs on every
    request, so a tree of thousands of files must take milliseconds.
    """
    tree = Tree(root=root)
    with contextlib.suppress(OSError):  # if the root cannot be stat'ed, listing reports it
        tree.dirs.append(FileEntry("", 0, os.stat(root).st_mtime_ns))
    pending: list[tuple[str, str, bool]] = [(str(root), "", False)]
    seen = 0
    while pending:
        directory, rel_dir, in_sample = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            message = f"cannot list: {exc.strerror or exc}"
            tree.errors.append(DetectionError(file=rel_dir or ".", message=message))
            continue
        seen += len(entries)
        if seen > max_entries:
            message = (
                f"stopped after {max_entries:,} files and folders: this looks like more than "
                "one project (pass the project folder as the workspace)"
            )
            tree.errors.append(DetectionError(file=rel_dir or ".", message=message))
            break
        if rel_dir and any(entry.name == "pyvenv.cfg" for entry in entries):
            tree.venvs.append(rel_dir)
            _stamp_venv(tree, Path(directory), rel_dir)
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                _visit(tree, entry, rel, in_sample, pending)
            except OSError as exc:
                tree.errors.append(cannot_read(rel, exc))
    _add_ci_workflows(tree)
    for stamps in (tree.files, tree.venv_stamps, tree.dirs):
        stamps.sort(key=lambda item: item.rel)
    names: list[str]
    for names in (
        tree.python_files,
        tree.manifests,
        tree.requirement_files,
        tree.possible_requirement_files,
        tree.marker_files,
    ):
        names.sort()
    tree.venvs.sort()
    return tree


def _visit(
    tree: Tree,
    entry: os.DirEntry[str],
    rel: str,
    in_sample: bool,
    pending: list[tuple[str, str, bool]],
) -> None:
    if entry.is_dir(follow_symlinks=False):
        name = entry.name
        if name.startswith("."):
            if is_virtualenv(Path(entry.path)):  # .venv, .env: read for installed versions
                _push_dir(tree, entry, rel, in_sample, pending)
            return
        if name in SKIPPED_DIRS:
            return
        if name.endswith(".egg-info") or "{{" in name or "{%" in name:
            return  # metadata copies and cookiecutter/copier templates are not this project
        lowered = name.lower()
        sample = in_sample or lowered in SAMPLE_DIRS or lowered in VENDORED_DIRS
        _push_dir(tree, entry, rel, sample, pending)
        return
    if entry.is_symlink():
        _visit_symlink(tree, entry, rel)
        return
    name = entry.name
    if not _is_relevant(name, rel):
        return
    info = entry.stat(follow_symlinks=False)
    if stat.S_ISREG(info.st_mode):  # FIFOs, sockets, devices: never opened
        _classify_file(tree, FileEntry(rel, info.st_size, info.st_mtime_ns), name, in_sample)


def _push_dir(
    tree: Tree,
    entry: os.DirEntry[str],
    rel: str,
    in_sample: bool,
    pending: list[tuple[str, str, bool]],
) -> None:
    """Queue a folder, stamping its mtime first: any entry added later changes it."""
    tree.dirs.append(FileEntry(rel, 0, entry.stat(follow_symlinks=False).st_mtime_ns))
    pending.append((entry.path, rel, in_sample))


def _is_relevant(name: str, rel: str) -> bool:
    """Only Python files, manifests and markers matter; the rest is never stat'ed."""
    return (
        name.endswith(".py")
        or name in MANIFEST_NAMES
        or name in MARKER_NAMES
        or is_dockerfile(name)
        or is_requirements_file(rel)
        or may_be_requirements_file(rel)
    )


def _visit_symlink(tree: Tree, entry: os.DirEntry[str], rel: str) -> None:
    """Report a link only where it matters: a folder, or a file detection would read
    (a venv's ``bin/python`` pointing at the system interpreter is nobody's problem)."""
    try:
        is_dir = entry.is_dir(follow_symlinks=True)
    except OSError:
        is_dir = False
    if not is_dir and not _is_relevant(entry.name, rel):
        return
    try:
        target = Path(os.path.realpath(entry.path, strict=True))
    except (OSError, RuntimeError):
        tree.errors.append(DetectionError(file=rel, message="broken symlink or symlink loop"))
        return
    if not within_root(target, tree.root):
        tree.errors.append(
            DetectionError(file=rel, message="symlink points outside the workspace; not followed")
        )
        return
    if target.is_file() and _is_relevant(entry.name, rel):
        info = target.stat()
        tree.symlinked.add(rel)
        _classify_file(tree, FileEntry(rel, info.st_size, info.st_mtime_ns), entry.name, False)
    # a symlinked directory inside the root is walked through its real path already


def is_dockerfile(name: str) -> bool:
    return name == "Dockerfile" or name.startswith("Dockerfile.") or name.endswith(".dockerfile")


def _add_ci_workflows(tree: Tree) -> None:
    """``.github/workflows/*.yml`` at the root: hidden, but they name the Pythons tested."""
    folder = os.path.join(tree.root, ".github", "workflows")
    try:
        stamp = os.stat(folder, follow_symlinks=False)
        with os.scandir(folder) as listing:
            entries = [e for e in listing if e.name.endswith((".yml", ".yaml"))]
    except OSError:
        return
    tree.dirs.append(FileEntry(".github/workflows", 0, stamp.st_mtime_ns))
    for entry in entries:
        if entry.is_file(follow_symlinks=False):
            info = entry.stat(follow_symlinks=False)
            rel = f".github/workflows/{entry.name}"
            tree.files.append(FileEntry(rel, info.st_size, info.st_mtime_ns))
            tree.marker_files.append(rel)


def _classify_file(tree: Tree, item: FileEntry, name: str, in_sample: bool) -> None:
    tree.files.append(item)
    rel = item.rel
    if name.endswith(".py"):
        _record_module(tree, rel, name[:-3])
        tree.python_files.append(rel)
        if in_sample:
            tree.sample_python_files.add(rel)
        if name in MARKER_NAMES and not in_sample:
            tree.marker_files.append(rel)
        if name != "setup.py":
            return
    if in_sample:
        return
    if name in MANIFEST_NAMES:
        tree.manifests.append(rel)
    elif name in MARKER_NAMES or is_dockerfile(name):
        tree.marker_files.append(rel)
    elif is_requirements_file(rel):
        tree.requirement_files.append(rel)
    elif may_be_requirements_file(rel):
        tree.possible_requirement_files.append(rel)


def _record_module(tree: Tree, rel: str, stem: str) -> None:
    folder = rel.rpartition("/")[0]
    known = tree.modules_by_dir.get(folder)
    if known is None:
        known = tree.modules_by_dir[folder] = set()
        tree.package_names.update(p for p in folder.split("/") if p.isidentifier())
    known.add(stem)


def _stamp_venv(tree: Tree, path: Path, rel: str) -> None:
    """Record the mtimes of a venv's site-packages folders: they change on (un)install."""
    for pattern in (
        "lib/python*/site-packages",
        "lib64/python*/site-packages",
        "Lib/site-packages",
    ):
        for site in sorted(path.glob(pattern)):
            try:
                info = site.stat()
            except OSError:
                continue
            site_rel = f"{rel}/{site.relative_to(path).as_posix()}"
            tree.venv_stamps.append(FileEntry(site_rel, info.st_size, info.st_mtime_ns))
