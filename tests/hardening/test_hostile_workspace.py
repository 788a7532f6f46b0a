"""A hostile workspace, built at run time: detection and review finish in time bounded by a
plain ``os.walk`` of the same tree, in bounded memory, report every bad file by name, read
nothing outside the workspace, and still detect what the good files declare.

The corpus is one tree, built once for the module: NUL bytes, invalid UTF-8, UTF-16, a sparse
50 MB module and a real 50 MB one (10,000-deep indented blocks), 10,000-deep parentheses, an
expression nested past the parser's recursion limit, 100,000 tiny files, a symlink loop, links
to ``/etc``, a FIFO, an unreadable file, a requirements include cycle, a sparse 1 GB
``poetry.lock``, lock files whose sizes overflow Python's integer parsing, and non-ASCII paths
with spaces; beside them ordinary manifests (Django 4.2.7, FastAPI 0.110.0).

Budgets, measured on 2 busy cores: a bare ``os.walk`` of the tree takes 0.07-0.1 s and
``detect()`` 0.5-0.8 s (7-8 times the walk), so detection is held to 30 times the walk plus 2 s
for what a walk does not do at all (imports, decisions); the CLI's peak RSS is 42 MB for detect
and 66 MB for review, held to 200 MB (reading the 1 GB lock or the 50 MB modules whole would
blow it). Building the tree takes 2-3 s (hard links make the 100,000 files cheap), removing
it 1.5-2 s; the module runs in about 11 s.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stackskills.detectors.detect import detect
from stackskills.detectors.models import Stack

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="FIFOs, symlinks to /etc and wait4 are POSIX"
)

EXE = Path(sys.executable).parent / "stackskills"
MB = 1024 * 1024
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
"""Root reads a chmod 000 file anyway: the unreadable file is then read like any other."""

BULK_DIRS = 100
BULK_FILES_PER_DIR = 1_000
BULK_PY_PER_DIR = 20
"""Of the 100,000 tiny files, 2,000 are modules (each read and scanned), the rest data files
detection never opens, like the asset dumps and generated trees real repositories carry."""

WALK_RATIO = 30
WALK_SLACK_SECONDS = 2.0
"""Detection may take 30 times a bare ``os.walk`` of the tree, plus start-up and imports."""
MAX_RSS_MB = 200
CLI_TIMEOUT = 120.0

SECRET_MARKER = "hostile-corpus-secret"
"""Written in the files outside the workspace: it must never show up in any output."""


@dataclass(frozen=True)
class Corpus:
    root: Path
    outside: Path
    build_seconds: float
    bulk_seconds: float


def _write_bulk(folder: Path) -> None:
    """100,000 tiny files in 100 nested folders: two real files per folder, the rest hard
    links to them (a fraction of the cost of creating inodes); copies where links fail."""
    for index in range(BULK_DIRS):
        leaf = folder / f"a{index // 10}" / f"b{index % 10}"
        leaf.mkdir(parents=True)
        base = str(leaf)
        seeds = {".py": f"{base}/m000.py", ".json": f"{base}/d000.json"}
        for seed, content in ((seeds[".py"], b"import os\n"), (seeds[".json"], b"{}\n")):
            with open(seed, "wb") as handle:
                handle.write(content)
        for number in range(1, BULK_FILES_PER_DIR - 1):
            if number < BULK_PY_PER_DIR:
                source, name = seeds[".py"], f"{base}/m{number:03d}.py"
            else:
                source, name = seeds[".json"], f"{base}/d{number:03d}.json"
            try:
                os.link(source, name)
            except OSError:  # a file system without hard links (or a link limit)
                shutil.copyfile(source, name)


def _write_deep_indent(path: Path, depth: int) -> None:
    """``depth`` nested ``if`` blocks, one space deeper each (10,000 levels is 50 MB), then
    a module-level import the scan only reaches by getting through all of them."""
    with path.open("w", encoding="utf-8") as handle:
        for level in range(depth):
            handle.write(" " * level + "if x:\n")
        handle.write(" " * depth + "pass\nimport flask\n")


def _build(base: Path) -> Corpus:
    started = time.perf_counter()
    outside = base / "outside"
    outside.mkdir()
    (outside / "outside.txt").write_text(f"boto3==1.34.0  # {SECRET_MARKER}\n")
    (outside / "secret.py").write_text(f"import boto3\nTOKEN = '{SECRET_MARKER}'\n")
    root = base / "workspace"
    root.mkdir()
    # what must still be found
    (root / "requirements.txt").write_text("django==4.2.7\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "hostile"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["fastapi==0.110.0"]\n'
    )
    unicode_dir = root / "src" / "ünïcode dir"
    unicode_dir.mkdir(parents=True)
    (unicode_dir / "app módulo.py").write_text(
        "from django.db import models\n\n\nclass Órden(models.Model):\n    pass\n",
        encoding="utf-8",
    )
    hostile = root / "hostile"
    hostile.mkdir()
    (hostile / "nul.py").write_bytes(b"import os\n\x00\x01\x02\n")
    (hostile / "bad_utf8.py").write_bytes(b"import os\n# caf\xe9 \xff\xfe\n")
    (hostile / "wide.py").write_bytes("import httpx\n".encode("utf-16"))
    with (hostile / "sparse_50mb.py").open("wb") as handle:
        handle.truncate(50 * MB)
    _write_deep_indent(hostile / "deep_indent_50mb.py", 10_000)
    (hostile / "deep_parens.py").write_text(
        "x = " + "(" * 10_000 + ")" * 10_000 + "\nimport yaml\n", encoding="utf-8"
    )
    (hostile / "deep_expression.py").write_text(
        "import attrs\nx = " + " + ".join(["a"] * 100_000) + "\n", encoding="utf-8"
    )
    _write_deep_indent(hostile / "deep_blocks.py", 1_000)  # 0.5 MB: scanned, not parsed
    os.symlink("loop_b.py", hostile / "loop_a.py")
    os.symlink("loop_a.py", hostile / "loop_b.py")
    os.symlink("/etc", hostile / "etc", target_is_directory=True)
    os.symlink("/etc/passwd", root / "requirements-etc.txt")
    os.symlink(outside / "secret.py", hostile / "leak.py")
    os.symlink(root, hostile / "again", target_is_directory=True)  # a folder loop
    os.mkfifo(hostile / "pipe.py")
    os.mkfifo(hostile / "pipe.txt")
    unreadable = hostile / "unreadable.py"
    unreadable.write_text("import boto3\n")
    unreadable.chmod(0)
    # requirements: a cycle, an include of the FIFO, and one out of the workspace
    requirements = root / "requirements"
    requirements.mkdir()
    (requirements / "cycle-a.txt").write_text("requests==2.31.0\n-r cycle-b.txt\n")
    (requirements / "cycle-b.txt").write_text("-r cycle-a.txt\n")
    (root / "requirements-extra.txt").write_text(
        "-r hostile/pipe.txt\n-r ../outside/outside.txt\n-c /etc/hostname\n"
    )
    # lock files: 1 GB that is not there, and sizes Python refuses to turn into integers
    with (root / "poetry.lock").open("wb") as handle:
        handle.truncate(1024 * MB)
    huge = "9" * 5_000
    (root / "Pipfile.lock").write_text(
        '{"_meta": {"hash": {"sha256": "0"}, "size": ' + huge + "},\n"
        ' "default": {"django": {"version": "==4.2.7"}}}\n'
    )
    lock_dir = root / "services" / "locked"
    lock_dir.mkdir(parents=True)
    (lock_dir / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "fastapi"\nversion = "0.110.0"\n'
        f'sdist = {{ url = "https://example.invalid/f.tar.gz", size = {huge} }}\n'
    )
    bulk_started = time.perf_counter()
    _write_bulk(root / "bulk")
    bulk_seconds = time.perf_counter() - bulk_started
    return Corpus(root, outside, time.perf_counter() - started, bulk_seconds)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    base = tmp_path_factory.mktemp("hostile")
    built = _build(base)
    try:
        yield built
    finally:  # 100,000 entries should not outlive the run in the temp folder
        (built.root / "hostile" / "unreadable.py").chmod(0o644)
        shutil.rmtree(base, ignore_errors=True)


UNREADABLE = ("hostile/unreadable.py", None, "cannot read: Permission denied")

EXPECTED_ERRORS = {
    ("hostile/nul.py", 2, "binary file (NUL byte)"),
    ("hostile/bad_utf8.py", 2, "not valid text: invalid continuation byte"),
    ("hostile/sparse_50mb.py", None, "file larger than 2 MB; not read"),
    ("hostile/deep_indent_50mb.py", None, "file larger than 2 MB; not read"),
    ("hostile/loop_a.py", None, "broken symlink or symlink loop"),
    ("hostile/loop_b.py", None, "broken symlink or symlink loop"),
    ("hostile/etc", None, "symlink points outside the workspace; not followed"),
    ("hostile/leak.py", None, "symlink points outside the workspace; not followed"),
    ("requirements-etc.txt", None, "symlink points outside the workspace; not followed"),
    (
        "requirements/cycle-b.txt",
        1,
        "include cycle: requirements/cycle-a.txt -> requirements/cycle-b.txt -> "
        "requirements/cycle-a.txt",
    ),
    (
        "requirements-extra.txt",
        1,
        "cannot include 'hostile/pipe.txt': cannot read: not a regular file",
    ),
    (
        "requirements-extra.txt",
        2,
        "cannot include '../outside/outside.txt': outside the workspace; not read",
    ),
    (
        "requirements-extra.txt",
        3,
        "cannot include '/etc/hostname': outside the workspace; not read",
    ),
    ("poetry.lock", None, "file larger than 8 MB; not read"),
    (
        "Pipfile.lock",
        None,
        "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion: "
        "value has 5000 digits",
    ),
    (
        "services/locked/uv.lock",
        None,
        "invalid TOML: Exceeds the limit (4300 digits) for integer string conversion: "
        "value has 5000 digits",
    ),
} | (set() if AS_ROOT else {UNREADABLE})
"""Every hostile item that detection reads or walks past, by name. The walk skips the FIFO
``pipe.py`` without opening it (nothing to report), the include of ``pipe.txt`` names it; the
folder loop ``again`` is simply not walked twice; deep parentheses and deep blocks are
scanned, not parsed, so they are not errors for detection (review reports them)."""


def _errors(stack: Stack | dict[str, Any]) -> set[tuple[str, int | None, str]]:
    if isinstance(stack, Stack):
        return {(e.file, e.line, e.message) for e in stack.errors}
    return {(e["file"], e.get("line"), e["message"]) for e in stack["errors"]}


def _plain_walk_seconds(root: Path) -> float:
    """The best of two bare ``os.walk`` passes listing every file: the yardstick."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        count = 0
        for _folder, _dirs, files in os.walk(root):
            count += len(files)
        best = min(best, time.perf_counter() - started)
        assert count > BULK_DIRS * BULK_FILES_PER_DIR
    return best


