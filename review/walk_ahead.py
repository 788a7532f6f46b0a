"""Walk the folders under review in a child process while this one imports the engine.

Walking a tree of a thousand files is mostly waiting on the file system (a ``scandir`` per
folder, a ``stat`` per file); importing the rules, the skills and detection is mostly Python
work. Done one after the other they are a fifth of a whole review of such a tree; a forked
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

from stackskills.detectors.walk import Tree
from stackskills.review.files import walk_python_files

Walked = tuple[list[Path], Tree | None]


class WalksAhead:
    """``WalksAhead(folders)`` starts walking them; ``result()`` gives each one's walk.
    Used as a context manager, so a command that stops early still reaps the child."""

    def __init__(self, folders: Sequence[Path], *, fork: bool = True) -> None:
        self.folders = list(dict.fromkeys(folders))
        self._child: tuple[int, int] | None = None
        if fork and self.folders and hasattr(os, "fork"):
            self._child = _start(self.folders)

    def __enter__(self) -> WalksAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop a walk whose result is no longer wanted (a usage error came first)."""
        if self._child is not None:
            pid, reading = self._child
            self._child = None
            os.close(reading)  # a child still writing gets EPIPE and leaves
            os.waitpid(pid, 0)

    def result(self) -> dict[Path, Walked]:
        walked = self._collect() if self._child is not None else None
        if walked is None:
            walked = {folder: walk_python_files(folder) for folder in self.folders}
        return walked

    def _collect(self) -> dict[Path, Walked] | None:
        assert self._child is not None
        pid, reading = self._child
        self._child = None
        try:
            with os.fdopen(reading, "rb") as pipe:
                data = pipe.read()
            walked = pickle.loads(data) if data else None  # our own child's bytes
        except Exception:  # a child killed mid-write, a walk that would not pickle
            walked = None
        finally:
            os.waitpid(pid, 0)
        return walked if isinstance(walked, dict) else None


def _start(folders: list[Path]) -> tuple[int, int] | None:
    try:
        reading, writing = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:  # the child: walk, write, and leave without running the parent's exit code
        status = 1
        try:
            os.close(reading)
            data = pickle.dumps({folder: walk_python_files(folder) for folder in folders})
            with os.fdopen(writing, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    return pid, reading
