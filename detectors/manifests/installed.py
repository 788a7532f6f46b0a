"""What a workspace virtualenv has installed: the strongest evidence of a version.

Only metadata files are read, never code. A venv can hold hundreds of distributions, so
reading stays cheap while keeping ``Workspace`` confinement: each ``site-packages`` is
resolved and checked against the workspace once, its entries come from one ``scandir``,
and a file inside a (non-symlink) entry is opened refusing a symlink as its last part
and read only as far as needed. Symlinked entries, and platforms without
``O_NOFOLLOW``, go through ``Workspace.read_text`` and its full check.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stackskills.detectors.models import (
    DetectionError,
    Evidence,
    LockedVersion,
    ManifestReading,
    PythonConstraint,
)
from stackskills.detectors.names import normalise
from stackskills.detectors.source import (
    MAX_MANIFEST_BYTES,
    ReadFailure,
    Workspace,
    cannot_read,
    decode_text,
    within_root,
)

INSTALLED_KIND = "installed"
VENV_PYTHON_KIND = "venv-python"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_SYMLINK_REFUSED = frozenset({errno.ELOOP, errno.EMLINK})
"""What ``open`` with ``O_NOFOLLOW`` says of a symlink (Linux and macOS; FreeBSD)."""
_CHUNK = 8 * 1024
_PYVENV_VERSION = re.compile(r"^\s*(?:version|version_info)\s*=\s*(\d+)\.(\d+)", re.IGNORECASE)
_NOT_IMPORTABLE = frozenset({"__pycache__", "bin"})
# RECORD rows are ``path,hash,size``, the path quoted when it holds a comma. Their first
# part is a package folder (``yaml/__init__.py``) or a module (``six.py``,
# ``_cffi_backend.cpython-311-x86_64-linux-gnu.so``).
# Patterns start at a newline, not ``^``: a literal first character is searched fast.
_RECORD_PACKAGE = re.compile(r'\n"?([^/,"\n]+)/')
_RECORD_MODULE = re.compile(r'\n"?([^/,"\n.]+)\.(?:py|(?:[^/,"\n]*\.)?(?:so|pyd))"?,')


@dataclass(frozen=True)
class _Distribution:
    """One ``*.dist-info`` / ``*.egg-info`` entry of a resolved site-packages folder."""

    folder: str
    """Absolute path of the entry."""
    entry_name: str
    """``PyYAML-6.0.2.dist-info``."""
    rel: str
    """The entry as evidence shows it."""
    linked: bool
    """The entry is a symlink: read through the workspace's full confinement check."""
    egg: bool
    single_file: bool
    """An old distutils egg-info: one file that is itself the PKG-INFO."""

    @property
    def name_in_folder(self) -> str:
        """The distribution name as the entry spells it (``PyYAML-6.0.2.dist-info``)."""
        stem = self.entry_name.rsplit(".", 1)[0]
        return stem.split("-", 1)[0] if self.egg else stem.rsplit("-", 1)[0]

    def file(self, name: str) -> tuple[str, str]:
        """Absolute and evidence path of a file in the entry."""
        return f"{self.folder}{os.sep}{name}", f"{self.rel}/{name}"

    def metadata(self) -> tuple[str, str]:
        if self.single_file:
            return self.folder, self.rel
        return self.file("PKG-INFO" if self.egg else "METADATA")


def find_site_packages(venv_dir: Path) -> list[Path]:
    """The resolved ``site-packages`` folders of a venv (POSIX ``lib``/``lib64``, Windows ``Lib``).

    A folder reached through a symlink that leaves the venv is not returned; ``lib64``
    linked to ``lib`` gives one folder, not two.
    """
    try:
        venv_real = Path(os.path.realpath(venv_dir, strict=True))
    except (OSError, RuntimeError):
        return []
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for candidate in _site_packages_candidates(venv_dir):
        try:
            real = Path(os.path.realpath(candidate, strict=True))
            status = real.stat()
        except (OSError, RuntimeError):
            continue
        if real == venv_real or not within_root(real, venv_real):
            continue
        if not stat.S_ISDIR(status.st_mode):
            continue
        identity = (status.st_dev, status.st_ino)
        if identity not in seen:
            seen.add(identity)
            found.append(real)
    return found


def _site_packages_candidates(venv_dir: Path) -> Iterator[Path]:
    for lib in ("lib", "lib64"):
        try:
            with os.scandir(venv_dir / lib) as entries:
                names = sorted(e.name for e in entries if e.name.startswith(("python", "pypy")))
        except OSError:
            continue
        for name in names:
            yield venv_dir / lib / name / "site-packages"
    yield venv_dir / "Lib" / "site-packages"


