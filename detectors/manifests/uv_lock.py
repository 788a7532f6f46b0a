"""``uv.lock``: exact versions of the resolved packages, and the ``requires-python`` uv used.

The project itself (``source = { editable = "." }`` or ``{ virtual = "." }``) is a
package like any other here; the caller knows the project name and drops it. Workspace
members with a dynamic version have no ``version`` key and are skipped without error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from stackskills.detectors.manifests.poetry_lock import locked_packages
from stackskills.detectors.models import DetectionError, Evidence, ManifestReading, PythonConstraint
from stackskills.detectors.source import Workspace, physical_lines
from stackskills.detectors.toml_source import read_toml

REQUIRES_PYTHON_KIND = "uv-lock-requires-python"

_REQUIRES_PYTHON_KEY = re.compile(r"""^\s*["']?requires-python["']?\s*=""")
_FIRST_TABLE = re.compile(r"^\s*\[")


def read_uv_lock(workspace: Workspace, path: Path) -> ManifestReading:
    """Every versioned ``[[package]]`` of a ``uv.lock``, and its top-level ``requires-python``."""
    reading = ManifestReading()
    loaded = read_toml(workspace, path, reading.errors)
    if loaded is None:
        return reading
    data, text = loaded
    rel = workspace.relative(path)
    locked, errors = locked_packages(data, text, rel, skip_versionless=True)
    reading.locked.extend(locked)
    reading.errors.extend(errors)
    python = _requires_python(data, text, rel)
    if isinstance(python, PythonConstraint):
        reading.python.append(python)
    elif python is not None:
        reading.errors.append(python)
    return reading


def _requires_python(
    data: dict[str, Any], text: str, rel: str
) -> PythonConstraint | DetectionError | None:
    value = data.get("requires-python")
    if value is None:
        return None
    line = _top_level_key_line(text)
    if not isinstance(value, str):
        return DetectionError(file=rel, line=line, message="requires-python is not text")
    try:
        specifier = SpecifierSet(value)
    except InvalidSpecifier:
        return DetectionError(
            file=rel, line=line, message=f"invalid requires-python specifier {value!r}"
        )
    evidence = Evidence(file=rel, line=line, kind=REQUIRES_PYTHON_KIND, detail=value)
    return PythonConstraint(specifier=str(specifier), evidence=evidence)


def _top_level_key_line(text: str) -> int | None:
    """Line of ``requires-python =`` before the first table (where top-level keys live)."""
    for number, raw in enumerate(physical_lines(text), start=1):
        if _FIRST_TABLE.match(raw):
            return None
        if _REQUIRES_PYTHON_KEY.match(raw):
            return number
    return None