def _assert_nothing_outside_was_opened(opened: list[str], corpus: Corpus) -> None:
    resolved = {os.path.realpath(path) for path in opened}
    assert os.path.realpath(corpus.root / "requirements.txt") in resolved  # the hook works
    forbidden = [Path("/etc").resolve(), corpus.outside.resolve()]
    leaked = sorted(
        path for path in resolved if any(Path(path).is_relative_to(bad) for bad in forbidden)
    )
    assert leaked == []


def _detect_or_fail(root: Path) -> Stack:
    """``detect(root)`` in a daemon thread: a hang (a FIFO opened for reading waits for a
    writer forever) fails the test after ``CLI_TIMEOUT`` instead of blocking the suite."""
    outcome: list[Stack | BaseException] = []

    def run() -> None:
        try:
            outcome.append(detect(root, use_cache=False))
        except BaseException as exc:  # handed to the test, which raises it
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(CLI_TIMEOUT)
    assert outcome, f"detect() did not finish in {CLI_TIMEOUT} s"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def test_the_corpus_holds_what_it_claims(
    corpus: Corpus, record_property: Callable[[str, object], None]
) -> None:
    record_property("corpus_build_seconds", round(corpus.build_seconds, 2))
    record_property("bulk_100k_files_seconds", round(corpus.bulk_seconds, 2))
    bulk = corpus.root / "bulk"
    count = sum(len(files) for _folder, _dirs, files in os.walk(bulk))
    assert count == BULK_DIRS * BULK_FILES_PER_DIR
    assert (corpus.root / "hostile" / "sparse_50mb.py").stat().st_size == 50 * MB
    assert (corpus.root / "hostile" / "deep_indent_50mb.py").stat().st_size > 50_000_000
    assert (corpus.root / "poetry.lock").stat().st_size == 1024 * MB
    assert stat.S_ISFIFO((corpus.root / "hostile" / "pipe.py").lstat().st_mode)


