"""Bad input never stops detection: each problem is an error with file and line, and
everything else in the workspace is still detected."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from stackskills.detectors.detect import detect
from stackskills.detectors.models import Stack
from stackskills.detectors.source import read_at_most


def _good_project(root: Path) -> None:
    """Something that must still be found, whatever else is broken."""
    (root / "requirements.txt").write_text("flask==3.0.3\n")


def _detect(root: Path) -> Stack:
    return detect(root, use_cache=False)


def _errors(stack: Stack) -> list[tuple[str, int | None, str]]:
    return [(e.file, e.line, e.message) for e in stack.errors]


def _assert_still_detects_flask(stack: Stack) -> None:
    flask = stack.framework("flask")
    assert flask is not None and flask.version == "3.0.3"


def test_malformed_toml_is_reported_with_its_line(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = [\n  "django",\n'
    )
    stack = _detect(tmp_path)
    [(file, line, message)] = _errors(stack)
    assert file == "pyproject.toml" and message.startswith("invalid TOML")
    assert line == 4  # the parser gives up at the end of the document
    _assert_still_detects_flask(stack)


def test_malformed_json_lock_is_reported_with_its_line(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "Pipfile.lock").write_text('{\n  "default": {\n    "django": {"version": "==5.1"\n')
    stack = _detect(tmp_path)
    [(file, line, message)] = _errors(stack)
    assert file == "Pipfile.lock" and line is not None and "JSON" in message
    _assert_still_detects_flask(stack)


def test_broken_requirement_line_is_reported_and_the_next_lines_still_count(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text("django>=\nflask==3.0.3\n")
    stack = _detect(tmp_path)
    [(file, line, message)] = _errors(stack)
    assert (file, line) == ("requirements.txt", 1) and "django>=" in message
    _assert_still_detects_flask(stack)


def test_include_cycle_is_reported_at_the_include_line(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n-r requirements-dev.txt\n")
    (tmp_path / "requirements-dev.txt").write_text("pytest\n-r requirements.txt\n")
    stack = _detect(tmp_path)
    [(file, line, message)] = _errors(stack)
    # requirements-dev.txt is read first (sorted), so the cycle closes in requirements.txt
    assert (file, line) == ("requirements.txt", 2) and "cycle" in message
    _assert_still_detects_flask(stack)
    assert stack.framework("pytest") is not None


def test_binary_python_file_is_reported_with_the_line_of_the_nul(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "blob.py").write_bytes(b"import os\n\x00\x01\x02")
    (tmp_path / "app.py").write_text("import requests\n")
    stack = _detect(tmp_path)
    assert _errors(stack) == [("blob.py", 2, "binary file (NUL byte)")]
    _assert_still_detects_flask(stack)
    assert stack.framework("requests") is not None


def test_undecodable_python_file_is_reported(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "latin.py").write_bytes(b"# caf\xe9\nimport os\n")
    stack = _detect(tmp_path)
    [(file, line, message)] = _errors(stack)
    assert (file, line) == ("latin.py", 1) and message.startswith("not valid text")
    _assert_still_detects_flask(stack)


def test_utf16_python_file_with_bom_is_read(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "wide.py").write_bytes("import requests\n".encode("utf-16"))
    stack = _detect(tmp_path)
    assert stack.errors == []
    assert stack.framework("requests") is not None


def test_fifty_megabyte_file_is_reported_not_read(tmp_path: Path) -> None:
    _good_project(tmp_path)
    with (tmp_path / "huge.py").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    stack = _detect(tmp_path)
    [(file, line, message)] = _errors(stack)
    assert file == "huge.py" and "larger than" in message and line is None
    _assert_still_detects_flask(stack)


def test_symlink_loop_is_reported(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    stack = _detect(tmp_path)
    assert sorted(_errors(stack)) == [
        ("a.py", None, "broken symlink or symlink loop"),
        ("b.py", None, "broken symlink or symlink loop"),
    ]
    _assert_still_detects_flask(stack)


def test_directory_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "again").symlink_to(tmp_path, target_is_directory=True)
    stack = _detect(tmp_path)
    assert stack.errors == []  # a link back into the root is simply not walked twice
    _assert_still_detects_flask(stack)


def test_symlinks_out_of_the_workspace_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "requirements.txt").write_text("django==5.1\n")
    (outside / "secret.py").write_text("import boto3\n")
    root = tmp_path / "root"
    root.mkdir()
    _good_project(root)
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "requirements-extra.txt").symlink_to(outside / "requirements.txt")
    (root / "leak.py").symlink_to(outside / "secret.py")
    stack = _detect(root)
    assert sorted(_errors(stack)) == [
        ("leak.py", None, "symlink points outside the workspace; not followed"),
        ("linked", None, "symlink points outside the workspace; not followed"),
        ("requirements-extra.txt", None, "symlink points outside the workspace; not followed"),
    ]
    assert [f.name for f in stack.frameworks] == ["flask"]


def test_include_pointing_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("django==5.1\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "requirements.txt").write_text("flask==3.0.3\n-r ../outside.txt\n")
    stack = _detect(root)
    [(file, line, message)] = _errors(stack)
    assert (file, line) == ("requirements.txt", 2) and "outside the workspace" in message
    assert [f.name for f in stack.frameworks] == ["flask"]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    _good_project(tmp_path)
    secret = tmp_path / "private.py"
    secret.write_text("import boto3\n")
    secret.chmod(0)
    try:
        stack = _detect(tmp_path)
    finally:
        secret.chmod(0o644)
    [(file, _, message)] = _errors(stack)
    assert file == "private.py" and "cannot read" in message
    _assert_still_detects_flask(stack)


def test_unreadable_file_is_reported_even_as_root(tmp_path: Path) -> None:
    """A FIFO stands in for an unreadable file where the tests run as root: it must be
    skipped without blocking, and a directory named like a manifest must not crash."""
    _good_project(tmp_path)
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "setup.cfg").mkdir()
    stack = _detect(tmp_path)
    assert stack.errors == []
    _assert_still_detects_flask(stack)


def test_deeply_nested_code_does_not_crash_the_scan(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "deep.py").write_text("x = " + "(" * 100_000 + ")" * 100_000 + "\nimport yaml\n")
    stack = _detect(tmp_path)
    assert stack.framework("pyyaml") is not None
    _assert_still_detects_flask(stack)


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    (tmp_path / "setup.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "from setuptools import setup\nsetup(name='x', install_requires=['flask==3.0.3'])\n"
    )
    stack = _detect(tmp_path)
    assert not marker.exists()
    _assert_still_detects_flask(stack)


def test_a_version_that_is_a_url_is_reported_not_taken_for_a_path(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "flask==3.0.3\noauthlib==https://github.com/oauthlib/oauthlib/archive/master.zip\n"
    )
    stack = _detect(tmp_path)
    [(file, line, message)] = _errors(stack)
    assert (file, line) == ("requirements.txt", 2) and "oauthlib==" in message
    _assert_still_detects_flask(stack)


def test_a_source_file_in_its_declared_encoding_is_read(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "legacy.py").write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport requests\n")
    stack = _detect(tmp_path)
    assert stack.errors == []
    assert stack.framework("requests") is not None


def test_links_to_files_detection_never_reads_are_not_reported(tmp_path: Path) -> None:
    _good_project(tmp_path)
    (tmp_path / "python3").symlink_to("/usr/bin/python3")
    (tmp_path / "gone.log").symlink_to(tmp_path / "missing.log")
    assert _detect(tmp_path).errors == []


def test_walk_stops_at_the_entry_limit_and_says_so(tmp_path: Path) -> None:
    from stackskills.detectors.walk import walk

    for index in range(30):
        folder = tmp_path / f"pkg{index}"
        folder.mkdir()
        (folder / "mod.py").write_text("import flask\n")
    tree = walk(tmp_path, max_entries=20)
    assert len(tree.python_files) < 30
    [error] = tree.errors
    assert error.message.startswith("stopped after 20 files and folders")


@pytest.mark.parametrize("buffering", [0, -1], ids=["unbuffered", "buffered"])
def test_read_at_most_reads_past_a_size_that_changed_up_to_the_limit(buffering: int) -> None:
    """``fstat`` of a pipe says 0 bytes, as it would of a file that grew after it was asked:
    the reader goes on to the end, or stops one byte past the limit."""
    for data, limit, expected in ((b"x" * 100, 1000, b"x" * 100), (b"y" * 100, 50, b"y" * 51)):
        reader, writer = os.pipe()
        os.write(writer, data)
        os.close(writer)
        with os.fdopen(reader, "rb", buffering=buffering) as handle:
            assert read_at_most(handle, limit) == expected
