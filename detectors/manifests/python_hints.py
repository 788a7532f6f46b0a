"""Weaker statements of the Python a project uses, for workspaces that declare none:
the versions CI tests (GitHub Actions ``python-version``, tox ``envlist``) and the image a
Dockerfile builds on (``FROM python:3.12-slim``).

CI matrices say which versions are supported, so their lowest counts; a Dockerfile says
what runs, like ``.python-version``.
"""

from __future__ import annotations

import re
from pathlib import Path

from stackskills.detectors.models import DetectionError, Evidence, ManifestReading, PythonConstraint
from stackskills.detectors.source import Workspace, physical_lines

_DOCKER_FROM = re.compile(
    r"^\s*FROM\s+(?:--\S+\s+)*(?:[\w.:-]+/)*python:(\d{1,4})\.(\d{1,4})(?!\d)",
    re.IGNORECASE | re.MULTILINE,
)
_TOX_ENV = re.compile(r"\bpy(\d)(\d{1,2})\b")
_VERSION = re.compile(r"^(?:cpython-|python)?(\d{1,4})\.(\d{1,4})(?!\d)")
"""At most four digits a part: ``int()`` refuses a 5,000-digit one (and no Python has it)."""
_MAX_HINT_BYTES = 512 * 1024


def _constraint(major: str, minor: str, evidence: Evidence) -> PythonConstraint:
    return PythonConstraint(specifier=f"=={int(major)}.{int(minor)}.*", evidence=evidence)


def read_dockerfile(workspace: Workspace, path: Path) -> ManifestReading:
    """One constraint per ``FROM python:X.Y`` stage."""
    reading = ManifestReading()
    text = workspace.read_or_report(path, reading.errors, _MAX_HINT_BYTES)
    if text is None:
        return reading
    rel = workspace.relative(path)
    for match in _DOCKER_FROM.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        evidence = Evidence(file=rel, line=line, kind="dockerfile", detail=match.group(0).strip())
        reading.python.append(_constraint(match.group(1), match.group(2), evidence))
    return reading


def read_tox_ini(workspace: Workspace, path: Path) -> ManifestReading:
    """The lowest ``pyXY`` environment of ``envlist``, and a ``[pytest]`` section as a
    pytest marker: one read of the file for both."""
    reading = ManifestReading()
    text = workspace.read_or_report(path, reading.errors, _MAX_HINT_BYTES)
    if text is None:
        return reading
    rel = workspace.relative(path)
    lines = physical_lines(text)
    envlist_seen = False
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped == "[pytest]":
            reading.markers.append(Evidence(file=rel, line=number, kind="marker", detail="pytest"))
        if envlist_seen or not stripped.startswith("envlist"):
            continue
        envlist_seen = True
        block = [raw]
        for more in lines[number:]:  # the value goes on over indented lines
            if not (more[:1].isspace() and more.strip()):
                break
            block.append(more)
        found = sorted({(int(a), int(b)) for a, b in _TOX_ENV.findall(" ".join(block))})
        if found:
            major, minor = found[0]
            evidence = Evidence(file=rel, line=number, kind="tox-envlist", detail=stripped)
            reading.python.append(_constraint(str(major), str(minor), evidence))
    return reading


def read_ci_workflow(workspace: Workspace, path: Path) -> ManifestReading:
    """The lowest ``python-version`` a GitHub Actions workflow sets up."""
    reading = ManifestReading()
    text = workspace.read_or_report(path, reading.errors, _MAX_HINT_BYTES)
    if text is None or "python-version" not in text:
        return reading
    rel = workspace.relative(path)
    import yaml  # only for the few workspaces whose CI names a Python; 25 ms to import

    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:  # ValueError: a huge integer
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reading.errors.append(_yaml_error(rel, line, exc))
        return reading
    versions = sorted({v for v in _python_versions(document) if v[0] >= 2})
    if versions:
        major, minor = versions[0]
        line = next(
            (n for n, raw in enumerate(physical_lines(text), 1) if "python-version" in raw), None
        )
        evidence = Evidence(file=rel, line=line, kind="ci-matrix", detail=f"{major}.{minor}")
        reading.python.append(_constraint(str(major), str(minor), evidence))
    return reading


def _yaml_error(rel: str, line: int | None, exc: BaseException) -> DetectionError:
    problem = getattr(exc, "problem", None)
    if not problem:
        deep = isinstance(exc, RecursionError)
        problem = "nested too deeply" if deep else str(exc).split(";", 1)[0]
    return DetectionError(file=rel, line=line, message=f"invalid YAML: {problem}")


def _python_versions(document: object) -> list[tuple[int, int]]:
    """Every ``python-version`` value anywhere in the document (matrices, steps).

    Each mapping and list is visited once, without recursion: YAML anchors let a ten-line
    workflow hold a billion references to one list ("billion laughs"), and a walk that
    followed every reference hung detection for good.
    """
    found: list[tuple[int, int]] = []
    seen: set[int] = set()
    pending: list[tuple[object, int]] = [(document, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > 50 or not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            pending.extend((item, depth + 1) for item in node)
            continue
        for key, value in node.items():
            if key in ("python-version", "python_version", "python"):
                found.extend(_as_versions(value))
            else:
                pending.append((value, depth + 1))
    return found


def _as_versions(value: object) -> list[tuple[int, int]]:
    """A version, or a list of them (one level: a matrix never nests them deeper)."""
    items = value if isinstance(value, list) else [value]
    return [version for item in items if (version := _as_version(item)) is not None]


def _as_version(value: object) -> tuple[int, int] | None:
    if isinstance(value, float):
        # YAML reads an unquoted 3.10 as the float 3.1: no CI tests Python 3.1
        major, _, minor = repr(value).partition(".")
        minor = "10" if minor == "1" and major == "3" else minor
        return (int(major), int(minor)) if minor.isdigit() else None
    if isinstance(value, str):
        match = _VERSION.match(value.strip().strip("'\""))
        return (int(match.group(1)), int(match.group(2))) if match else None
    return None
