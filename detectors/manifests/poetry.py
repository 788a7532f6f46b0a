"""``[tool.poetry]``: Poetry's dependency tables, its constraints turned into PEP 440.

Poetry writes ``^1.2``, ``~1.2``, ``1.2.*`` and ``||`` where PEP 440 has only comparisons;
each becomes a PEP 440 specifier so every reader hands on the same kind of record. A
dependency given as an array of tables (one constraint per Python or platform) becomes one
``Dependency`` per table: the tables hold for different markers, and merging them would
need the "or" PEP 440 lacks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import Version

from stackskills.detectors.manifests.parsed_pyproject import ParsedPyproject, describe, label
from stackskills.detectors.manifests.scopes import scope_for_group
from stackskills.detectors.models import (
    Evidence,
    ManifestReading,
    PythonConstraint,
    Scope,
)
from stackskills.detectors.toml_source import LineLocator

POETRY = ("tool", "poetry")
_TEXT_FIELDS = ("version", "markers", "python", "platform", "git", "path", "url")
_GIT_REFS = ("rev", "tag", "branch")
_ALTERNATIVES = re.compile(r"\s*\|\|?\s*")
_VERSION_TEXT = r"[^\s,|<>=!~^]+(?:!(?!=)[^\s,|<>=!~^]+)?"  # ``!`` only as an epoch mark
_TERM = re.compile(rf"(===|==|!=|<>|<=|>=|~=|<|>|=|\^|~)?\s*({_VERSION_TEXT})")
_ANY_VERSION = re.compile(r"v?[xX*](\.[xX*])*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def read(data: dict[str, Any], lines: LineLocator, rel: str) -> ManifestReading:
    """Name, main dependencies, ``python``, groups and legacy ``dev-dependencies``."""
    document = ParsedPyproject(data, lines, rel)
    if document.table(POETRY) is None:
        return document.reading
    document.reading.project_name = document.project_name((*POETRY, "name"))
    _read_dependencies(document, (*POETRY, "dependencies"), "runtime", main=True)
    _read_dependencies(document, (*POETRY, "dev-dependencies"), "dev")
    for group in document.table((*POETRY, "group")) or {}:
        if document.table((*POETRY, "group", group)) is not None:
            path = (*POETRY, "group", group, "dependencies")
            _read_dependencies(document, path, scope_for_group(group))
    return document.reading


def poetry_constraint_to_pep440(text: str) -> str:
    """A Poetry version constraint as a PEP 440 specifier (``''`` for any version).

    ``^1.2.3`` -> ``>=1.2.3,<2.0.0``, ``~1.2`` -> ``>=1.2,<1.3``, ``1.2.*`` -> ``==1.2.*``,
    bare ``1.2.3`` -> ``==1.2.3``; terms split by commas or spaces all apply. ``a || b``
    becomes the range from the lowest lower bound to the highest upper bound of the
    alternatives (``^2.0 || ^3.0`` -> ``>=2.0,<4.0``), dropping their ``!=`` exclusions.
    Raises ``ValueError`` naming the part that is not a Poetry constraint.
    """
    stripped = text.strip()
    if stripped in ("", "*"):
        return ""
    alternatives = [_all_of(part, text) for part in _ALTERNATIVES.split(stripped)]
    if len(alternatives) == 1:
        return ",".join(alternatives[0])
    return _union_bounds(alternatives)


# --- reading ----------------------------------------------------------------------------


def _read_dependencies(
    document: ParsedPyproject, path: tuple[str, ...], scope: Scope, *, main: bool = False
) -> None:
    for name, value in (document.table(path) or {}).items():
        entry_path = (*path, name)
        if name.lower() == "python":
            if main:
                _read_python(document, entry_path, value)
            continue
        if not isinstance(value, list):
            _add_dependency(document, entry_path, value, scope, document.line(entry_path))
            continue
        cursor = document.cursor(entry_path)
        for entry in value:
            version = entry.get("version") if isinstance(entry, dict) else entry
            line = cursor.find(version) if isinstance(version, str) else cursor.start
            _add_dependency(document, entry_path, entry, scope, line)


def _read_python(document: ParsedPyproject, path: tuple[str, ...], value: object) -> None:
    line = document.line(path)
    if not isinstance(value, str):
        document.error(f"{label(path)} must be a version string, not {describe(value)}", line)
        return
    try:
        specifier = poetry_constraint_to_pep440(value)
    except ValueError as exc:
        document.error(f"{label(path)}: {exc}", line)
        return
    if specifier:
        evidence = Evidence(file=document.rel, line=line, kind="poetry-python", detail=value)
        document.reading.python.append(PythonConstraint(str(SpecifierSet(specifier)), evidence))


@dataclass(frozen=True)
class _Entry:
    """One dependency entry's fields, checked for type."""

    text: dict[str, str]
    extras: tuple[str, ...]
    optional: bool


