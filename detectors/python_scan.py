"""What one Python file tells detection: its imports and framework markers.

The result is plain data so the cache can keep it per file and skip unchanged files.
"""

from __future__ import annotations

import marshal
import os
from dataclasses import dataclass
from typing import Any

from stackskills.detectors import forked
from stackskills.detectors.imports import ImportedModule, scan_imports
from stackskills.detectors.markers import SourceMarker, find_source_markers
from stackskills.detectors.models import DetectionError
from stackskills.detectors.source import MAX_SOURCE_BYTES, ReadFailure, Workspace
from stackskills.detectors.walk import Tree


@dataclass(frozen=True)
class FileScan:
    imports: tuple[ImportedModule, ...] = ()
    markers: tuple[SourceMarker, ...] = ()
    error: DetectionError | None = None

    def to_json(self) -> list[Any]:
        return [
            [[i.module, list(i.names), i.line, i.context] for i in self.imports],
            [[m.distribution, m.line, m.detail] for m in self.markers],
            None if self.error is None else [self.error.line, self.error.message],
        ]

    def to_wire(self) -> tuple[Any, ...]:
        """Plain tuples for ``marshal``, which forked scanners send back: it reads them
        faster than ``json`` does lists, and keeps the tuples."""
        return (
            tuple(map(tuple, self.imports)),
            tuple(map(tuple, self.markers)),
            None if self.error is None else (self.error.line, self.error.message),
        )

    @classmethod
    def from_wire(cls, rel: str, data: tuple[Any, ...]) -> FileScan:
        imports, markers, error = data
        return cls(
            imports=tuple(map(ImportedModule._make, imports)),
            markers=tuple(map(SourceMarker._make, markers)),
            error=None
            if error is None
            else DetectionError(file=rel, line=error[0], message=error[1]),
        )

    @classmethod
    def from_json(cls, rel: str, data: list[Any]) -> FileScan:
        imports, markers, error = data
        return cls(
            imports=tuple(ImportedModule(m, tuple(n), line, ctx) for m, n, line, ctx in imports),
            markers=tuple(SourceMarker(d, line, detail) for d, line, detail in markers),
            error=None
            if error is None
            else DetectionError(file=rel, line=error[0], message=error[1]),
        )


def scan_python_file(workspace: Workspace, tree: Tree, rel: str, size: int) -> FileScan:
    """Read one file (bounded) and scan it; unreadable files become an error, not a crash."""
    try:
        if rel in tree.symlinked:
            text = workspace.read_text(tree.path(rel), max_bytes=MAX_SOURCE_BYTES)
        else:
            text = workspace.read_walked_text(rel, size, MAX_SOURCE_BYTES)
    except ReadFailure as failure:
        return FileScan(error=failure.error)
    try:
        imports = tuple(scan_imports(text))
        markers = tuple(find_source_markers(text))
    except RecursionError:
        return FileScan(error=DetectionError(file=rel, message="nested too deeply to scan"))
    return FileScan(imports=imports, markers=markers)


def scan_python_files(
    workspace: Workspace, tree: Tree, todo: list[tuple[str, int]], workers: int
) -> list[FileScan]:
    """``scan_python_file`` for each ``(rel, size)``, in order (see ``ScanInProgress``)."""
    return ScanInProgress(workspace, tree, todo, workers).results()


class ScanInProgress:
    """The scans of ``todo``, started now and collected by ``results``.

    With ``workers`` above 1 (and ``fork``), that many children each scan a share and send
    it back (``marshal``) through a pipe, while this process goes on with other work (the
    manifests); a child that fails leaves its share to be scanned here. Otherwise the
    files are scanned here, by ``results``.
    """

    def __init__(
        self, workspace: Workspace, tree: Tree, todo: list[tuple[str, int]], workers: int
    ) -> None:
        self._workspace = workspace
        self._tree = tree
        self._todo = todo
        self._shares: list[list[tuple[str, int]]] = []
        self._children: list[forked.Child | None] = []
        self._results: list[FileScan] | None = None
        if hasattr(os, "fork") and workers > 1:
            self._shares = [todo[index::workers] for index in range(workers)]
            self._children = [_fork_scanner(workspace, tree, share) for share in self._shares]

    def results(self) -> list[FileScan]:
        """Each file's scan, in the order of ``todo``; waits for the children (once)."""
        if self._results is None:
            found: dict[str, FileScan] = {}
            for share, child in zip(self._shares, self._children, strict=True):
                found.update(_collect(self._workspace, self._tree, share, child))
            self._results = [
                found[rel]
                if rel in found
                else scan_python_file(self._workspace, self._tree, rel, size)
                for rel, size in self._todo
            ]
        return self._results


def _fork_scanner(
    workspace: Workspace, tree: Tree, share: list[tuple[str, int]]
) -> forked.Child | None:
    """Start a child scanning ``share``, or None."""
    return forked.start(
        lambda: marshal.dumps(
            [scan_python_file(workspace, tree, rel, size).to_wire() for rel, size in share]
        )
    )


def _collect(
    workspace: Workspace, tree: Tree, share: list[tuple[str, int]], child: forked.Child | None
) -> dict[str, FileScan]:
    """A child's results, or the share scanned here when the child could not deliver."""
    if child is not None:
        data = forked.collect(child)
        if data is not None:
            try:
                scanned = marshal.loads(data)
            except (EOFError, ValueError, TypeError):
                scanned = None
            if isinstance(scanned, list) and len(scanned) == len(share):
                return {
                    rel: FileScan.from_wire(rel, item)
                    for (rel, _), item in zip(share, scanned, strict=True)
                }
    return {rel: scan_python_file(workspace, tree, rel, size) for rel, size in share}
