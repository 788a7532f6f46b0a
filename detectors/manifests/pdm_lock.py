"""``pdm.lock``: the exact version of every package PDM resolved.

``[metadata]`` (groups, strategy, targets) says how the lock was made, not what it holds,
so it is not read. PDM repeats a package once per set of extras; it is reported once.
"""

from __future__ import annotations

from pathlib import Path

from stackskills.detectors.manifests.poetry_lock import load_lock_toml, locked_packages
from stackskills.detectors.models import ManifestReading
from stackskills.detectors.source import Workspace


def read_pdm_lock(workspace: Workspace, path: Path) -> ManifestReading:
    """Every ``[[package]]`` of a ``pdm.lock`` as a ``LockedVersion``."""
    reading = ManifestReading()
    loaded = load_lock_toml(workspace, path, reading.errors)
    if loaded is not None:
        data, text = loaded
        locked, errors = locked_packages(data, text, workspace.relative(path))
        reading.locked.extend(locked)
        reading.errors.extend(errors)
    return reading
