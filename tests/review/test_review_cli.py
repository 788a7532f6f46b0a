"""``stackskills review`` as CI and pre-commit run it: real processes, real files, exit codes."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stackskills.review_command import run_review

EXE = Path(sys.executable).parent / "stackskills"
BAD = 'def load():\n    raise Exception("boom")\n'


def run_cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), "review", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        env=dict(os.environ),
        check=False,
    )


def test_clean_file_exits_0_with_no_output(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("def load() -> int:\n    return 1\n")
    result = run_cli("ok.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_findings_exit_1_and_print_location_code_message_section_and_fix(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    result = run_cli("bad.py", cwd=tmp_path)
    assert result.returncode == 1
    first, fix, summary = result.stdout.splitlines()
    assert first.startswith("bad.py:2:5: SKS702 raising the generic Exception")
    assert first.endswith("[errors.exception-hierarchy]")
    assert fix.startswith("    fix: ")
    assert summary.startswith("1 finding (Python ")


def test_json_is_one_document_with_the_documented_shape(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    result = run_cli("bad.py", "--format", "json", "--python", "3.11", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["schema"] == "stackskills.review/1"
    assert document["python"] == "3.11"
    assert document["errors"] == []
    [finding] = document["findings"]
    assert set(finding) == {
        "file", "line", "column", "end_line", "end_column",
        "rule", "section", "severity", "message", "fix",
    }  # fmt: skip


def test_directories_are_walked_skipping_virtualenvs(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "bad.py").write_text(BAD)
    venv = tmp_path / ".venv"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr\n")
    (venv / "lib" / "bad.py").write_text(BAD)
    result = run_cli(".", "--format", "json", cwd=tmp_path)
    assert [f["file"] for f in json.loads(result.stdout)["findings"]] == ["app/bad.py"]


def test_stdin_is_reviewed_as_a_snippet(tmp_path: Path) -> None:
    result = run_cli("-", "--format", "json", cwd=tmp_path, stdin=BAD)
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["file"], finding["line"]) == ("<stdin>", 2)


def test_unparsable_input_exits_2_and_is_reported_in_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "bad.py").write_text(BAD)
    result = run_cli("broken.py", "bad.py", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    document = json.loads(result.stdout)
    [error] = document["errors"]
    assert (error["file"], error["line"]) == ("broken.py", 1)
    assert len(document["findings"]) == 1


def test_binary_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\x00\x01\x02")
    result = run_cli("blob.py", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    [error] = json.loads(result.stdout)["errors"]
    assert error["message"] == "binary file (NUL byte)"


def test_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    for args in (["missing.py"], ["-", "--python", "three"], ["-", "--stack", "django>>"]):
        result = run_cli(*args, cwd=tmp_path, stdin="")
        assert result.returncode == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("stackskills: error: ")


def test_select_and_ignore_options(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    assert run_cli("bad.py", "--select", "SKS1", cwd=tmp_path).returncode == 0
    assert run_cli("bad.py", "--ignore", "SKS702", cwd=tmp_path).returncode == 0
    assert run_cli("bad.py", "--select", "SKS7", cwd=tmp_path).returncode == 1


def test_many_files_are_reviewed_in_parallel_with_the_same_result(tmp_path: Path) -> None:
    for index in range(80):
        (tmp_path / f"m{index:02}.py").write_text(BAD if index % 8 == 0 else "x = 1\n")
    for index in (3, 41, 77):  # errors, of growing size: largest-first scheduling must
        # not change the order they are reported in
        (tmp_path / f"m{index:02}.py").write_bytes(b"x = 1\n" * index + b"\x00")
    result = run_cli(".", "--format", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    files = [f["file"] for f in document["findings"]]
    assert files == [f"m{index:02}.py" for index in range(0, 80, 8)]
    assert [e["file"] for e in document["errors"]] == ["m03.py", "m41.py", "m77.py"]


def test_a_parallel_review_leaves_the_garbage_collector_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workers review with the collector frozen and set to run rarely; the process that
    called ``run_review`` (a server, a test) gets its own settings back."""
    for index in range(80):
        (tmp_path / f"m{index:02}.py").write_text(BAD if index % 8 == 0 else "x = 1\n")
    monkeypatch.chdir(tmp_path)
    before = (gc.get_threshold(), gc.get_freeze_count())
    code = run_review(["."], "json", python=None, stack_spec="auto", select=None, ignore=None)
    assert code == 1
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    assert len(json.loads(capsys.readouterr().out)["findings"]) == 10
