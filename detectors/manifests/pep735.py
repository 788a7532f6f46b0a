"""``[dependency-groups]`` (PEP 735): named lists of requirements, able to include each other.

A group's requirements are its own strings plus those of every group it includes; an
included requirement keeps the line it is written on and takes the including group's
scope. Group names compare normalised, as the PEP says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from stackskills.detectors.manifests.parsed_pyproject import ParsedPyproject, describe, label
from stackskills.detectors.manifests.scopes import scope_for_group
from stackskills.detectors.models import Dependency, ManifestReading
from stackskills.detectors.names import normalise
from stackskills.detectors.toml_source import LineLocator

GROUPS = ("dependency-groups",)


@dataclass(frozen=True)
class _Include:
    group: str
    line: int | None


@dataclass
class _Group:
    name: str
    own: list[Dependency] = field(default_factory=list)
    includes: list[_Include] = field(default_factory=list)


def read(data: dict[str, Any], lines: LineLocator, rel: str) -> ManifestReading:
    """Every group's requirements, includes expanded, scoped by ``scope_for_group``."""
    document = ParsedPyproject(data, lines, rel)
    groups = _own_entries(document)
    expanded: dict[str, list[Dependency]] = {}
    found: list[Dependency] = []
    for key, group in groups.items():
        scope = scope_for_group(group.name)
        found += [replace(dep, scope=scope) for dep in _expand(key, groups, expanded, (), document)]
    document.reading.dependencies = list(dict.fromkeys(found))  # an include repeats records
    return document.reading


def _own_entries(document: ParsedPyproject) -> dict[str, _Group]:
    """Each group's own requirements and includes, by normalised name; bad entries reported."""
    table = document.table(GROUPS) or {}
    groups: dict[str, _Group] = {}
    for name, entries in table.items():
        path = (*GROUPS, name)
        key = normalise(name)
        if key in groups:
            message = f"{label(path)}: same group as {groups[key].name!r} once names are normalised"
            document.error(message, document.line(path))
            continue
        group = groups[key] = _Group(name)
        if not isinstance(entries, list):
            document.wrong_type(path, entries, "an array")
            continue
        cursor = document.cursor(path)
        for index, entry in enumerate(entries):
            if isinstance(entry, str):
                line = cursor.find(entry)
                dependency = document.requirement(entry, line, path, "dev")
                if dependency is not None:
                    group.own.append(dependency)
            elif isinstance(entry, dict) and set(entry) == {"include-group"}:
                included = entry["include-group"]
                line = cursor.find(included) if isinstance(included, str) else cursor.start
                if isinstance(included, str):
                    group.includes.append(_Include(included, line))
                else:
                    message = f"{label(path)}[{index}]: include-group must be a string"
                    document.error(f"{message}, not {describe(included)}", line)
            else:
                message = f"{label(path)}[{index}] must be a requirement string or a table"
                message += " with only include-group"
                document.error(f"{message}, not {_entry_shape(entry)}", cursor.start)
    return groups


def _expand(
    key: str,
    groups: dict[str, _Group],
    expanded: dict[str, list[Dependency]],
    chain: tuple[str, ...],
    document: ParsedPyproject,
) -> list[Dependency]:
    """The group's own requirements followed by its includes', each listed once."""
    if key in expanded:
        return expanded[key]
    group = groups[key]
    found = list(group.own)
    for include in group.includes:
        target = normalise(include.group)
        path = (*GROUPS, group.name)
        if target not in groups:
            document.error(f"{label(path)}: includes unknown group {include.group!r}", include.line)
        elif target in (*chain, key):
            walked = (*chain, key)
            loop = (*walked[walked.index(target) :], target)
            cycle = " -> ".join(groups[name].name for name in loop)
            document.error(f"{label(path)}: include-group cycle {cycle}", include.line)
        else:
            found.extend(_expand(target, groups, expanded, (*chain, key), document))
    unique = list(dict.fromkeys(found))
    expanded[key] = unique
    return unique


def _entry_shape(entry: object) -> str:
    if isinstance(entry, dict):
        keys = ", ".join(sorted(str(key) for key in entry)) or "no keys"
        return f"a table with {keys}"
    return describe(entry)
