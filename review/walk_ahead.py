"""Walk the folders under review in a child process while this one imports the engine.

Walking a tree of a thousand files is mostly waiting on the file system (a ``scandir`` per
folder, a ``stat`` per file); importing the rules, the skills and detection is mostly Python
work. Done one after the other they are a tenth of a whole review of such a tree; a forked
child walks while the parent imports, and sends the walks back pickled. A thread would not do:
the importing thread holds the interpreter lock, and the walker waits for it after every
system call. Where there is no ``fork``, or anything goes wrong in the child, the parent walks
the folders itself, with the same result.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from pathlib import Path

from stackskills.detectors import forked
from stackskills.detectors.walk import Tree
from stackskills.review.files import walk_python_files

Walked = tuple[list[Path], Tree | None]


class WalksAhead:
    """``WalksAhead(folders)`` starts walking them; ``result()`` gives each one's walk.
    Used as a context manager, so a command that stops early still reaps the child."""

    def __init__(self, folders: Sequence[Path], *, fork: bool = True) -> None:
        self.folders = list(dict.fromkeys(folders))
        self._child: forked.Child | None = None
        if fork and self.folders and hasattr(os, "fork"):
            self._child = forked.start(lambda: pickle.dumps(self._walk_here()))

    def __enter__(self) -> WalksAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop a walk whose result is no longer wanted (a usage error came first)."""
        if self._child is not None:
            forked.abandon(self._child)
            self._child = None

    def result(self) -> dict[Path, Walked]:
        walked = self._from_child() if self._child is not None else None
        return walked if walked is not None else self._walk_here()

    def _walk_here(self) -> dict[Path, Walked]:
        return {folder: walk_python_files(folder) for folder in self.folders}

    def _from_child(self) -> dict[Path, Walked] | None:
        assert self._child is not None
        child, self._child = self._child, None
        try:
            data = forked.collect(child)
            walked = pickle.loads(data) if data else None  # our own child's bytes
        except Exception:  # a child killed mid-write, a walk that would not pickle
            return None
        return walked if isinstance(walked, dict) else None
