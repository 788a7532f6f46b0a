"""``pdm.lock``: exact versions from its ``[[package]]`` tables.

PDM writes the same ``[[package]]`` name/version tables as Poetry, so the Poetry lock
reader reads it; ``[metadata]`` (targets, hashes) says nothing about versions.
"""

from __future__ import annotations

from pathlib import Path

from stackskills.detectors.manifests.poetry_lock import read_poetry_lock
from stackskills.detectors.models import ManifestReading
from stackskills.detectors.source import Workspace


def read_pdm_lock(workspace: Workspace, path: Path) -> ManifestReading:
    """Every ``[[package]]`` of a ``pdm.lock`` as a ``LockedVersion``."""
    return read_poetry_lock(workspace, path)
