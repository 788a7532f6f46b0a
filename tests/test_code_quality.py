"""The code base stays ruff- and mypy --strict-clean: the test suite is the one gate."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the [test] extra")
    return found


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def test_ruff_lint_is_clean() -> None:
    result = _run([_tool("ruff"), "check", "."], REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run([_tool("ruff"), "format", "--check", "."], REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_package(tmp_path: Path) -> None:
    # Run outside the checkout: there the folder ``stackskills/`` would shadow the
    # installed package, whose subpackages live in ``detectors/``, ``skills/``...
    config = str(REPO / "pyproject.toml")
    result = _run([_tool("mypy"), "--config-file", config, "-p", "stackskills"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_tests_and_benchmarks() -> None:
    targets = [p for p in ("tests", "bench", "scripts") if any((REPO / p).rglob("*.py"))]
    result = _run([_tool("mypy"), *targets], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
