"""What the CLI does differently for a person at a terminal: colour (never with NO_COLOR or
when piped), a progress counter on stderr for long runs, and --quiet for notes and warnings.
Machine output (JSON, SARIF, exit codes) never depends on any of this."""

from __future__ import annotations

import os
import sys
from typing import TextIO

QUIET = False
"""Set by ``--quiet``: notes, warnings and progress on stderr are not printed."""


def colour_enabled(stream: TextIO) -> bool:
    """Colour only on a terminal that can show it; never with NO_COLOR set (no-color.org)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, code: str, stream: TextIO) -> str:
    return f"\033[{code}m{text}\033[0m" if colour_enabled(stream) else text


def notify(message: str) -> None:
    """A note or warning for the person: stderr, unless --quiet."""
    if not QUIET:
        print(message, file=sys.stderr)


class Progress:
    """``label 12/300`` rewritten in place on a terminal's stderr, erased by ``close``; silent
    when stderr is not a terminal, under --quiet, or for fewer than ``minimum`` items."""

    def __init__(self, label: str, total: int, *, minimum: int = 50) -> None:
        stream = sys.stderr
        self.label, self.total, self.done = label, total, 0
        self.active = not QUIET and total >= minimum and bool(stream.isatty())

    def step(self) -> None:
        self.done += 1
        if self.active and (self.done == self.total or self.done % 10 == 1):
            sys.stderr.write(f"\r{self.label} {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.active:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