def read_installed(workspace: Workspace, venv_dir: Path) -> ManifestReading:
    """Name and version of every installed distribution, and the venv's Python version."""
    reading = ManifestReading()
    _read_pyvenv_cfg(workspace, venv_dir, reading)
    seen: set[str] = set()
    for distribution in _distributions(workspace, venv_dir, reading.errors):
        if distribution.egg and normalise(distribution.name_in_folder) in seen:
            continue  # egg-info is the fallback: a dist-info of that name was read
        metadata_path, _ = distribution.metadata()
        if not distribution.single_file and not os.path.lexists(metadata_path):
            continue  # pre-METADATA wheels (metadata.json only) or a half-removed install
        found = _read_metadata(workspace, distribution)
        if isinstance(found, DetectionError):
            reading.errors.append(found)
            continue
        reading.locked.append(found)
        seen.add(found.name)
    return reading


def _distributions(
    workspace: Workspace, venv_dir: Path, errors: list[DetectionError]
) -> Iterator[_Distribution]:
    """Dist-infos, then egg-infos, of each site-packages inside the workspace, by name."""
    for site_packages in find_site_packages(venv_dir):
        rel_site = workspace.relative(site_packages)
        if not workspace.contains(site_packages):
            message = "site-packages lies outside the workspace; not read"
            errors.append(DetectionError(file=rel_site, message=message))
            continue
        found: list[_Distribution] = []
        try:
            with os.scandir(site_packages) as entries:
                for entry in entries:
                    egg = entry.name.endswith(".egg-info")
                    if egg or entry.name.endswith(".dist-info"):
                        found.append(_entry(entry, f"{rel_site}/{entry.name}", egg=egg))
        except OSError as exc:
            errors.append(DetectionError(file=rel_site, message=f"cannot list: {exc.strerror}"))
            continue
        yield from sorted(found, key=lambda d: (d.egg, d.entry_name))


def _entry(entry: os.DirEntry[str], rel: str, *, egg: bool) -> _Distribution:
    try:
        single_file = egg and not entry.is_dir()
        linked = entry.is_symlink()
    except OSError:
        single_file, linked = False, True
    return _Distribution(
        entry.path, entry.name, rel, linked=linked, egg=egg, single_file=single_file
    )


def _read_metadata(
    workspace: Workspace, distribution: _Distribution
) -> LockedVersion | DetectionError:
    """``Name:`` and ``Version:`` from the header of ``METADATA`` / ``PKG-INFO``."""
    path, rel = distribution.metadata()
    try:
        fields = None if distribution.linked else _read_header_fields(path, rel)
        if fields is None:
            fields = _header_fields(workspace.read_text(Path(path)))
    except ReadFailure as failure:
        return failure.error
    if not fields.name:
        return DetectionError(file=rel, message="metadata header has no Name: field")
    if not fields.version:
        message = f"metadata header of {fields.name!r} has no Version: field"
        return DetectionError(file=rel, message=message)
    evidence = Evidence(file=rel, line=fields.line, kind=INSTALLED_KIND, detail=fields.version)
    return LockedVersion(name=normalise(fields.name), version=fields.version, evidence=evidence)


@dataclass
class _HeaderFields:
    name: str | None = None
    version: str | None = None
    line: int | None = None
    complete: bool = False
    """Both fields were found, or the header ended: reading more would not change them."""


def _header_fields(text: str) -> _HeaderFields:
    """The first ``Name:`` and ``Version:`` of the header (the lines before a blank one)."""
    fields = _HeaderFields()
    start, number = 0, 0
    while start < len(text):
        # Walk line by line: the fields sit at the top, splitting the whole text is waste.
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        raw, start, number = text[start:end], end + 1, number + 1
        if not raw.rstrip("\r"):
            fields.complete = True
            break
        field, colon, value = raw.partition(":")
        if not colon or raw[:1].isspace():
            continue  # a continuation line, or not a field
        field = field.strip().lower()
        if field == "name" and fields.name is None:
            fields.name = value.strip()
        elif field == "version" and fields.version is None:
            fields.version, fields.line = value.strip(), number
        if fields.name is not None and fields.version is not None:
            fields.complete = True
            break
    return fields


def _read_header_fields(path: str, rel: str) -> _HeaderFields | None:
    """Read a metadata file a chunk at a time until its fields are known.

    ``None`` when the file is a symlink (or links cannot be refused on this platform).
    """
    descriptor = _open_regular(path, rel)
    if descriptor is None:
        return None
    try:
        data = b""
        while len(data) <= MAX_MANIFEST_BYTES:
            chunk = _read_chunk(descriptor, rel)
            data += chunk
            end = _header_end(data)
            if end >= 0:
                return _header_fields(decode_text(data[:end], rel))
            # Decode whole lines only, so a chunk never splits a UTF-8 character.
            usable = data[: data.rfind(b"\n") + 1] if chunk else data
            fields = _header_fields(decode_text(usable, rel))
            if fields.complete or not chunk:
                return fields
    finally:
        os.close(descriptor)
    message = f"metadata header larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB; not read"
    raise ReadFailure(DetectionError(file=rel, message=message))


