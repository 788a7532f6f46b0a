"""Where skill folders live, and a cheap fingerprint of their files.

Kept apart from loading so that a warm ``stackskills detect`` can tell the skills have not
changed with a few ``stat`` calls, without importing YAML or pydantic.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from stackskills.detectors.source import resolves_within

BUILT_IN = "built-in"
WORKSPACE = "workspace"
WORKSPACE_SKILLS = Path(".stackskills") / "skills"
BUILT_IN_DIR = Path(__file__).resolve().parent


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` resolves inside ``root``: detection's rule, so both agree."""
    return resolves_within(path, root)


def skill_places(
    workspace: Path | None,
    extra_dirs: Iterable[Path],
    built_in: bool,
    *,
    more_workspaces: Iterable[Path] = (),
) -> list[tuple[Path, str]]:
    """The folders skills are loaded from, in precedence order, with their source labels.

    Each workspace's ``.stackskills/skills`` (the first and ``more_workspaces``, the other
    roots of a server) is a ``WORKSPACE`` place, kept only when it resolves inside its
    root: the loader confines its files to it, as it would not for a ``--skills-dir``.
    """
    places: list[tuple[Path, str]] = []
    if built_in:
        places.append((BUILT_IN_DIR, BUILT_IN))
    places.extend((Path(folder), str(folder)) for folder in extra_dirs)
    roots = [] if workspace is None else [workspace]
    for folder in [*roots, *more_workspaces]:
        root = Path(os.path.realpath(folder))
        candidate = root / WORKSPACE_SKILLS
        if candidate.is_dir() and inside(candidate, root):
            places.append((candidate, WORKSPACE))
    return places


def skill_file_stamps(places: Iterable[tuple[Path, str]]) -> list[tuple[str, int, int]]:
    """(path, size, mtime) of every skill file: a catalog is unchanged while these are."""
    stamps: list[tuple[str, int, int]] = []
    for folder, _source in places:
        for skill_dir in [folder, *_subfolders(folder)]:
            for directory in (skill_dir, skill_dir / "sections"):
                try:
                    entries = list(os.scandir(directory))
                except OSError:
                    continue
                for entry in entries:
                    if entry.name.endswith(".md"):
                        try:
                            info = entry.stat()
                        except OSError:
                            continue
                        stamps.append((entry.path, info.st_size, info.st_mtime_ns))
    return sorted(stamps)


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [Path(entry.path) for entry in os.scandir(folder) if entry.is_dir()]
    except OSError:
        return []
