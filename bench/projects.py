"""Real projects the benchmarks run on, downloaded pinned with pip and cached.

Nothing here is committed: the first run downloads the sdists into
``~/.cache/stackskills-bench`` (or ``$STACKSKILLS_BENCH_CACHE``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

CACHE = Path(
    os.environ.get("STACKSKILLS_BENCH_CACHE") or Path.home() / ".cache" / "stackskills-bench"
)
"""Outside the checkout, so a fresh clone (CI) reuses earlier downloads."""

LARGE_PROJECT = "apache-superset==4.1.1"
"""A real Flask application: 2,600 files, 950 of them Python, with a PEP 621 pyproject
and pip-compiled requirements (deptry, the baseline, runs cleanly on it)."""

DJANGO_PROJECT = "wagtail==6.3.1"
"""A large real Django application (the CMS and its apps): thousands of Python files."""


def fetch_sdist(requirement: str) -> Path:
    """Download and unpack a pinned sdist once; return the unpacked tree."""
    name = requirement.replace("==", "-")
    target = CACHE / "projects" / name
    done = target / ".unpacked"
    if done.exists():
        return _only_child(target)
    downloads = CACHE / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         "-d", str(downloads), requirement],
        check=True,
    )  # fmt: skip
    archive = _find_archive(downloads, name)
    target.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(target)
    else:
        with tarfile.open(archive) as bundle:
            bundle.extractall(target, filter="data")
    done.write_text(requirement)
    return _only_child(target)


def _find_archive(folder: Path, name: str) -> Path:
    lowered = name.lower().replace("-", "_")
    for candidate in sorted(folder.iterdir()):
        if candidate.name.lower().replace("-", "_").startswith(lowered):
            return candidate
    raise FileNotFoundError(f"no sdist for {name} in {folder}")


def _only_child(folder: Path) -> Path:
    children = [p for p in folder.iterdir() if p.is_dir()]
    return children[0] if len(children) == 1 else folder
