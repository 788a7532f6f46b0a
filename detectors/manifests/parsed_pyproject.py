"""A parsed ``pyproject.toml`` as every dialect reader sees it.

``tomllib`` hands back untyped dicts without positions, and every dialect needs the same
three things: a table that may turn out to be a string (report it, never crash), the line
a key is written on, and the line of each string in an array (searched in order, so the
same requirement in two groups or twice on one line gets its own position).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from packaging.utils import InvalidName, canonicalize_name

from stackskills.detectors.models import (
    Dependency,
    DetectionError,
    Evidence,
    ManifestReading,
    Scope,
)
from stackskills.detectors.requirement_strings import requirement_or_error
from stackskills.detectors.toml_source import LineLocator

KeyPath = Sequence[str]
"""Keys from the document root down to a value: ``("tool", "poetry", "dependencies")``."""

_HEADER = re.compile(r"^\s*\[\[?\s*[A-Za-z0-9_\-.\"' ]+\]\]?\s*(#.*)?$")
_KEY_PART = re.compile(r"""\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*""")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ParsedPyproject:
    """The parsed document, its lines, and the reading one dialect reader fills in."""

    def __init__(self, data: dict[str, Any], lines: LineLocator, rel: str) -> None:
        self.data = data
        self.lines = lines
        self.rel = rel
        self.reading = ManifestReading()

    # --- values -------------------------------------------------------------------------

    def get(self, path: KeyPath) -> object:
        """The value at ``path``, or ``None`` when absent or under a non-table (reported)."""
        current: object = self.data
        for depth, key in enumerate(path):
            if not isinstance(current, dict):
                self.wrong_type(path[:depth], current, "a table")
                return None
            if key not in current:
                return None
            current = current[key]
        return current

    def table(self, path: KeyPath) -> dict[str, Any] | None:
        """The table at ``path``; ``None`` when absent or of another type (reported)."""
        value = self.get(path)
        if value is None or isinstance(value, dict):
            return value
        self.wrong_type(path, value, "a table")
        return None

    def string(self, path: KeyPath) -> str | None:
        """The string at ``path``; ``None`` when absent or of another type (reported)."""
        value = self.get(path)
        if value is None or isinstance(value, str):
            return value
        self.wrong_type(path, value, "a string")
        return None

    def project_name(self, path: KeyPath) -> str | None:
        """The normalised distribution name at ``path`` (``[project] name``...), if valid."""
        name = self.string(path)
        if name is None:
            return None
        try:
            return str(canonicalize_name(name, validate=True))
        except InvalidName:
            self.error(f"{label(path)}: {name!r} is not a valid project name", self.line(path))
            return None

    def strings(self, path: KeyPath) -> list[tuple[str, int | None]]:
        """The strings of the array at ``path`` with their lines; other items are reported."""
        value = self.get(path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.wrong_type(path, value, "an array of strings")
            return []
        cursor = self.cursor(path)
        found: list[tuple[str, int | None]] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                found.append((item, cursor.find(item)))
            else:
                message = f"{label(path)}[{index}] must be a string, not {describe(item)}"
                self.error(message, cursor.start)
        return found

    # --- lines --------------------------------------------------------------------------

    def line(self, path: KeyPath) -> int | None:
        """Best line for the key at ``path``: its own line, else its nearest table's header."""
        for cut in range(len(path), 0, -1):
            header = self.lines.table(".".join(_quoted(key) for key in path[:cut]))
            if header is not None:
                return self._key_line(path[cut:], header + 1) or header
        return self._key_line(path, 1)

    def cursor(self, path: KeyPath) -> StringCursor:
        """A cursor over the strings written after the key at ``path``."""
        return StringCursor(self.lines.lines, self.line(path))

    def _key_line(self, keys: KeyPath, start: int) -> int | None:
        """First line from ``start`` to the next header whose dotted key leads to ``keys``."""
        if not keys:
            return None
        for number in range(start, len(self.lines.lines) + 1):
            text = self.lines.lines[number - 1]
            if _HEADER.match(text):
                return None
            written = dotted_key(text)
            if written and _same_prefix(written, keys):
                return number
        return None

    # --- results ------------------------------------------------------------------------

    def error(self, message: str, line: int | None) -> None:
        """Record a problem once (two look-ups of one bad table report it once)."""
        error = DetectionError(file=self.rel, line=line, message=message)
        if error not in self.reading.errors:
            self.reading.errors.append(error)

    def wrong_type(self, path: KeyPath, value: object, expected: str) -> None:
        self.error(f"{label(path)} must be {expected}, not {describe(value)}", self.line(path))

    def add_requirements(
        self,
        path: KeyPath,
        scope: Scope,
        *,
        kind: str = "requirement",
        constraint_only: bool = False,
    ) -> None:
        """Every PEP 508 string of the array at ``path`` as a ``Dependency``."""
        for text, line in self.strings(path):
            dependency = self.requirement(
                text, line, path, scope, kind=kind, constraint_only=constraint_only
            )
            if dependency is not None:
                self.reading.dependencies.append(dependency)

    def requirement(
        self,
        text: str,
        line: int | None,
        path: KeyPath,
        scope: Scope,
        *,
        kind: str = "requirement",
        constraint_only: bool = False,
        written: str | None = None,
    ) -> Dependency | None:
        """One PEP 508 string as a ``Dependency``, or ``None`` after reporting why not.

        ``written`` replaces the evidence detail when the file did not say it in PEP 508.
        """
        parsed = requirement_or_error(
            text,
            scope=scope,
            file=self.rel,
            line=line,
            kind=kind,
            constraint_only=constraint_only,
        )
        if isinstance(parsed, DetectionError):
            self.error(f"{label(path)}: {parsed.message}", line)
            return None
        if written is not None:
            evidence = Evidence(file=self.rel, line=line, kind=kind, detail=written)
            return replace(parsed, evidence=evidence)
        return parsed