def test_detection_reports_each_hostile_file_and_still_finds_the_stack(
    corpus: Corpus, record_opened: Callable[[], AbstractContextManager[list[str]]]
) -> None:
    walk_seconds = _plain_walk_seconds(corpus.root)
    with record_opened() as opened:
        started = time.perf_counter()
        stack = _detect_or_fail(corpus.root)
        seconds = time.perf_counter() - started
    assert seconds <= WALK_RATIO * walk_seconds + WALK_SLACK_SECONDS, (seconds, walk_seconds)
    assert _errors(stack) == EXPECTED_ERRORS
    _assert_nothing_outside_was_opened(opened, corpus)
    django, fastapi = stack.framework("django"), stack.framework("fastapi")
    assert django is not None and django.version == "4.2.7"
    assert fastapi is not None and fastapi.version == "0.110.0"
    assert "src/ünïcode dir/app módulo.py" in {e.file for e in django.evidence}
    for imported in ("httpx", "pyyaml", "flask"):  # UTF-16, after deep parens, deep blocks
        assert stack.framework(imported) is not None, imported
    requests = stack.framework("requests")  # read through the cycle before it closed
    assert requests is not None and requests.version == "2.31.0"
    assert (stack.framework("boto3") is not None) is AS_ROOT  # only the unreadable file has it


