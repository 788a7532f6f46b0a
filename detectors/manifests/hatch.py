"""``[tool.hatch.envs.<env>]``: the tools Hatch installs into its environments.

Environments hold tests, linters and docs builds; the project's own requirements come
from ``[project]``, so everything here is dev scope, the ``default`` env included. Hatch
expands context fields (``{root:uri}``, ``{env:VAR}``) before parsing; a requirement that
only parses once expanded is skipped rather than reported, since it is valid to Hatch.
"""

from __future__ import annotations

from typing import Any

from stackskills.detectors.manifests.parsed_pyproject import ParsedPyproject, label
from stackskills.detectors.models import Dependency, ManifestReading
from stackskills.detectors.requirement_strings import requirement_or_error
from stackskills.detectors.toml_source import LineLocator

ENVS = ("tool", "hatch", "envs")
REQUIREMENT_KEYS = ("dependencies", "extra-dependencies")


def read(data: dict[str, Any], lines: LineLocator, rel: str) -> ManifestReading:
    """Every environment's ``dependencies`` and ``extra-dependencies``, in dev scope."""
    document = ParsedPyproject(data, lines, rel)
    for env in document.table(ENVS) or {}:
        if document.table((*ENVS, env)) is None:
            continue
        for key in REQUIREMENT_KEYS:
            path = (*ENVS, env, key)
            for text, line in document.strings(path):
                parsed = requirement_or_error(text, scope="dev", file=rel, line=line)
                if isinstance(parsed, Dependency):
                    document.reading.dependencies.append(parsed)
                elif not _has_context_field(text):
                    document.error(f"{label(path)}: {parsed.message}", line)
    return document.reading


def _has_context_field(text: str) -> bool:
    opening = text.find("{")
    return opening >= 0 and text.find("}", opening) > opening