def _header_end(data: bytes) -> int:
    """Where the first blank line starts (the header's end), or -1 when not read yet."""
    if data.startswith((b"\n", b"\r\n")):
        return 0
    ends = [found + 1 for found in (data.find(b"\n\n"), data.find(b"\n\r\n")) if found >= 0]
    return min(ends, default=-1)


def _open_regular(path: str, rel: str) -> int | None:
    """Open a regular file without following a symlink and without blocking on a FIFO.

    ``None`` when the file is a symlink, or the platform cannot refuse one: the caller
    then reads through ``Workspace.read_text``, which resolves and checks the link.
    """
    if not _NOFOLLOW:
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        if exc.errno in _SYMLINK_REFUSED:
            return None
        raise ReadFailure(cannot_read(rel, exc)) from None
    try:
        regular = stat.S_ISREG(os.fstat(descriptor).st_mode)
    except OSError as exc:
        os.close(descriptor)
        raise ReadFailure(cannot_read(rel, exc)) from None
    if not regular:
        os.close(descriptor)
        raise ReadFailure(DetectionError(file=rel, message="not a regular file"))
    return descriptor


def _read_chunk(descriptor: int, rel: str, size: int = _CHUNK) -> bytes:
    try:
        return os.read(descriptor, size)
    except OSError as exc:
        raise ReadFailure(cannot_read(rel, exc)) from None


def _read_all(descriptor: int, rel: str) -> bytes:
    """The file's bytes, stopping one past the size limit."""
    parts: list[bytes] = []
    size = 0
    while size <= MAX_MANIFEST_BYTES:
        chunk = _read_chunk(descriptor, rel, 256 * 1024)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _read_pyvenv_cfg(workspace: Workspace, venv_dir: Path, reading: ManifestReading) -> None:
    """``version = 3.11.7`` (venv) or ``version_info = 3.11.7.final.0`` (virtualenv, uv)."""
    path = venv_dir / "pyvenv.cfg"
    if not os.path.lexists(path):
        return
    try:
        text = workspace.read_text(path)
    except ReadFailure as failure:
        reading.errors.append(failure.error)
        return
    rel = workspace.relative(path)
    for number, raw in enumerate(text.split("\n"), start=1):
        found = _PYVENV_VERSION.match(raw)
        if found:
            major, minor = found.groups()
            detail = raw.partition("=")[2].strip()
            evidence = Evidence(file=rel, line=number, kind=VENV_PYTHON_KIND, detail=detail)
            specifier = f"=={major}.{minor}.*"
            reading.python.append(PythonConstraint(specifier=specifier, evidence=evidence))
            return


def installed_import_names(workspace: Workspace, venv_dir: Path) -> dict[str, str]:
    """Top-level import name -> normalised distribution name, for what the venv holds.

    ``top_level.txt`` is used when present; otherwise the first path part of the files
    ``RECORD`` lists. When two distributions provide one name (namespace packages), the
    one whose own name matches wins, else the first by folder name.
    """
    names: dict[str, str] = {}
    for distribution in _distributions(workspace, venv_dir, []):
        owner = normalise(distribution.name_in_folder)
        for module in sorted(_top_level_names(workspace, distribution)):
            if module not in names or normalise(module) == owner:
                names[module] = owner
    return names


def _top_level_names(workspace: Workspace, distribution: _Distribution) -> set[str]:
    if distribution.single_file:
        return set()  # nothing lists the modules of a single-file egg-info
    top_level = _read_whole(workspace, distribution, "top_level.txt")
    if top_level is not None:
        return {name for line in top_level.split("\n") if (name := _importable(line.strip()))}
    if distribution.egg:
        return set()  # egg-info lists files in installed-files.txt, relative to itself
    record = _read_whole(workspace, distribution, "RECORD")
    return _record_top_level(record) if record is not None else set()


def _read_whole(workspace: Workspace, distribution: _Distribution, name: str) -> str | None:
    """A file of the entry, or ``None`` when it is absent or cannot be read."""
    path, rel = distribution.file(name)
    try:
        descriptor = None if distribution.linked else _open_regular(path, rel)
        if descriptor is None:
            return workspace.read_text(Path(path))
        try:
            data = _read_all(descriptor, rel)
        finally:
            os.close(descriptor)
        return decode_text(data, rel) if len(data) <= MAX_MANIFEST_BYTES else None
    except ReadFailure:
        return None


def _record_top_level(record: str) -> set[str]:
    """First path parts of the packages and modules a ``RECORD`` installs."""
    text = "\n" + record
    found = set(_RECORD_PACKAGE.findall(text)) | set(_RECORD_MODULE.findall(text))
    return {name for name in found if _importable(name)}


def _importable(name: str) -> str | None:
    """The name when ``import name`` could work (not ``..``, ``*.dist-info``, ``__pycache__``)."""
    name = name.split("/", 1)[0]
    if name.isidentifier() and name not in _NOT_IMPORTABLE:
        return name
    return None
