"""``[tool.uv]``: uv's legacy dev dependencies and its resolver constraints.

``constraint-dependencies`` and ``override-dependencies`` bound versions of whatever gets
resolved without saying the project uses it, so they are ``constraint_only``.
"""

from __future__ import annotations

from typing import Any

from stackskills.detectors.manifests.parsed_pyproject import ParsedPyproject
from stackskills.detectors.models import ManifestReading
from stackskills.detectors.toml_source import LineLocator

UV = ("tool", "uv")
CONSTRAINT_KEYS = ("constraint-dependencies", "override-dependencies")


def read(data: dict[str, Any], lines: LineLocator, rel: str) -> ManifestReading:
    """``dev-dependencies`` in dev scope; constraints and overrides as constraint-only."""
    document = ParsedPyproject(data, lines, rel)
    if document.table(UV) is None:
        return document.reading
    document.add_requirements((*UV, "dev-dependencies"), "dev")
    for key in CONSTRAINT_KEYS:
        document.add_requirements((*UV, key), "runtime", kind="constraint", constraint_only=True)
    return document.reading
