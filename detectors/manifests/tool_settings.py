"""Python targets and framework markers found in tools' own settings under ``[tool]``.

A linter or type checker told to target 3.11 says which Python the code is written for,
even where no ``requires-python`` is declared; a pytest or django-stubs section says the
framework is in use even where no requirement names it.
"""

from __future__ import annotations

import re
from typing import Any

from stackskills.detectors.manifests.parsed_pyproject import ParsedPyproject, describe, label
from stackskills.detectors.models import Evidence, ManifestReading, PythonConstraint
from stackskills.detectors.toml_source import LineLocator

TOOL = ("tool",)
_PY_TAG = re.compile(r"py(\d)(\d{1,4})")
_DOTTED_VERSION = re.compile(r"(\d{1,4})\.(\d{1,4})(?:\.\d+)?")
"""At most four digits a part: ``int()`` refuses a 5,000-digit one (and no Python has it)."""
_TARGETS = (
    (("tool", "ruff", "target-version"), _PY_TAG, "ruff-target-version", "'py311'"),
    (("tool", "mypy", "python_version"), _DOTTED_VERSION, "mypy-python-version", "'3.11'"),
    (("tool", "pyright", "pythonVersion"), _DOTTED_VERSION, "pyright-python-version", "'3.11'"),
)
BLACK_TARGETS = ("tool", "black", "target-version")
MARKER_TABLES = (
    (("tool", "pytest"), "pytest"),
    (("tool", "django-stubs"), "django"),
    (("tool", "django_stubs"), "django"),
)


def read(data: dict[str, Any], lines: LineLocator, rel: str) -> ManifestReading:
    """ruff, mypy, pyright and black Python targets; pytest and django-stubs markers."""
    document = ParsedPyproject(data, lines, rel)
    if document.table(TOOL) is None:
        return document.reading
    for path, pattern, kind, example in _TARGETS:
        _read_target(document, path, pattern, kind, example)
    _read_black_targets(document)
    for table_path, distribution in MARKER_TABLES:
        table = document.table(table_path)
        if table is not None:
            header = (*table_path, "ini_options") if "ini_options" in table else table_path
            evidence = Evidence(
                file=rel, line=document.line(header), kind="marker", detail=distribution
            )
            document.reading.markers.append(evidence)
    return document.reading


def _read_target(
    document: ParsedPyproject,
    path: tuple[str, ...],
    pattern: re.Pattern[str],
    kind: str,
    example: str,
) -> None:
    """One version a tool targets, as ``==3.X.*``."""
    value = document.get(path)
    if value is None:
        return
    line = document.line(path)
    if isinstance(value, float):
        value = str(value)  # mypy also reads an unquoted ``python_version = 3.11``
    if not isinstance(value, str):
        document.error(
            f"{label(path)} must be a string like {example}, not {describe(value)}", line
        )
        return
    found = pattern.fullmatch(value.strip())
    if found is None:
        document.error(f"{label(path)}: {value!r} is not a Python version like {example}", line)
        return
    specifier = f"=={int(found.group(1))}.{int(found.group(2))}.*"
    evidence = Evidence(file=document.rel, line=line, kind=kind, detail=value)
    document.reading.python.append(PythonConstraint(specifier, evidence))


def _read_black_targets(document: ParsedPyproject) -> None:
    """black lists every version it must keep working on; the lowest is the target."""
    if isinstance(document.get(BLACK_TARGETS), str):
        _read_target(document, BLACK_TARGETS, _PY_TAG, "black-target-version", "'py311'")
        return
    targets: list[tuple[tuple[int, int], str, int | None]] = []
    for text, line in document.strings(BLACK_TARGETS):
        found = _PY_TAG.fullmatch(text.strip())
        if found is None:
            document.error(
                f"{label(BLACK_TARGETS)}: {text!r} is not a Python version like 'py311'", line
            )
        else:
            targets.append(((int(found.group(1)), int(found.group(2))), text, line))
    if targets:
        (major, minor), text, line = min(targets, key=lambda target: target[0])
        evidence = Evidence(file=document.rel, line=line, kind="black-target-version", detail=text)
        document.reading.python.append(PythonConstraint(f"=={major}.{minor}.*", evidence))