def _add_dependency(
    document: ParsedPyproject, path: tuple[str, ...], value: object, scope: Scope, line: int | None
) -> None:
    """One entry (a version string or a table) as a ``Dependency``; problems reported."""
    name = path[-1]
    if isinstance(value, str):
        value = {"version": value}
        written = f"{_key(name)} = {_inline(value['version'])}"
    elif isinstance(value, dict):
        written = f"{_key(name)} = {_inline(value)}"
    else:
        expected = "a version string, a table or an array of tables"
        document.error(f"{label(path)} must be {expected}, not {describe(value)}", line)
        return
    entry = _checked_entry(document, path, value, line)
    if entry is None:
        return
    try:
        requirement = _requirement_text(name, entry)
    except ValueError as exc:
        document.error(f"{label(path)}: {exc}", line)
        return
    if entry.optional and scope == "runtime":
        scope = "optional"
    dependency = document.requirement(requirement, line, path, scope, written=written)
    if dependency is not None:
        document.reading.dependencies.append(dependency)


def _checked_entry(
    document: ParsedPyproject, path: tuple[str, ...], table: dict[str, Any], line: int | None
) -> _Entry | None:
    problems: list[str] = []
    text: dict[str, str] = {}
    for field in (*_TEXT_FIELDS, *_GIT_REFS):
        value = table.get(field)
        if isinstance(value, str):
            text[field] = value
        elif value is not None:
            problems.append(f"{field} must be a string, not {describe(value)}")
    extras = table.get("extras", [])
    if not isinstance(extras, list) or not all(isinstance(extra, str) for extra in extras):
        problems.append(f"extras must be an array of strings, not {_shape(extras)}")
    optional = table.get("optional", False)
    if not isinstance(optional, bool):
        problems.append(f"optional must be true or false, not {describe(optional)}")
    if problems:
        document.error(f"{label(path)}: {'; '.join(problems)}", line)
        return None
    return _Entry(text, tuple(extras), optional)


def _requirement_text(name: str, entry: _Entry) -> str:
    """A PEP 508 string saying what the entry says; ``ValueError`` for a bad constraint."""
    fields = entry.text
    extras = f"[{','.join(entry.extras)}]" if entry.extras else ""
    url = _direct_url(fields)
    target = f" @ {url}" if url else poetry_constraint_to_pep440(fields.get("version", ""))
    markers = [fields["markers"]] if fields.get("markers", "").strip() else []
    if "python" in fields:
        python = _python_marker(fields["python"])
        markers += [python] if python else []
    if fields.get("platform"):
        markers.append(f"sys_platform == {json.dumps(fields['platform'])}")
    if len(markers) > 1:
        markers = [" and ".join(f"({marker})" for marker in markers)]
    return f"{name}{extras}{target}" + (f" ; {markers[0]}" if markers else "")


def _direct_url(fields: dict[str, str]) -> str | None:
    if "git" in fields:
        url = fields["git"] if fields["git"].startswith("git+") else f"git+{fields['git']}"
        ref = next((fields[key] for key in _GIT_REFS if key in fields), None)
        return f"{url}@{ref}" if ref else url
    return fields.get("url") or fields.get("path")


def _python_marker(constraint: str) -> str:
    """``python = "<3.10"`` on a dependency as the marker ``python_version < "3.10"``."""
    terms = []
    for text in filter(None, poetry_constraint_to_pep440(constraint).split(",")):
        specifier = Specifier(text)
        parts = specifier.version.removesuffix(".*").split(".")
        variable = "python_full_version" if len(parts) > 2 else "python_version"
        terms.append(f"{variable} {specifier.operator} {json.dumps(specifier.version)}")
    return " and ".join(terms)


# --- constraint conversion -------------------------------------------------------------


def _all_of(part: str, whole: str) -> list[str]:
    """The PEP 440 specifiers of terms joined by commas or spaces (all must hold)."""
    part = part.rstrip(",").strip()
    if not part:
        raise ValueError(f"empty alternative in {whole!r}")
    specifiers: list[str] = []
    position = 0
    while position < len(part):
        if part[position] in ", \t":
            position += 1
            continue
        term = _TERM.match(part, position)
        if term is None:
            raise ValueError(f"{part[position:]!r} is not a version constraint")
        try:
            specifiers += _one_term(term.group(1) or "", term.group(2))
        except ValueError:
            raise ValueError(f"{term.group(0)!r} is not a valid version constraint") from None
        position = term.end()
    return specifiers


