"""Which files a review reads, and reading them: directories are walked like detection walks
them (virtualenvs, caches and build output skipped), and every file is decoded the way Python
would (PEP 263 cookie, BOM), with unreadable ones reported instead of raised."""

from __future__ import annotations

import os
from pathlib import Path

from stackskills.detectors.source import (
    ReadFailure,
    decode_text,
    open_regular_file,
    read_at_most,
)
from stackskills.detectors.walk import Tree, walk
from stackskills.review.findings import ReviewError

MAX_REVIEW_BYTES = 5 * 1024 * 1024

PROJECT_MARKERS = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "Pipfile",
    "manage.py",
    "poetry.lock",
    "uv.lock",
)


def walk_python_files(path: Path) -> tuple[list[Path], Tree | None]:
    """``path`` itself if it is a file, else the Python files below it; and the walk that
    found them (None for a file), which detection of the same folder can reuse instead of
    walking it again."""
    if not path.is_dir():
        return [path], None
    tree = walk(Path(os.path.realpath(path)))
    return [tree.root / rel for rel in tree.python_files], tree


def read_source(path: Path, shown: str) -> str | ReviewError:
    """The decoded text, or the error to report; a FIFO is refused, never waited on."""
    try:
        with open_regular_file(path) as handle:
            data = read_at_most(handle, MAX_REVIEW_BYTES)
    except OSError as exc:
        return ReviewError(file=shown, message=f"cannot read: {exc.strerror or exc}")
    if len(data) > MAX_REVIEW_BYTES:
        return ReviewError(file=shown, message="file is larger than 5 MB; not reviewed")
    try:
        return decode_text(data, shown)
    except ReadFailure as exc:
        return ReviewError(file=shown, line=exc.error.line, message=exc.error.message)


def project_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` that holds a project manifest."""
    return ProjectRoots().find(path)


class ProjectRoots:
    """``project_root`` for the many files of one run: each folder is looked at once.

    A tree of a thousand files sits in a few dozen folders; asking the disk about manifests
    again for every file cost more than reviewing them. Meant for one run, not kept: a
    manifest added later is seen by the next one. Strings, not ``Path`` objects: this runs
    for every file before any is reviewed.
    """

    def __init__(self) -> None:
        self._by_parent: dict[str, Path | None] = {}
        self._by_folder: dict[str, Path | None] = {}

    def find(self, path: Path, *, walked: bool = False) -> Path | None:
        """``walked``: ``path`` came from walking a resolved folder and is no symlink, so its
        folder is already real and needs no resolving (the walk never enters a linked one)."""
        if walked:
            return self._in_folder(os.path.dirname(path))
        parent = os.path.dirname(path)
        if parent in self._by_parent and not os.path.islink(path):
            return self._by_parent[parent]
        current = os.path.realpath(path)
        if not os.path.isdir(current):
            current = os.path.dirname(current)
            if not os.path.islink(path):
                self._by_parent[parent] = self._in_folder(current)
        return self._in_folder(current)

    def _in_folder(self, folder: str) -> Path | None:
        if folder in self._by_folder:
            return self._by_folder[folder]
        above = os.path.dirname(folder)
        if any(os.path.isfile(os.path.join(folder, marker)) for marker in PROJECT_MARKERS):
            found: Path | None = Path(folder)
        elif os.path.exists(os.path.join(folder, ".git")) or above == folder:
            found = None
        else:
            found = self._in_folder(above)
        self._by_folder[folder] = found
        return found
