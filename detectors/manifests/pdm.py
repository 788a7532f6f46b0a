"""``[tool.pdm.dev-dependencies]``: PDM's development groups from before PEP 735.

PDM lists editable installs as ``-e <url or path>``: one that names its distribution
(``#egg=name`` or ``name @ url``) is read as a dependency on that URL; a bare local path
names nothing and is skipped.
"""

from __future__ import annotations

import re
from typing import Any

from stackskills.detectors.manifests.parsed_pyproject import ParsedPyproject
from stackskills.detectors.manifests.scopes import scope_for_group
from stackskills.detectors.models import ManifestReading
from stackskills.detectors.toml_source import LineLocator

DEV_DEPENDENCIES = ("tool", "pdm", "dev-dependencies")
_EGG = re.compile(r"#egg=([^&\s]+)")


def read(data: dict[str, Any], lines: LineLocator, rel: str) -> ManifestReading:
    """Each legacy PDM dev group's requirements, in dev scope."""
    document = ParsedPyproject(data, lines, rel)
    for group in document.table(DEV_DEPENDENCIES) or {}:
        path = (*DEV_DEPENDENCIES, group)
        for text, line in document.strings(path):
            requirement = _editable_requirement(text) if _is_editable(text) else text
            if requirement is None:
                continue
            scope = scope_for_group(group)
            dependency = document.requirement(requirement, line, path, scope, written=text.strip())
            if dependency is not None:
                document.reading.dependencies.append(dependency)
    return document.reading


def _is_editable(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("--editable") or stripped.startswith("-e")


def _editable_requirement(text: str) -> str | None:
    """``-e url#egg=name`` as ``name @ url``; ``-e name @ url`` as is; a bare path: None."""
    target = text.strip().removeprefix("--editable").removeprefix("-e").strip()
    if " @ " in target or "@" in target.split("/")[0]:
        return target
    egg = _EGG.search(target)
    if egg is None:
        return None
    return f"{egg.group(1)} @ {target[: egg.start()]}"
