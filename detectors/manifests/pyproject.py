"""``pyproject.toml``: one parse, then every dialect reads its own tables.

A file often speaks several dialects at once (``[project]`` with ``[dependency-groups]``
and ``[tool.hatch.envs]``; Poetry 2's ``[project]`` with ``[tool.poetry]``), so each
dialect reader looks only at its tables and the readings are merged. The project's own
name is dropped from the merged dependencies (``mypkg[test]`` in a group is the project
itself), and an error two dialects both met (``tool = "x"``) is reported once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from stackskills.detectors.manifests import hatch, pdm, pep621, pep735, poetry, tool_settings, uv
from stackskills.detectors.models import ManifestReading
from stackskills.detectors.source import Workspace
from stackskills.detectors.toml_source import LineLocator, read_toml

DialectReader = Callable[[dict[str, Any], LineLocator, str], ManifestReading]

DIALECTS: tuple[DialectReader, ...] = (
    pep621.read,
    pep735.read,
    poetry.read,
    pdm.read,
    uv.read,
    hatch.read,
    tool_settings.read,
)
"""In this order: ``[project]``'s name wins over ``[tool.poetry]``'s."""


def read_pyproject(workspace: Workspace, path: Path) -> ManifestReading:
    """Dependencies, Python constraints and markers of every dialect in one pyproject."""
    rel = workspace.relative(path)
    reading = ManifestReading()
    loaded = read_toml(workspace, path, reading.errors)
    if loaded is None:
        return reading
    data, text = loaded
    lines = LineLocator(text)
    own_names: set[str] = set()
    for read_dialect in DIALECTS:
        dialect_reading = read_dialect(data, lines, rel)
        if dialect_reading.project_name:
            own_names.add(dialect_reading.project_name)
        reading.extend(dialect_reading)
    reading.dependencies = [dep for dep in reading.dependencies if dep.name not in own_names]
    reading.errors = list(dict.fromkeys(reading.errors))
    return reading
