"""What one Python file tells detection: its imports and framework markers.

The result is plain data so the cache can keep it per file and skip unchanged files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
