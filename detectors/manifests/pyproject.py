"""``pyproject.toml``: one parse, then every dialect reads its own tables.

A file often speaks several dialects at once (``[project]`` with ``[dependency-groups]``
and ``[tool.hatch.envs]``; Poetry 2's ``[project]`` with ``[tool.poetry]``), so each
dialect reader looks only at its tables and the readings are merged. The project's own
name is dropped from the merged dependencies (``mypkg[test]`` in a group is the project
itself), and an error two dialects both met (``tool = "x"``) is reported once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stackskills.detectors.models import ManifestReading
from stackskills.detectors.source import Workspace
from stackskills.detectors.toml_source import LineLocator, read_toml

DialectReader = Callable[[dict[str, Any], LineLocator, str], ManifestReading]

DIALECTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pep621", ("project",)),
    ("pep735", ("dependency-groups",)),
    ("poetry", ("tool", "poetry")),
    ("pdm", ("tool", "pdm")),
    ("uv", ("tool", "uv")),
    ("hatch", ("tool", "hatch")),
    ("tool_settings", ("tool",)),
)
"""Each dialect's module under ``manifests`` and the table it reads everything from. In
this order: ``[project]``'s name wins over ``[tool.poetry]``'s. A dialect whose table is
absent has nothing to say, so its module is not even imported (most files speak one or
two dialects, and start-up pays for every module)."""


def speaks(data: dict[str, Any], table: tuple[str, ...]) -> bool:
    """True when ``table`` is there, or something that should hold it is no table (the
    dialect reports that)."""
    current: object = data
    for key in table:
        if not isinstance(current, dict):
            return True
        if key not in current:
            return False
        current = current[key]
    return True


def dialect_reader(module: str) -> DialectReader:
    reader: DialectReader = importlib.import_module(f"{__package__}.{module}").read
    return reader


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
    for module, table in DIALECTS:
        if not speaks(data, table):
            continue
        dialect_reading = dialect_reader(module)(data, lines, rel)
        if dialect_reading.project_name:
            own_names.add(dialect_reading.project_name)
        reading.extend(dialect_reading)
    reading.dependencies = [dep for dep in reading.dependencies if dep.name not in own_names]
    reading.errors = list(dict.fromkeys(reading.errors))
    return reading