def _one_term(operator: str, version: str) -> list[str]:
    if _ANY_VERSION.fullmatch(version) and operator in ("", "=", "=="):
        return []
    if operator == "^":
        return _range(version, _caret_index)
    if operator == "~":
        return _range(version, lambda release: 0 if len(release) == 1 else 1)
    version = version[1:] if version[:1] in ("v", "V") else version
    if operator == "~=" and len(Version(version).release) == 1:
        return _range(version, lambda release: 1)  # Poetry reads ``~=1`` as ``>=1,<1.1``
    if version.endswith(".*") and operator not in ("", "=", "==", "!="):
        version = version.removesuffix(".*")  # ``>=3.5.*``: Poetry ignores the wildcard
    operator = {"": "==", "=": "==", "<>": "!="}.get(operator, operator)
    specifier = f"{operator}{version}"
    Specifier(specifier)  # ``InvalidSpecifier`` is a ``ValueError``
    return [specifier]


def _caret_index(release: tuple[int, ...]) -> int:
    """The release part ``^`` may not raise: the first non-zero one (``^0.0`` -> minor)."""
    if release[0] > 0 or len(release) == 1:
        return 0
    if release[1] > 0 or len(release) == 2:
        return 1
    return 2


def _range(text: str, bump: Callable[[tuple[int, ...]], int]) -> list[str]:
    lower = Version(text)  # ``InvalidVersion`` is a ``ValueError``
    return [f">={lower}", f"<{_next_version(lower, bump(lower.release))}"]


def _next_version(version: Version, index: int) -> Version:
    """The release with part ``index`` raised by one and the parts after it zeroed."""
    release = version.release + (0,) * (index + 1 - len(version.release))
    raised = (*release[:index], release[index] + 1, *(0 for _ in release[index + 1 :]))
    epoch = f"{version.epoch}!" if version.epoch else ""
    return Version(epoch + ".".join(str(part) for part in raised))


@dataclass(frozen=True)
class _Bound:
    version: Version
    inclusive: bool

    def as_lower(self) -> tuple[Version, bool]:
        """Sort key: at one version an exclusive lower bound admits less."""
        return self.version, not self.inclusive

    def as_upper(self) -> tuple[Version, bool]:
        """Sort key: at one version an inclusive upper bound admits more."""
        return self.version, self.inclusive


def _union_bounds(alternatives: list[list[str]]) -> str:
    """The smallest single range holding every alternative (PEP 440 has no "or")."""
    ranges = [_range_of(specifiers) for specifiers in alternatives]
    lowers = [low for low, _ in ranges if low is not None]
    uppers = [high for _, high in ranges if high is not None]
    result = []
    if len(lowers) == len(ranges):
        low = min(lowers, key=_Bound.as_lower)
        result.append(f"{'>=' if low.inclusive else '>'}{low.version}")
    if len(uppers) == len(ranges):
        high = max(uppers, key=_Bound.as_upper)
        result.append(f"{'<=' if high.inclusive else '<'}{high.version}")
    return ",".join(result)


def _range_of(specifiers: list[str]) -> tuple[_Bound | None, _Bound | None]:
    """The tightest lower and upper bound of one alternative (``None``: unbounded)."""
    lows: list[_Bound] = []
    highs: list[_Bound] = []
    for text in specifiers:
        low, high = _bounds_of(Specifier(text))
        lows += [low] if low else []
        highs += [high] if high else []
    lower = max(lows, key=_Bound.as_lower) if lows else None
    upper = min(highs, key=_Bound.as_upper) if highs else None
    return lower, upper


def _bounds_of(specifier: Specifier) -> tuple[_Bound | None, _Bound | None]:
    operator, text = specifier.operator, specifier.version
    if operator == "==" and text.endswith(".*"):
        base = Version(text[:-2])
        return _Bound(base, True), _Bound(_next_version(base, len(base.release) - 1), False)
    if operator == "~=":
        base = Version(text)
        return _Bound(base, True), _Bound(_next_version(base, len(base.release) - 2), False)
    if operator in (">=", ">"):
        return _Bound(Version(text), operator == ">="), None
    if operator in ("<=", "<"):
        return None, _Bound(Version(text), operator == "<=")
    if operator == "==":
        return _Bound(Version(text), True), _Bound(Version(text), True)
    return None, None  # ``!=`` and ``===`` bound nothing comparable


# --- rendering the entry as written -----------------------------------------------------


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name)


def _inline(value: object) -> str:
    """A parsed TOML value written back in inline form, for evidence details."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(str(k))} = {_inline(v)}" for k, v in value.items()) + "}"
    try:
        return str(value)
    except ValueError:  # TOML reads 0xfff... of any length; Python prints 4,300 digits at most
        return hex(value) if isinstance(value, int) else "..."


def _shape(value: object) -> str:
    if isinstance(value, list):
        return "an array with " + ", ".join(sorted({describe(item) for item in value}))
    return describe(value)
