"""Pipfile: Pipenv's package categories and its ``[requires]`` Python version.

Each package is a key whose value is a version string (``"*"``, ``">=4.2"``) or a table
(``{version, extras, markers}``, or a source: ``git``/``path``/``file``). Besides
``[packages]`` and ``[dev-packages]``, Pipenv allows custom categories: any other table
that is not one of Pipfile's settings tables holds packages too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from stackskills.detectors.models import (
    Dependency,
    DetectionError,
    Evidence,
    ManifestReading,
    PythonConstraint,
    Scope,
)
from stackskills.detectors.requirement_strings import requirement_or_error
from stackskills.detectors.source import Workspace
from stackskills.detectors.toml_source import LineLocator, read_toml

SETTINGS_TABLES = frozenset({"source", "requires", "scripts", "pipenv"})
"""Pipfile tables that are not package categories."""

MARKER_KEYS = (
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_version",
    "python_full_version",
    "implementation_name",
    "implementation_version",
)
"""Package-table keys Pipenv turns into PEP 508 markers (``sys_platform = "== 'win32'"``)."""

VCS_KEYS = ("git", "hg", "svn", "bzr")


def read_pipfile(workspace: Workspace, path: Path) -> ManifestReading:
    """Packages of every category, and the Python version ``[requires]`` asks for."""
    reading = ManifestReading()
    rel = workspace.relative(path)
    loaded = read_toml(workspace, path, reading.errors)
    if loaded is None:
        return reading
    data, text = loaded
    locator = LineLocator(text)
    for category, packages in data.items():
        if category in SETTINGS_TABLES or not isinstance(packages, dict):
            continue
        scope: Scope = "runtime" if category == "packages" else "dev"
        for name, value in packages.items():
            line = _package_line(locator, category, name)
            found = _package(name, value, scope, rel, line)
            if isinstance(found, DetectionError):
                reading.errors.append(found)
            elif found is not None:
                reading.dependencies.append(found)
    requires = data.get("requires")
    if isinstance(requires, dict):
        _read_python(requires, locator, rel, reading)
    return reading


def _package(
    name: str, value: Any, scope: Scope, rel: str, line: int | None
) -> Dependency | DetectionError | None:
    if isinstance(value, str):
        return _versioned(name, value, [], None, scope, rel, line)
    if not isinstance(value, dict):
        message = f"package {name!r}: expected a version string or a table"
        return DetectionError(file=rel, line=line, message=message)
    extras = value.get("extras", [])
    if not (isinstance(extras, list) and all(isinstance(e, str) for e in extras)):
        message = f"package {name!r}: extras must be a list of strings"
        return DetectionError(file=rel, line=line, message=message)
    marker = _marker(name, value, rel, line)
    if isinstance(marker, DetectionError):
        return marker
    url = _source_url(value)
    if url == "":
        return None  # ``path = "."``: the project itself, installed editable
    if url is not None:
        extras_text = f"[{','.join(extras)}]" if extras else ""
        marker_text = f" ; {marker}" if marker else ""
        text = f"{name}{extras_text} @ {url}{marker_text}"
        return requirement_or_error(text, scope=scope, file=rel, line=line)
    version = value.get("version", "*")
    if not isinstance(version, str):
        message = f"package {name!r}: version must be a string"
        return DetectionError(file=rel, line=line, message=message)
    return _versioned(name, version, extras, marker, scope, rel, line)


def _versioned(
    name: str,
    version: str,
    extras: list[str],
    marker: Marker | None,
    scope: Scope,
    rel: str,
    line: int | None,
) -> Dependency | DetectionError:
    """``name[extras]<version>; marker`` through packaging; ``"*"`` means any version."""
    specifier = "" if version.strip() in ("*", "") else version.strip()
    if specifier and not _valid_specifier(specifier):
        message = f"package {name!r}: invalid version {version!r}"
        return DetectionError(file=rel, line=line, message=message)
    extras_text = f"[{','.join(extras)}]" if extras else ""
    marker_text = f" ; {marker}" if marker else ""
    text = f"{name}{extras_text}{specifier}{marker_text}"
    return requirement_or_error(text, scope=scope, file=rel, line=line)


def _marker(
    name: str, table: dict[str, Any], rel: str, line: int | None
) -> Marker | DetectionError | None:
    """``markers = "..."`` and marker keys (``sys_platform = "== 'win32'"``), joined by and."""
    parts: list[str] = []
    markers = table.get("markers")
    if isinstance(markers, str) and markers.strip():
        parts.append(f"({markers})")
    for key in MARKER_KEYS:
        condition = table.get(key)
        if isinstance(condition, str) and condition.strip():
            parts.append(f"{key} {condition}")
    if not parts:
        return None
    try:
        return Marker(" and ".join(parts))
    except InvalidMarker:
        return DetectionError(file=rel, line=line, message=f"package {name!r}: invalid markers")


def _source_url(table: dict[str, Any]) -> str | None:
    """The URL of a VCS, path or file source; '' for the project itself; None for PyPI."""
    for vcs in VCS_KEYS:
        url = table.get(vcs)
        if isinstance(url, str) and url:
            prefixed = url if url.startswith(f"{vcs}+") else f"{vcs}+{url}"
            ref = table.get("ref")
            return f"{prefixed}@{ref}" if isinstance(ref, str) and ref else prefixed
    for key in ("path", "file"):
        location = table.get(key)
        if isinstance(location, str) and location:
            return "" if location.rstrip("/") in (".", "") else location
    return None


def _read_python(
    requires: dict[str, Any], locator: LineLocator, rel: str, reading: ManifestReading
) -> None:
    for key, template in (("python_version", "=={}.*"), ("python_full_version", "=={}")):
        version = requires.get(key)
        if not isinstance(version, str):
            continue
        line = locator.key(key, start=locator.table("requires") or 1)
        specifier = template.format(version.strip())
        if not _valid_specifier(specifier):
            message = f"invalid {key} {version!r} in [requires]"
            reading.errors.append(DetectionError(file=rel, line=line, message=message))
            continue
        evidence = Evidence(file=rel, line=line, kind="pipfile-python", detail=version)
        reading.python.append(PythonConstraint(specifier=specifier, evidence=evidence))


def _valid_specifier(text: str) -> bool:
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return False
    return True


def _package_line(locator: LineLocator, category: str, name: str) -> int | None:
    """The key's line inside its category table, or a ``[category.name]`` sub-table header."""
    sub_table = locator.table(f"{category}.{name}")
    if sub_table is not None:
        return sub_table
    start = locator.table(category)
    if start is None:
        return None
    line = locator.key(name, start=start + 1)
    next_header = next(
        (n for n in range(start + 1, len(locator.lines) + 1) if _is_header(locator.lines[n - 1])),
        None,
    )
    if line is None or (next_header is not None and line > next_header):
        return start
    return line


def _is_header(line: str) -> bool:
    return line.lstrip().startswith("[")
