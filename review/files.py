"""Which files a review reads, and reading them: directories are walked like detection walks
them (virtualenvs, caches and build output skipped), and every file is decoded the way Python
would (PEP 263 cookie, BOM), with unreadable ones reported instead of raised."""

from __future__ import annotations

import os
from pathlib import Path

from stackskills.detectors.source import ReadFailure, decode_text
from stackskills.detectors.walk import walk
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


def python_files(path: Path) -> list[Path]:
    """``path`` itself if it is a file, else the Python files below it."""
    if not path.is_dir():
        return [path]
    tree = walk(Path(os.path.realpath(path)))
    return [tree.root / rel for rel in tree.python_files]


def read_source(path: Path, shown: str) -> str | ReviewError:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_REVIEW_BYTES + 1)
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
    current = Path(os.path.realpath(path))
    if not current.is_dir():
        current = current.parent
    for folder in (current, *current.parents):
        if any((folder / marker).is_file() for marker in PROJECT_MARKERS):
            return folder
        if (folder / ".git").exists():
            return None
    return None
