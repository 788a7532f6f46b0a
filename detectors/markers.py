"""Framework markers that manifests miss: files and source patterns that only one
framework produces (``manage.py``, ``alembic.ini``, ``FastAPI()``, ``Flask(__name__)``,
``INSTALLED_APPS``, pytest configuration).

Markers add evidence; on their own they make a framework present with lower confidence.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from stackskills.detectors.models import Evidence
from stackskills.detectors.source import ReadFailure, Workspace, physical_lines
from stackskills.detectors.walk import Tree

SOURCE_MARKERS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("fastapi", "FastAPI", re.compile(r"FastAPI(?<!\wFastAPI)\s*\(")),
    ("flask", "Flask", re.compile(r"Flask(?<!\wFlask)\s*\(\s*(?:__name__|import_name\s*=)")),
    ("django", "INSTALLED_APPS", re.compile(r"INSTALLED_APPS(?<![^\n]INSTALLED_APPS)\s*\+?=")),
    ("django", "DJANGO_SETTINGS_MODULE", re.compile(r"DJANGO_SETTINGS_MODULE")),
)
"""(distribution, a literal every match contains, the pattern). Each pattern starts with
its literal, so that ``re`` skips ahead to it (a leading ``\b`` or ``^`` would make the
engine try every position): a word or line start is checked by a look-behind instead."""


class SourceMarker(NamedTuple):
    """A marker found in one Python file: which distribution, where, what text."""

    distribution: str
    line: int
    detail: str


def find_source_markers(source: str) -> list[SourceMarker]:
    """Markers in one file's text (first hit per pattern).

    A plain ``str.find`` of the literal rules out almost every file before any regex
    runs, and the regex starts at the line of the first occurrence.
    """
    found: list[SourceMarker] = []
    for distribution, literal, pattern in SOURCE_MARKERS:
        first = source.find(literal)
        if first < 0:
            continue
        match = pattern.search(source, source.rfind("\n", 0, first) + 1)
        if match:
            line = source.count("\n", 0, match.start()) + 1
            found.append(SourceMarker(distribution, line, match.group(0).strip()))
    return found


FILE_MARKERS: dict[str, str] = {
    "alembic.ini": "alembic",
    "conftest.py": "pytest",
    "pytest.ini": "pytest",
}


def find_file_markers(workspace: Workspace, tree: Tree) -> list[Evidence]:
    """Markers given by a file's presence, or by its content where the name is shared:
    ``manage.py`` is Django's only when it mentions Django (Flask-Script has one too).
    A ``[pytest]`` section in tox.ini comes from the tox.ini reader, which reads it anyway."""
    found: list[Evidence] = []
    for rel in tree.marker_files:
        name = rel.rsplit("/", 1)[-1]
        distribution = FILE_MARKERS.get(name)
        if name == "manage.py":
            line = _line_containing(workspace, tree, rel, "django")
            if line:
                found.append(Evidence(file=rel, line=line, kind="marker", detail="django"))
        elif distribution:
            found.append(Evidence(file=rel, line=None, kind="marker", detail=distribution))
    return found


def _line_containing(workspace: Workspace, tree: Tree, rel: str, needle: str) -> int | None:
    try:
        text = workspace.read_text(tree.path(rel), max_bytes=1024 * 1024)
    except ReadFailure:
        return None
    for number, line in enumerate(physical_lines(text), start=1):
        if needle in line.lower():
            return number
    return None
