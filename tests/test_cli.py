"""The command line as a user runs it: a real process, real files, exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stackskills import __version__

EXE = Path(sys.executable).parent / "stackskills"


def run_cli(
    *args: str, cwd: Path | None = None, cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if cache is not None:
        env["STACKSKILLS_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


def test_version_prints_the_package_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"stackskills {__version__}"


def test_detect_json_is_exactly_one_document(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    result = run_cli("detect", str(tmp_path), "--format", "json", cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema"] == "stackskills.detect/1"
    assert document["root"] == str(tmp_path.resolve())
    assert [f["name"] for f in document["frameworks"]] == ["flask"]
    assert document["frameworks"][0]["version"] == "3.0.3"


def test_detect_defaults_to_json_when_piped(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("django>=5\n")
    result = run_cli("detect", str(tmp_path), cache=tmp_path / "c")
    assert json.loads(result.stdout)["frameworks"][0]["name"] == "django"


def test_detect_text_format_is_a_readable_table(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("django>=5\n")
    (tmp_path / ".python-version").write_text("3.12.4\n")
    result = run_cli("detect", str(tmp_path), "--format", "text", cache=tmp_path / "c")
    assert result.returncode == 0
    assert "Python     3.12" in result.stdout
    assert "django" in result.stdout and "requirements.txt:1" in result.stdout


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_detect_on_a_missing_path_or_a_file_exits_2_with_one_line(
    tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "nothing-here"
    if kind == "file":
        target.write_text("x")
    result = run_cli("detect", str(target), cache=tmp_path / "c")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    expected = "no such directory" if kind == "missing" else "is a file, not a directory"
    assert expected in lines[0] and str(target) in lines[0]


def test_unknown_option_is_a_usage_error_on_one_line() -> None:
    result = run_cli("detect", "--frobnicate")
    assert result.returncode == 2
    assert result.stderr.startswith("stackskills: error:")
    assert len(result.stderr.strip().splitlines()) == 1
