"""Files that name the Python a workspace runs on: ``.python-version``, ``runtime.txt``,
``.tool-versions``. They say what runs, not the lowest version supported, so the target
logic ranks them below declared ranges.
"""

from __future__ import annotations

import re
from pathlib import Path

from stackskills.detectors.models import Evidence, ManifestReading, PythonConstraint
from stackskills.detectors.source import Workspace, physical_lines

_VERSION = re.compile(r"(?:python-?|cpython-?)?(\d+)\.(\d+)(?:\.\d+)?", re.IGNORECASE)


def read_python_version_file(workspace: Workspace, path: Path) -> ManifestReading:
    """One ``PythonConstraint`` per named version (``.python-version`` may list several)."""
    reading = ManifestReading()
    rel = workspace.relative(path)
    text = workspace.read_or_report(path, reading.errors, max_bytes=64 * 1024)
    if text is None:
        return reading
    name = path.name
    kind = {".tool-versions": "tool-versions"}.get(name, name)
    for number, raw in enumerate(physical_lines(text), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if name == ".tool-versions":
            tool, _, versions = line.partition(" ")
            if tool != "python":
                continue
            candidates = versions.split()
        else:
            candidates = [line]
        for candidate in candidates:
            found = _VERSION.fullmatch(candidate) or _VERSION.match(candidate)
            if found and not candidate.lower().startswith("pypy"):
                spec = f"=={found.group(1)}.{found.group(2)}.*"
                evidence = Evidence(file=rel, line=number, kind=kind, detail=candidate)
                reading.python.append(PythonConstraint(specifier=spec, evidence=evidence))
    return reading
