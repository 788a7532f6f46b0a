"""What the hardening tests share: a record of every file the interpreter opens or lists, to
prove that nothing outside a workspace was read (not only that nothing of it was printed)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

RecordOpened = Callable[[], AbstractContextManager[list[str]]]


class _Recorder:
    """One audit hook for the whole session (a hook cannot be removed); it records only
    while a ``with record_opened()`` block is running, and costs one check otherwise."""

    installed = False
    paths: list[str] | None = None

    @classmethod
    def hook(cls, event: str, args: tuple[Any, ...]) -> None:
        paths = cls.paths
        if paths is None or event not in ("open", "os.scandir", "os.listdir"):
            return
        target = args[0] if args else None
        if isinstance(target, (str, bytes, os.PathLike)):
            paths.append(os.fsdecode(target))


@contextmanager
def _recording() -> Iterator[list[str]]:
    if not _Recorder.installed:
        sys.addaudithook(_Recorder.hook)
        _Recorder.installed = True
    paths: list[str] = []
    _Recorder.paths = paths
    try:
        yield paths
    finally:
        _Recorder.paths = None


@pytest.fixture
def record_opened() -> RecordOpened:
    """``with record_opened() as opened:`` collects the path of every ``open()``,
    ``os.open()``, ``os.scandir()`` and ``os.listdir()`` in this process (any thread)."""
    return _recording
