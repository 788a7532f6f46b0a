"""Reading workspace files safely: bounded size, no escape from the root, errors as values.

Every reader goes through ``Workspace.read_text`` so that a binary file, an undecodable
file, a 50 MB file, a FIFO or a link out of the workspace becomes a ``DetectionError``
instead of an exception or a hang, and so that no file outside the root is ever opened.
Whether a path is inside a root is decided by ``within_root`` alone, here and in the
skills loader, the review and the server.
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


def within_root(real: Path, root: Path) -> bool:
    """Whether ``real`` (a path with every symlink already resolved) is ``root`` or lies
    below it (``root`` resolved too).

    The one rule that decides confinement: detection's readers, the walk, requirement
    includes, workspace skills, the review of a tree and the server's client-named paths
    all ask this (mostly through ``resolves_within`` or ``Workspace.contains``), so a
    fix to what "inside" means lands everywhere at once.
    """
    return real == root or root in real.parents


def resolves_within(path: Path | str, root: Path) -> bool:
    """True when ``path`` exists and, with every symlink resolved, is inside ``root``.

    A missing target, a symlink loop or a path the OS refuses (NUL byte, too long) is
    not inside anything.
    """
    try:
        real = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError, ValueError):
        return False
    return within_root(real, root)


class NotRegularFile(OSError):
    """The path names a FIFO, socket, device or folder: nothing a reader may open.

    An ``OSError`` whose ``strerror`` says so, so every reader reports it as it reports
    any file it cannot read ("cannot read: not a regular file").
    """

    def __init__(self, path: Path | str) -> None:
        super().__init__(0, "not a regular file", os.fspath(path))


def open_regular_file(path: Path | str) -> BinaryIO:
    """Open a file for reading only if it is a regular file, without ever blocking.

    A plain ``open()`` of a FIFO waits for a writer forever (a hostile workspace hangs the
    server that way); ``O_NONBLOCK`` returns at once and ``fstat`` on the open descriptor
    then refuses anything that is not a regular file.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


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
        return resolves_within(path, self.root)

    def read_text(self, path: Path, max_bytes: int = MAX_MANIFEST_BYTES) -> str:
        """Read a text file inside the root, or raise ``ReadFailure`` saying why not."""
        rel = self.relative(path)
        try:
            real = Path(os.path.realpath(path, strict=True))
        except RuntimeError:
            raise ReadFailure(DetectionError(file=rel, message="symlink loop")) from None
        except OSError as exc:
            raise ReadFailure(cannot_read(rel, exc)) from None
        if not within_root(real, self.root):
            message = "symlink points outside the workspace; not read"
            raise ReadFailure(DetectionError(file=rel, message=message))
        try:
            handle = open_regular_file(real)
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
        # unbuffered: a buffered file object per file cost more than the read itself, and
        # a scan reads thousands of small files
        with os.fdopen(fd, "rb", buffering=0) as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ReadFailure(DetectionError(file=rel, message="not a regular file"))
            return _read_bounded(handle, rel, max_bytes)


_LINE_END = re.compile(r"\r\n|\r|\n")


def physical_lines(text: str) -> list[str]:
    """The lines of a text as editors and Python number them, and TOML and JSON files.

    Only ``\\r\\n``, ``\\r`` and ``\\n`` end a line. ``str.splitlines`` also ends one at a
    form feed, ``\\x85``, U+2028 and four more, which a TOML or JSON string, a comment or
    Python source may hold: every line number after one of them pointed too far down.
    As with ``splitlines``, a final line break starts no extra, empty line.
    """
    lines = _LINE_END.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def cannot_read(rel: str, exc: OSError) -> DetectionError:
    """The error for a file the operating system would not let us read."""
    return DetectionError(file=rel, message=f"cannot read: {exc.strerror or exc}")


def read_at_most(handle: BinaryIO, max_bytes: int) -> bytes:
    """The file's bytes, stopping one past ``max_bytes`` (so "too large" can be told).

    Only what the file holds is asked for, plus a byte to notice growth: a buffer of
    ``max_bytes`` for every file cost three times the whole read of a tiny one, and a
    tree of 100,000 small modules is read file by file.
    """
    size = os.fstat(handle.fileno()).st_size
    chunks = [handle.read(min(size, max_bytes) + 1)]
    read = len(chunks[0])
    # on to the end or the limit when the file changed size since fstat, or when an
    # unbuffered handle's read came back short
    while read != size and read <= max_bytes and chunks[-1]:
        chunks.append(handle.read(max_bytes + 1 - read))
        read += len(chunks[-1])
    return b"".join(chunks)


def _read_bounded(handle: BinaryIO, rel: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of an open file, decoded; larger files are refused whole."""
    try:
        data = read_at_most(handle, max_bytes)
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
        # the same as "utf-8-sig", whose decoder is written in Python and slower
        return (data[3:] if data.startswith(codecs.BOM_UTF8) else data).decode("utf-8")
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
