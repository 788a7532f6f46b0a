"""The detection cache: an unchanged tree is not read again.

It lives in the user's cache folder (never in the workspace), one pair of files per root:
a small ``.stack.json`` (the tree's fingerprint and the result, enough for a warm hit) and
a larger ``.scans.json`` (each Python file's scan by size and mtime, so a changed tree only
rescans the files that changed). Any unreadable or corrupt entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackskills import __version__
from stackskills.detectors.models import Stack
from stackskills.detectors.walk import Tree

if TYPE_CHECKING:  # the scanner's regexes are compiled only when a file is scanned
    from stackskills.detectors.python_scan import FileScan

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """``$STACKSKILLS_CACHE_DIR``, else the platform's user cache folder."""
    configured = os.environ.get("STACKSKILLS_CACHE_DIR")
    if configured:
        return Path(configured)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "stackskills"


def fingerprint(tree: Tree) -> str:
    """Changes whenever a file is added, removed, resized or touched, or a venv changes."""
    digest = hashlib.sha256(f"{__version__}/{CACHE_FORMAT}\n".encode())
    for entry in tree.files:
        digest.update(f"{entry.rel}\0{entry.size}\0{entry.mtime_ns}\n".encode())
    for entry in tree.venv_stamps:
        digest.update(f"venv:{entry.rel}\0{entry.mtime_ns}\n".encode())
    for rel in tree.venvs:
        digest.update(f"venv:{rel}\n".encode())
    return digest.hexdigest()


def _stack_of(data: dict[str, Any]) -> Stack | None:
    try:
        return Stack.from_dict(data["stack"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


ScanEntry = tuple[int, int, "FileScan"]
"""(size, mtime_ns, scan) of one Python file."""


class DetectionCache:
    """Reads and writes cached results for workspace roots; never raises."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _base(self, root: Path) -> Path:
        key = hashlib.sha256(str(root).encode()).hexdigest()[:24]
        return self.directory / key

    def load_stack(self, root: Path, print_: str) -> Stack | None:
        """The cached stack if the walked tree has this fingerprint."""
        data = self._read(self._base(root).with_suffix(".stack.json"))
        if not isinstance(data, dict) or data.get("fingerprint") != print_:
            return None
        return _stack_of(data)

    def load_if_unchanged(self, root: Path) -> Stack | None:
        """The cached stack if no stamped folder or file changed, checked without a walk.

        A folder's mtime changes whenever an entry is added, removed or renamed in it,
        so stat'ing every folder and every relevant file proves the tree is the same at
        a fraction of the cost of listing it.
        """
        data = self._read(self._base(root).with_suffix(".stack.json"))
        if not isinstance(data, dict) or data.get("version") != __version__:
            return None
        stamps = data.get("stamps")
        if not isinstance(stamps, list) or not stamps:
            return None
        base = str(root)
        stat = os.stat
        try:
            for rel, size, mtime in stamps:
                info = stat(f"{base}/{rel}" if rel else base, follow_symlinks=False)
                if info.st_mtime_ns != mtime or (size >= 0 and info.st_size != size):
                    return None
        except (OSError, ValueError, TypeError):
            return None
        return _stack_of(data)

    def load_scans(self, root: Path) -> dict[str, ScanEntry]:
        from stackskills.detectors.python_scan import FileScan

        data = self._read(self._base(root).with_suffix(".scans.json"))
        if not isinstance(data, dict) or data.get("version") != __version__:
            return {}
        scans: dict[str, ScanEntry] = {}
        files = data.get("files")
        if not isinstance(files, dict):
            return {}
        for rel, item in files.items():
            try:
                size, mtime, raw = item
                scans[rel] = (int(size), int(mtime), FileScan.from_json(rel, raw))
            except (ValueError, TypeError):
                continue
        return scans

    def save(
        self,
        root: Path,
        tree: Tree,
        stack: Stack,
        scans: dict[str, ScanEntry] | None,
    ) -> None:
        """Store the stack with the tree's stamps; the scans only when they changed."""
        print_ = fingerprint(tree)
        stamps = [[d.rel, -1, d.mtime_ns] for d in tree.dirs]
        stamps += [[f.rel, f.size, f.mtime_ns] for f in tree.files + tree.venv_stamps]
        base = self._base(root)
        stack_data = {
            "version": __version__,
            "root": str(root),
            "fingerprint": print_,
            "stamps": stamps,
            "stack": stack.to_dict(),
        }
        self._write(base.with_suffix(".stack.json"), stack_data)
        if scans is not None:
            files = {
                rel: [size, mtime, scan.to_json()] for rel, (size, mtime, scan) in scans.items()
            }
            self._write(base.with_suffix(".scans.json"), {"version": __version__, "files": files})

    def stack_stamp(self, root: Path) -> tuple[int, int] | None:
        """(mtime, size) of the cached stack: while it stays the same, so does the stack."""
        try:
            info = os.stat(self._base(root).with_suffix(".stack.json"))
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def load_extra(self, root: Path, name: str) -> Any:
        """A result that other layers derive from the stack (e.g. active sections), or None."""
        return self._read(self._base(root).with_suffix(f".{name}.json"))

    def save_extra(self, root: Path, name: str, data: object) -> None:
        self._write(self._base(root).with_suffix(f".{name}.json"), data)

    @staticmethod
    def _read(path: Path) -> Any:
        try:
            with path.open("rb") as handle:
                return json.loads(handle.read())
        except (OSError, ValueError, RecursionError):
            return None

    def _write(self, path: Path, data: object) -> None:
        """Write atomically (a reader never sees half a file); failure only costs time."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            import tempfile  # here: a warm detection, which only reads, never needs it

            fd, name = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        except OSError:
            return
        temporary = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                # dumps, not dump: dump streams through the pure-Python encoder, 10x slower
                handle.write(json.dumps(data, separators=(",", ":")))
            temporary.replace(path)
        except OSError:
            temporary.unlink(missing_ok=True)