class StringCursor:
    """Finds quoted strings in order, from just after a key's ``=`` onwards.

    A string whose written form differs from its value (escapes, multi-line strings) is
    not found; it then gets the key's line, and the cursor does not move.
    """

    def __init__(self, lines: list[str], start: int | None) -> None:
        self.lines = lines
        self.start = start
        self._line = start or 0
        self._column = 0
        if start is not None and "=" in lines[start - 1]:
            self._column = lines[start - 1].index("=") + 1

    def find(self, value: str) -> int | None:
        if self.start is None:
            return None
        for needle in _written_forms(value):
            found = self._search(needle)
            if found is not None:
                self._line, self._column = found[0], found[1] + len(needle)
                return found[0]
        return self.start

    def _search(self, needle: str) -> tuple[int, int] | None:
        column = self._column
        for number in range(self._line, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number > self._line and _HEADER.match(text):
                return None
            if not text.lstrip().startswith("#"):
                position = text.find(needle, column)
                if position >= 0:
                    return number, position
            column = 0
        return None


def dotted_key(text: str) -> list[str] | None:
    """The keys of a ``a.b."c" = ...`` line, or ``None`` when the line assigns nothing."""
    keys: list[str] = []
    position = 0
    while True:
        part = _KEY_PART.match(text, position)
        if part is None or not part.group(0).strip():
            return None
        keys.append(next(group for group in part.groups() if group is not None))
        position = part.end()
        if text.startswith("=", position):
            return keys
        if not text.startswith(".", position):
            return None
        position += 1


def label(path: KeyPath) -> str:
    """The dotted TOML path of a value, as error messages show it."""
    return ".".join(_quoted(key) for key in path)


def describe(value: object) -> str:
    """The TOML type of a parsed value, with its article: ``a string``, ``an array``."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (date, datetime, time)):
        return "a date or time"
    return type(value).__name__


def _same_prefix(written: list[str], wanted: KeyPath) -> bool:
    common = min(len(written), len(wanted))
    return list(written[:common]) == list(wanted[:common])


def _quoted(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else f'"{key}"'


def _written_forms(value: str) -> list[str]:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    forms = [f'"{value}"', f"'{value}'"]
    if escaped != value:
        forms.append(f'"{escaped}"')
    return forms
