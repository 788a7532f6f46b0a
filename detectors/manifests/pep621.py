"""``[project]`` (PEP 621): the name, the requirements, and the Pythons it supports.

Trove classifiers count as Python evidence too: ``Programming Language :: Python :: 3.12``
says the project is tested on 3.12 even when ``requires-python`` is missing.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from stackskills.detectors.manifests.parsed_pyproject import ParsedPyproject, label
from stackskills.detectors.manifests.scopes import scope_for_extra
from stackskills.detectors.models import Evidence, ManifestReading, PythonConstraint
from stackskills.detectors.toml_source import LineLocator

PROJECT = ("project",)
_PYTHON_CLASSIFIER = re.compile(r"Programming Language\s*::\s*Python\s*::\s*(\d{1,4})\.(\d{1,4})")
"""At most four digits a part: ``int()`` refuses a 5,000-digit one (and no Python has it)."""


def read(data: dict[str, Any], lines: LineLocator, rel: str) -> ManifestReading:
    """Name, dependencies, extras and Python constraints from ``[project]``."""
    document = ParsedPyproject(data, lines, rel)
    if document.table(PROJECT) is None:
        return document.reading
    own_name = document.project_name((*PROJECT, "name"))
    document.reading.project_name = own_name
    document.add_requirements((*PROJECT, "dependencies"), "runtime")
    extras = document.table((*PROJECT, "optional-dependencies"))
    for extra in extras or {}:
        path = (*PROJECT, "optional-dependencies", extra)
        document.add_requirements(path, scope_for_extra(extra))
    document.reading.dependencies = [
        dependency for dependency in document.reading.dependencies if dependency.name != own_name
    ]
    _read_requires_python(document)
    _read_classifiers(document)
    return document.reading


def _read_requires_python(document: ParsedPyproject) -> None:
    path = (*PROJECT, "requires-python")
    text = document.string(path)
    if text is None:
        return
    line = document.line(path)
    try:
        specifier = SpecifierSet(text)
    except InvalidSpecifier:
        document.error(f"{label(path)}: {text!r} is not a valid version specifier", line)
        return
    evidence = Evidence(file=document.rel, line=line, kind="requires-python", detail=text)
    document.reading.python.append(PythonConstraint(str(specifier), evidence))


def _read_classifiers(document: ParsedPyproject) -> None:
    for text, line in document.strings((*PROJECT, "classifiers")):
        found = _PYTHON_CLASSIFIER.fullmatch(text.strip())
        if found is None:
            continue
        major, minor = int(found.group(1)), int(found.group(2))
        evidence = Evidence(file=document.rel, line=line, kind="classifier", detail=text)
        document.reading.python.append(PythonConstraint(f"=={major}.{minor}.*", evidence))
