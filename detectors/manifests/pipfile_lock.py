"""``Pipfile.lock``: the exact versions pipenv pinned, and the Python it locked for.

Every top-level section except ``_meta`` is a package category (``default``, ``develop``
and any custom category). Entries installed from git or a path carry no ``version`` and
are skipped. JSON keeps no positions, so lines come from the text: the package's key
inside its section, then the ``"version"`` key after it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from stackskills.detectors.models import (
    DetectionError,
    Evidence,
    LockedVersion,
    ManifestReading,
    PythonConstraint,
)
from stackskills.detectors.names import normalise
from stackskills.detectors.requirement_strings import pinned_version
from stackskills.detectors.source import Workspace, physical_lines

LOCKFILE_KIND = "lockfile"
PYTHON_KIND = "pipfile-python"

_PACKAGE_SECTIONS = ("default", "develop")


def read_pipfile_lock(workspace: Workspace, path: Path) -> ManifestReading:
    """Every pinned package of every category, and ``_meta.requires.python_version``."""
    reading = ManifestReading()
    rel = workspace.relative(path)
    text = workspace.read_or_report(path, reading.errors)
    if text is None:
        return reading
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reading.errors.append(
            DetectionError(file=rel, line=exc.lineno, message=f"invalid JSON: {exc.msg}")
        )
        return reading
    except RecursionError:
        reading.errors.append(DetectionError(file=rel, message="invalid JSON: nested too deeply"))
        return reading
    except ValueError as exc:  # an integer of over 4,300 digits: Python refuses to convert it
        message = f"invalid JSON: {str(exc).split(';', 1)[0]}"
        reading.errors.append(DetectionError(file=rel, message=message))
        return reading
    if not isinstance(data, dict):
        reading.errors.append(DetectionError(file=rel, line=1, message="not a JSON object"))
        return reading
    lines = _JsonLines(text)
    _read_python(data.get("_meta"), lines, rel, reading)
    seen: set[tuple[str, str]] = set()
    cursor = 1
    for section, packages in data.items():
        if section in _PACKAGE_SECTIONS:
            if not isinstance(packages, dict):
                line = lines.key(section, cursor)
                message = f"section {section!r} is not an object of packages"
                reading.errors.append(DetectionError(file=rel, line=line, message=message))
                continue
        elif section.startswith("_") or not _looks_like_packages(packages):
            continue
        cursor = _read_section(section, packages, lines, cursor, rel, reading, seen)
    return reading


def _looks_like_packages(value: Any) -> bool:
    """A custom category: an object whose values are all objects."""
    return isinstance(value, dict) and all(isinstance(entry, dict) for entry in value.values())


def _read_section(
    section: str,
    packages: dict[str, Any],
    lines: _JsonLines,
    start: int,
    rel: str,
    reading: ManifestReading,
    seen: set[tuple[str, str]],
) -> int:
    """Read one category; returns the line reading stopped at, where the next one starts."""
    section_line = lines.key(section, start) or lines.key(section) or 1
    cursor = section_line
    for written_name, entry in packages.items():
        entry_line = lines.key(written_name, cursor) or lines.key(written_name, section_line)
        if entry_line is not None:
            cursor = entry_line
        if not isinstance(entry, dict):
            message = f"package {written_name!r} in {section!r} is not an object"
            reading.errors.append(DetectionError(file=rel, line=entry_line, message=message))
            continue
        if "version" not in entry:
            continue  # git, path or file requirement: nothing pinned
        version_line = lines.key("version", entry_line) if entry_line else None
        if version_line is not None:
            cursor = version_line
        version, problem = _pinned(entry["version"])
        if version is None:
            message = f"package {written_name!r} in {section!r}: {problem}"
            line = version_line or entry_line
            reading.errors.append(DetectionError(file=rel, line=line, message=message))
            continue
        if not written_name.strip():
            message = f"package with an empty name in {section!r}"
            reading.errors.append(DetectionError(file=rel, line=entry_line, message=message))
            continue
        key = (normalise(written_name), version)
        if key in seen:
            continue
        seen.add(key)
        evidence = Evidence(file=rel, line=version_line, kind=LOCKFILE_KIND, detail=version)
        reading.locked.append(LockedVersion(name=key[0], version=version, evidence=evidence))
    return cursor


def _pinned(value: Any) -> tuple[str | None, str]:
    """The exact version of ``"==2.0.1"``, or ``None`` and what is wrong with it."""
    if not isinstance(value, str):
        return None, f"version is not text: {value!r}"
    try:
        specifier = SpecifierSet(value)
    except InvalidSpecifier:
        return None, f"invalid version {value!r}"
    version = pinned_version(specifier)
    if version is None:
        return None, f"version {value!r} is not an exact pin"
    return version, ""


def _read_python(meta: Any, lines: _JsonLines, rel: str, reading: ManifestReading) -> None:
    """``_meta.requires.python_version`` (or ``python_full_version``) as ``==X.Y.*``."""
    if not isinstance(meta, dict):
        return
    requires = meta.get("requires")
    if not isinstance(requires, dict):
        return
    for key in ("python_version", "python_full_version"):
        value = requires.get(key)
        if value is None:
            continue
        line = lines.key(key)
        release = _release(value)
        if not release:
            message = f"_meta.requires.{key} is not a Python version: {value!r}"
            reading.errors.append(DetectionError(file=rel, line=line, message=message))
            return
        specifier = "==" + ".".join(str(part) for part in release[:2]) + ".*"
        evidence = Evidence(file=rel, line=line, kind=PYTHON_KIND, detail=value)
        reading.python.append(PythonConstraint(specifier=specifier, evidence=evidence))
        return


def _release(value: Any) -> tuple[int, ...]:
    if not isinstance(value, str):
        return ()
    try:
        return Version(value).release
    except InvalidVersion:
        return ()


class _JsonLines:
    """Finds the line of a JSON object key, searching forward from a given line."""

    def __init__(self, text: str) -> None:
        self.lines = physical_lines(text)  # not splitlines: U+2028 may sit in a string

    def key(self, key: str, start: int = 1) -> int | None:
        pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
        for number in range(max(start, 1), len(self.lines) + 1):
            if pattern.search(self.lines[number - 1]):
                return number
        return None
