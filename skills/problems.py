"""A problem found in a skill folder, reported as ``file:line: message``.

Loading and validation return problems as values so that one bad section never hides the
others and the CLI can print them all before exiting 1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class SkillProblem:
    file: str
    line: int | None = None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"
