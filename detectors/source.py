"""Reading workspace files safely: bounded size, no escape from the root, errors as values.

Every reader goes through ``Workspace.read_text`` so that a binary file, an undecodable
file, a 50 MB file or a link out of the workspace becomes a ``DetectionError`` instead of
an exception, and so that no file outside the root is ever opened.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from stackskills.detectors.models import DetectionError

MAX_MANIFEST_BYTES = 8 * 1024 * 1024
"""Manifests and lock files above this are reported, not read (real lock files stay far below)."""

MAX_SOURCE_BYTES = 2 * 1024 * 1024
"""Python files above this are skipped by the import scan (generated code, data dumps)."""


class ReadFailure(Exception):
    """Raised inside readers when a file cannot be read; carries the error to report."""

    def __init__(self, error: DetectionError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class Workspace:
    """A workspace root: the only place detection may read from."""

    root: Path

    @classmethod
    def at(cls, root: Path | str) -> Workspace:
        return cls(Path(os.path.realpath(root)))

    def relative(self, path: Path) -> str:
        """The path as shown in evidence: POSIX, relative to the root when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def contains(self, path: Path) -> bool:
        """True when the path, with every symlink resolved, stays inside the root."""
        try:
            real = Path(os.path.realpath(path, strict=True))
        except (OSError, RuntimeError):
            return False
        return real == self.root or self.root in real.parents

    def read_text(self, path: Path, max_bytes: int = MAX_MANIFEST_BYTES) -> str:
        """Read a text file inside the root, or raise ``ReadFailure`` saying why not."""
        rel = self.relative(path)
        try:
            real = Path(os.path.realpath(path, strict=True))
        except RuntimeError:
            raise ReadFailure(DetectionError(file=rel, message="symlink loop")) from None
        except OSError as exc:
            raise ReadFailure(cannot_read(rel, exc)) from None
        if real != self.root and self.root not in real.parents:
            message = "symlink points outside the workspace; not read"
            raise ReadFailure(DetectionError(file=rel, message=message))
        try:
            handle = real.open("rb")
        except OSError as exc:
            raise ReadFailure(cannot_read(rel, exc)) from None
        with handle:
            return _read_bounded(handle, rel, max_bytes)

    def read_or_report(
        self, path: Path, errors: list[DetectionError], max_bytes: int = MAX_MANIFEST_BYTES
    ) -> str | None:
        """``read_text``, with the failure appended to ``errors`` instead of raised."""
        try:
            return self.read_text(path, max_bytes)
        except ReadFailure as failure:
            errors.append(failure.error)
            return None

    def read_walked_text(self, rel: str, size: int, max_bytes: int = MAX_SOURCE_BYTES) -> str:
        """Read a regular file the walk reached without crossing a symlink.

        The walk already proved the path stays inside the root, so the costly
        ``realpath`` is skipped; ``O_NOFOLLOW`` and ``fstat`` still refuse a file that was
        swapped for a link or a FIFO since.
        """
        if size > max_bytes:
            raise ReadFailure(_too_large(rel, max_bytes))
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(os.path.join(self.root, rel), flags)
        except OSError as exc:
            raise ReadFailure(cannot_read(rel, exc)) from None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ReadFailure(DetectionError(file=rel, message="not a regular file"))
            return _read_bounded(handle, rel, max_bytes)


def cannot_read(rel: str, exc: OSError) -> DetectionError:
    """The error for a file the operating system would not let us read."""
    return DetectionError(file=rel, message=f"cannot read: {exc.strerror or exc}")


def _read_bounded(handle: BinaryIO, rel: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of an open file, decoded; larger files are refused whole."""
    try:
        data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ReadFailure(cannot_read(rel, exc)) from None
    if len(data) > max_bytes:
        raise ReadFailure(_too_large(rel, max_bytes))
    return decode_text(data, rel)


def _too_large(rel: str, max_bytes: int) -> DetectionError:
    return DetectionError(
        file=rel, message=f"file larger than {max_bytes // (1024 * 1024)} MB; not read"
    )


def decode_text(data: bytes, rel: str) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is an error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadFailure(_decode_error(rel, data, exc)) from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ReadFailure(DetectionError(file=rel, line=line, message="binary file (NUL byte)"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _declared_encoding(data)
        if declared is not None:
            try:
                return data.decode(declared)
            except (UnicodeDecodeError, LookupError):
                pass
        raise ReadFailure(_decode_error(rel, data, exc)) from None


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def _declared_encoding(data: bytes) -> str | None:
    """A PEP 263 ``# -*- coding: latin-1 -*-`` cookie on one of the first two lines."""
    head = b"\n".join(data.split(b"\n", 2)[:2])
    found = _CODING.search(head)
    return found.group(1).decode("ascii") if found else None


def _decode_error(rel: str, data: bytes, exc: UnicodeDecodeError) -> DetectionError:
    line = data.count(b"\n", 0, exc.start) + 1
    return DetectionError(file=rel, line=line, message=f"not valid text: {exc.reason}")
