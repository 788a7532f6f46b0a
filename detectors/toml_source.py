"""TOML parsing that reports errors with a line, and finds the line of a value.

``tomllib`` returns plain dicts without positions, so evidence lines are recovered from
the raw text: the line of a table header, then the first line after it that mentions the
key or the quoted value.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from stackskills.detectors.models import DetectionError
from stackskills.detectors.source import Workspace, physical_lines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_AT_LINE = re.compile(r"at line (\d+)")


def parse_toml(text: str, rel: str) -> tuple[dict[str, Any] | None, DetectionError | None]:
    """Parse TOML; on failure return an error naming the line the parser gave up at."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        if found:
            line: int | None = int(found.group(1))
        elif "end of document" in str(exc):
            line = max(text.count("\n"), 1)
        else:
            line = None
        message = str(exc).split(" (at ")[0]
        return None, DetectionError(file=rel, line=line, message=f"invalid TOML: {message}")
    except RecursionError:
        return None, DetectionError(file=rel, message="invalid TOML: nested too deeply")
    except ValueError as exc:  # an integer of over 4,300 digits (a lock "claiming" a size)
        return None, DetectionError(file=rel, message=f"invalid TOML: {_first_clause(exc)}")


def _first_clause(exc: ValueError) -> str:
    """Python's int-size message up to its advice (``sys.set_int_max_str_digits``)."""
    return str(exc).split(";", 1)[0]


def read_toml(
    workspace: Workspace, path: Path, errors: list[DetectionError]
) -> tuple[dict[str, Any], str] | None:
    """The parsed TOML and its text, or ``None`` after appending why it could not be read."""
    text = workspace.read_or_report(path, errors)
    if text is None:
        return None
    rel = workspace.relative(path)
    data, error = parse_toml(text, rel)
    if data is None:
        errors.append(error or DetectionError(file=rel, message="invalid TOML"))
        return None
    return data, text


class LineLocator:
    """Finds the 1-based line where a table, key or value appears in a text file."""

    def __init__(self, text: str) -> None:
        self.lines = physical_lines(text)  # not splitlines: U+2028 may sit in a string
        self._headers: dict[str, int] | None = None

    def table(self, dotted: str) -> int | None:
        """Line of ``[dotted]`` or ``[[dotted]]`` (first occurrence), if present."""
        if self._headers is None:
            self._headers = {}
            for number, raw in enumerate(self.lines, start=1):
                stripped = raw.strip()
                if stripped.startswith("[") and "]" in stripped:
                    name = stripped.strip("[").split("]")[0]
                    key = _normalise_key(name)
                    self._headers.setdefault(key, number)
        return self._headers.get(_normalise_key(dotted))

    def find(self, needle: str, start: int = 1) -> int | None:
        """First line at or after ``start`` containing ``needle``."""
        for number in range(max(start, 1), len(self.lines) + 1):
            if needle in self.lines[number - 1]:
                return number
        return None

    def value(self, value: str, table: str | None = None, key: str | None = None) -> int | None:
        """Best line for a string value, searched after the table header if given.

        Tries the quoted value, then ``key =``, then the header itself.
        """
        start = (self.table(table) or 1) if table else 1
        for quote in ('"', "'"):
            line = self.find(f"{quote}{value}{quote}", start)
            if line:
                return line
        if key:
            line = self.key(key, start)
            if line:
                return line
        return self.table(table) if table else None

    def key(self, key: str, start: int = 1) -> int | None:
        """First line at or after ``start`` assigning ``key`` (bare or quoted)."""
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", re.IGNORECASE)
        for number in range(max(start, 1), len(self.lines) + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return None


def _normalise_key(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))
