"""Merge one server entry into a client's JSON config file without harming anything else.

People keep other servers and settings in these files, and clients read them on start, so a
write must never leave invalid JSON or drop a key: the old file is copied to ``<name>.bak``
first, the new one is written beside it and renamed over it, and an unchanged entry writes
nothing at all (running setup twice is safe).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


class ConfigFileError(Exception):
    """The existing file cannot be merged into; the message is one line for the user."""


@dataclass(frozen=True)
class MergeResult:
    path: Path
    action: str
    """``added``, ``updated`` or ``unchanged``."""
    backup: Path | None


def merge_server(path: Path, servers_key: str, name: str, entry: dict[str, object]) -> MergeResult:
    """Put ``entry`` at ``servers_key.name`` in the JSON file at ``path``, keeping the rest."""
    document = _read_object(path)
    servers = document.setdefault(servers_key, {})
    if not isinstance(servers, dict):
        raise ConfigFileError(f"{path}: {servers_key!r} is not a JSON object; not changed")
    if servers.get(name) == entry:
        return MergeResult(path, "unchanged", None)
    action = "updated" if name in servers else "added"
    servers[name] = entry
    backup = _backup(path)
    _write_atomically(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return MergeResult(path, action, backup)


def _read_object(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigFileError(f"{path}: cannot read: {error}; not changed") from None
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigFileError(
            f"{path}: not valid JSON (line {error.lineno} column {error.colno}: {error.msg});"
            " fix or move it, nothing was changed"
        ) from None
    if not isinstance(document, dict):
        raise ConfigFileError(f"{path}: not a JSON object; nothing was changed")
    return document


def _backup(path: Path) -> Path | None:
    if not path.exists():
        return None
    backup = path.with_name(path.name + ".bak")
    shutil.copy2(path, backup)
    return backup


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