MEASURED_RUN = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "with open(sys.argv[1], 'w') as report:\n"
    "    report.write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)
"""Started by a small Python that reports its child's peak RSS. Measured straight from the
test session, Linux would report the session's own peak instead: a child spawned with
``vfork`` inherits its parent's high-water mark through ``exec``, so a 300 MB pytest made
every CLI run look 300 MB."""


def _run_measured(args: list[str], cwd: Path, out: Path) -> tuple[int, str, str, int]:
    """Run the CLI; exit code, stdout, stderr and its own peak RSS in KiB (through
    ``MEASURED_RUN``). Killed after ``CLI_TIMEOUT``: a hang fails, it does not block."""
    stdout_path, stderr_path = out.with_suffix(".out"), out.with_suffix(".err")
    rss_path = out.with_suffix(".rss")
    command = [sys.executable, "-c", MEASURED_RUN, str(rss_path), str(EXE), *args]
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=stdout, stderr=stderr, start_new_session=True
        )
    watchdog = threading.Timer(CLI_TIMEOUT, os.killpg, (process.pid, signal.SIGKILL))
    watchdog.start()
    try:
        returncode = process.wait()
    finally:
        watchdog.cancel()
    stdout_text = stdout_path.read_text(encoding="utf-8")
    stderr_text = stderr_path.read_text(encoding="utf-8")
    assert returncode != -signal.SIGKILL, f"killed after {CLI_TIMEOUT} s: {stderr_text}"
    return returncode, stdout_text, stderr_text, int(rss_path.read_text())


def test_detect_cli_finishes_in_bounded_memory_with_the_same_report(
    corpus: Corpus, tmp_path: Path
) -> None:
    code, out, err, max_rss_kib = _run_measured(
        ["detect", str(corpus.root), "--format", "json", "--no-cache"], tmp_path, tmp_path / "d"
    )
    assert (code, err) == (0, "")
    assert max_rss_kib < MAX_RSS_MB * 1024, f"peak RSS {max_rss_kib / 1024:.0f} MB"
    document = json.loads(out)
    assert _errors(document) == EXPECTED_ERRORS
    versions = {f["name"]: f["version"] for f in document["frameworks"]}
    assert (versions["django"], versions["fastapi"]) == ("4.2.7", "0.110.0")
    assert SECRET_MARKER not in out and "root:x:0:0" not in out


EXPECTED_REVIEW_ERRORS = {
    ("hostile/nul.py", 2, "binary file (NUL byte)"),
    ("hostile/bad_utf8.py", 2, "not valid text: invalid continuation byte"),
    ("hostile/sparse_50mb.py", None, "file is larger than 5 MB; not reviewed"),
    ("hostile/deep_indent_50mb.py", None, "file is larger than 5 MB; not reviewed"),
    ("hostile/deep_parens.py", 1, "cannot parse: too many nested parentheses"),
    ("hostile/deep_expression.py", None, "cannot parse: nested too deeply"),
    ("hostile/deep_blocks.py", 101, "cannot parse: too many levels of indentation"),
} | (set() if AS_ROOT else {("hostile/unreadable.py", None, "cannot read: Permission denied")})


def test_review_of_the_whole_corpus_reports_errors_instead_of_crashing(
    corpus: Corpus, tmp_path: Path
) -> None:
    code, out, err, max_rss_kib = _run_measured(
        ["review", ".", "--format", "json"], corpus.root, tmp_path / "r"
    )
    assert "Traceback" not in err
    assert code == 2  # documented: 2 when an input could not be read or parsed
    assert max_rss_kib < MAX_RSS_MB * 1024, f"peak RSS {max_rss_kib / 1024:.0f} MB"
    document = json.loads(out)
    errors = {(e["file"], e.get("line"), e["message"]) for e in document["errors"]}
    assert errors == EXPECTED_REVIEW_ERRORS
    assert SECRET_MARKER not in out and "root:x:0:0" not in out
