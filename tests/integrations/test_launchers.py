"""The README's ``uvx`` and ``pipx run`` lines work: each launcher builds the package from a
copy of the checkout in a throwaway environment and runs the CLI, which finds its built-in
skill and reviews a file.

The launchers themselves (pinned) are installed once into a venv under
``~/.cache/stackskills-test/`` (or ``$STACKSKILLS_TEST_CACHE``), with uv's package cache
beside them, so only the first run downloads much.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAUNCHERS = ("uv==0.13.9", "pipx==1.18.4")
BAD_DJANGO = (
    "from django.db import models\n\n\n"
    "class Order(models.Model):\n    paid = models.BooleanField()\n\n\n"
    "def any_unpaid() -> bool:\n"
    "    return len(Order.objects.filter(paid=False)) > 0\n"
)


def _test_cache() -> Path:
    configured = os.environ.get("STACKSKILLS_TEST_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "stackskills-test"


@pytest.fixture(scope="module")
def launchers() -> Path:
    """A venv holding uv and pipx; built once per pin set and reused."""
    cache = _test_cache()
    cache.mkdir(parents=True, exist_ok=True)
    venv = cache / ("launchers-" + "-".join(LAUNCHERS).replace("==", "-"))
    with open(cache / "launchers.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / "ready").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", *LAUNCHERS],
                check=True,
                capture_output=True,
            )
            (venv / "ready").touch()
    return venv / "bin"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The files git tracks, copied: what a clone holds, without this run's venv or caches."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    target = tmp_path_factory.mktemp("checkout") / "stackskills"
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    yield target


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=cwd, check=False, timeout=600
    )


@pytest.mark.parametrize("launcher", ["uvx", "pipx"])
def test_launcher_runs_the_cli_from_the_checkout(
    launcher: str, launchers: Path, checkout: Path, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "UV_CACHE_DIR": str(_test_cache() / "uv-cache"),
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "pipx-bin"),
        "STACKSKILLS_CACHE_DIR": str(tmp_path / "cache"),
    }
    if launcher == "uvx":
        prefix = [str(launchers / "uvx"), "--from", str(checkout), "stackskills"]
    else:
        prefix = [str(launchers / "pipx"), "run", "--spec", str(checkout), "stackskills"]
    listed = _run([*prefix, "skills", "list", "--format", "json"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    skills = json.loads(listed.stdout)["skills"]
    assert [(skill["name"], skill["source"]) for skill in skills] == [("python-expert", "built-in")]

    (tmp_path / "orders.py").write_text(BAD_DJANGO, encoding="utf-8")
    reviewed = _run([*prefix, "review", "orders.py", "--format", "json"], env, tmp_path)
    assert reviewed.returncode == 1, reviewed.stderr
    findings = json.loads(reviewed.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("SKS103", 9)]
