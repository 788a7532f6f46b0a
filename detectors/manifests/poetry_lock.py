"""``poetry.lock``: the exact version of every package Poetry resolved.

The ``[[package]]`` tables of ``poetry.lock``, ``pdm.lock`` and ``uv.lock`` share one shape
(``name`` and ``version`` keys), so the reading of that array lives here and the PDM and uv
readers call it. ``[metadata] python-versions`` is not reported: it repeats the
``pyproject.toml`` constraint, which the pyproject reader already gives.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from stackskills.detectors.models import DetectionError, Evidence, LockedVersion, ManifestReading
from stackskills.detectors.names import normalise
from stackskills.detectors.source import Workspace
from stackskills.detectors.toml_source import LineLocator, read_toml

LOCKFILE_KIND = "lockfile"

_PACKAGE_HEADER = re.compile(r"^\s*\[\[\s*package\s*\]\]\s*(#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*[A-Za-z0-9_\-.\"' ]+\]\]?\s*(#.*)?$")
_VERSION_KEY = re.compile(r"""^\s*["']?version["']?\s*=""")
_INLINE_VERSION_KEY = re.compile(r"""(?:^|[\s{,])["']?version["']?\s*=""")


def read_poetry_lock(workspace: Workspace, path: Path) -> ManifestReading:
    """Every ``[[package]]`` of a ``poetry.lock`` as a ``LockedVersion``."""
    reading = ManifestReading()
    loaded = read_toml(workspace, path, reading.errors)
    if loaded is not None:
        data, text = loaded
        locked, errors = locked_packages(data, text, workspace.relative(path))
        reading.locked.extend(locked)
        reading.errors.extend(errors)
    return reading


def locked_packages(
    data: dict[str, Any], text: str, rel: str, *, skip_versionless: bool = False
) -> tuple[list[LockedVersion], list[DetectionError]]:
    """The ``[[package]]`` array of a parsed lock file, with the line of each version.

    A package without ``version`` is an error unless ``skip_versionless`` (uv's dynamic
    workspace members). A package listed twice with the same version (PDM repeats one
    per set of extras) is reported once; the same name at two versions (markers forked
    the resolution) is reported twice.
    """
    packages = data.get("package")
    if packages is None:
        return [], []
    locator = LineLocator(text)
    if not isinstance(packages, list):
        line = locator.key("package")
        return [], [DetectionError(file=rel, line=line, message="'package' is not an array")]
    headers = _package_header_lines(locator.lines)
    use_headers = len(headers) == len(packages)
    locked: list[LockedVersion] = []
    errors: list[DetectionError] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(packages):
        header = headers[index] if use_headers else None
        where = f"package #{index + 1}"
        if not isinstance(entry, dict):
            errors.append(DetectionError(file=rel, line=header, message=f"{where} is not a table"))
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            text_or_absent = name is None or isinstance(name, str)
            message = f"{where} has no name" if text_or_absent else f"{where} has a non-text name"
            errors.append(DetectionError(file=rel, line=header, message=message))
            continue
        version = entry.get("version")
        if version is None and skip_versionless:
            continue
        line = _version_line(locator, header, name)
        if not isinstance(version, str) or not version.strip():
            if version is None or isinstance(version, str):
                message = f"package {name!r} has no version"
            else:
                message = f"package {name!r} has a version that is not text: {_shown(version)}"
            errors.append(DetectionError(file=rel, line=line, message=message))
            continue
        version = version.strip()
        key = (normalise(name), version)
        if key in seen:
            continue
        seen.add(key)
        evidence = Evidence(file=rel, line=line, kind=LOCKFILE_KIND, detail=version)
        locked.append(LockedVersion(name=key[0], version=version, evidence=evidence))
    return locked, errors


def _shown(value: object) -> str:
    """``repr`` of a parsed value, cut to a line. A hex integer of 5,000 digits parses as
    TOML but has no decimal ``repr`` (Python refuses to print it): reporting one raised."""
    try:
        text = repr(value)
    except ValueError:
        return "a number too large to print"
    return text if len(text) <= 60 else text[:57] + "..."


def _package_header_lines(lines: list[str]) -> list[int]:
    return [number for number, raw in enumerate(lines, start=1) if _PACKAGE_HEADER.match(raw)]


def _version_line(locator: LineLocator, header: int | None, name: str) -> int | None:
    """The ``version =`` line of a package's own table (before its sub-tables)."""
    if header is None:
        # Inline ``package = [{...}]`` form: the version follows the quoted name.
        found = locator.find(f'"{name}"') or locator.find(f"'{name}'")
        if found is None:
            return None
        for number in range(found, len(locator.lines) + 1):
            if _INLINE_VERSION_KEY.search(locator.lines[number - 1]):
                return number
        return found
    for number in range(header + 1, len(locator.lines) + 1):
        raw = locator.lines[number - 1]
        if _VERSION_KEY.match(raw):
            return number
        if _TABLE_HEADER.match(raw):
            break
    return header
