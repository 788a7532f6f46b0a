"""``stackskills review PATH...``: judge files against the skill sections active for their
project, print findings as text, JSON or SARIF, and exit 0 (clean), 1 (findings) or 2 (an input
could not be read or parsed, or the command was used wrongly)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from stackskills.review.findings import ReviewResult

if TYPE_CHECKING:
    from stackskills.detectors.models import Stack
    from stackskills.detectors.walk import Tree
    from stackskills.review.engine import Reviewer
    from stackskills.review.walk_ahead import Walked

USAGE_ERROR = 2
PARALLEL_FROM = 64
"""Below this many files, starting worker processes costs more than it saves."""


def _codes(text: str | None) -> frozenset[str] | None:
    if text is None:
        return None
    return frozenset(code.strip().upper() for code in text.split(",") if code.strip())


def _shown(path: Path, cwd: str | None = None) -> str:
    """Relative to the current folder when inside it (as editors and CI expect), else absolute.

    String work, not ``Path.relative_to``: a tree of thousands of files is named file by file.
    """
    absolute = os.path.abspath(path)
    cwd = cwd or os.getcwd()
    if os.name == "nt":  # drive letters and case: leave the comparison to pathlib
        try:
            return Path(absolute).relative_to(cwd).as_posix()
        except ValueError:
            return absolute
    if absolute == cwd:
        return "."
    inside = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if not absolute.startswith(inside):
        return absolute
    return absolute[len(inside) :].replace(os.sep, "/")


def run_review(
    paths: Sequence[str],
    output_format: str,
    *,
    python: str | None,
    stack_spec: str,
    select: str | None,
    ignore: str | None,
) -> int:
    from stackskills.review.walk_ahead import WalksAhead

    folders = [Path(raw) for raw in paths if raw != "-" and os.path.isdir(raw)]
    with WalksAhead(folders) as ahead:
        # detection, the engine, the rules and the skills load while a child walks (and the
        # worker pool, which the files of a folder most likely need)
        import importlib

        loaded_early = ["stackskills.detectors.detect", "stackskills.review.engine"]
        if folders and _can_fork():
            loaded_early.append("multiprocessing.pool")
        for module in loaded_early:
            importlib.import_module(module)
        from stackskills.review.registry import all_rules
        from stackskills.review.target import StackSpecError, parse_python, stack_from_spec, warm_up

        try:
            version = parse_python(python)
            given = None if stack_spec == "auto" else stack_from_spec(stack_spec)
        except StackSpecError as exc:
            print(f"stackskills: error: {exc}", file=sys.stderr)
            return USAGE_ERROR
        all_rules()
        warm_up()
        walks_ahead = ahead.result()
    return _review_paths(paths, output_format, walks_ahead, version, given, select, ignore)


def _review_paths(
    paths: Sequence[str],
    output_format: str,
    walks_ahead: dict[Path, Walked],
    version: tuple[int, int] | None,
    given: Stack | None,
    select: str | None,
    ignore: str | None,
) -> int:
    from stackskills.detectors.detect import NotADirectory, detect
    from stackskills.review.engine import Reviewer
    from stackskills.review.files import ProjectRoots, walk_python_files

    selected, ignored = _codes(select), _codes(ignore) or frozenset()
    reviewers: dict[Path | None, Reviewer] = {}
    roots = ProjectRoots()
    walks: dict[Path, Tree] = {}

    def reviewer_for(anchor: Path | None, *, walked: bool = False) -> Reviewer:
        root = None if given is not None or anchor is None else roots.find(anchor, walked=walked)
        if root not in reviewers:
            stack = given
            if stack is None and root is not None:
                try:
                    stack = detect(root, workers=os.cpu_count() or 1, walked=walks.get(root))
                except NotADirectory:
                    stack = None
            reviewers[root] = Reviewer(stack=stack, python=version, select=selected, ignore=ignored)
        return reviewers[root]

    result = ReviewResult(python="")
    jobs: list[Job] = []
    sizes: dict[Path, int] = {}
    """Sizes the walks saw, so ordering the jobs by size needs no ``stat`` of each file."""
    for raw in paths:
        if raw == "-":
            code = sys.stdin.read()
            outcome = reviewer_for(Path.cwd()).review_source(code, "<stdin>")
            result.extend(outcome)
            result.python = result.python or outcome.python
            continue
        path = Path(raw)
        if not path.exists():
            print(f"stackskills: error: {raw}: no such file or directory", file=sys.stderr)
            return USAGE_ERROR
        cwd = os.getcwd()
        files, tree = walks_ahead.get(path) or walk_python_files(path)
        if tree is None:
            jobs.append((reviewer_for(path), path, _shown(path, cwd)))
            continue
        walks[tree.root] = tree
        linked = {str(tree.root / rel) for rel in tree.symlinked}
        jobs.extend(
            (reviewer_for(file, walked=str(file) not in linked), file, _shown(file, cwd))
            for file in files
        )
        entries = tree.entries
        for rel, file in zip(tree.python_files, files, strict=True):
            if rel in entries:
                sizes[file] = entries[rel].size
    for outcome in _review_all(jobs, sizes):
        result.extend(outcome)
        result.python = result.python or outcome.python
    if not result.python:
        reviewer = reviewer_for(None)
        result.python = reviewer.python_text()
    result.findings.sort(key=lambda f: (f.file, f.line, f.column, f.rule))
    _print(result, output_format)
    if result.errors:
        return USAGE_ERROR
    return 1 if result.findings else 0


Job = tuple["Reviewer", Path, str]


def _review_one(job: Job) -> ReviewResult:
    from stackskills.review.files import read_source
    from stackskills.review.findings import ReviewError

    reviewer, path, shown = job
    source = read_source(path, shown)
    if isinstance(source, ReviewError):
        return ReviewResult(python=reviewer.python_text(), errors=[source])
    return reviewer.review_source(source, shown)


def _review_all(jobs: list[Job], sizes: dict[Path, int]) -> list[ReviewResult]:
    """Counted on a terminal's stderr while it runs; see ``_review_jobs``."""
    from stackskills.terminal import Progress

    progress = Progress("reviewing", len(jobs))
    results: list[ReviewResult | None] = [None] * len(jobs)
    try:
        for index, outcome in _review_jobs(jobs, sizes):
            results[index] = outcome
            progress.step()
    finally:
        progress.close()
    return [outcome for outcome in results if outcome is not None]


def _review_jobs(jobs: list[Job], sizes: dict[Path, int]) -> Iterator[tuple[int, ReviewResult]]:
    """Each job's index and result, as they finish: serial for a few files; for many,
    forked workers (which inherit the reviewers) take the largest files first, in small
    batches, so no worker is left alone with a long file at the end."""
    if len(jobs) < PARALLEL_FROM or not _can_fork():
        yield from ((index, _review_one(job)) for index, job in enumerate(jobs))
        return
    import multiprocessing

    from stackskills.review.registry import all_rules
    from stackskills.review.target import warm_up

    # load rules and skills once here, so forked workers inherit them instead of each
    # paying for the catalog (pydantic validation) and the rule imports again
    all_rules()
    warm_up()
    for reviewer in {id(job[0]): job[0] for job in jobs}.values():
        reviewer.target(frozenset())
    _JOBS[:] = jobs
    workers = min(os.cpu_count() or 2, 8)
    largest_first = sorted(range(len(jobs)), key=lambda index: -_size(jobs[index][1], sizes))
    with _garbage_collected_rarely(), multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap_unordered(_review_index, largest_first, chunksize=8)


_JOBS: list[Job] = []


def _can_fork() -> bool:
    """Whether forked workers can share the work: ``fork`` exists and so does a second core."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2


@contextmanager
def _garbage_collected_rarely() -> Iterator[None]:
    """The cyclic garbage collector set up for a batch of parses, and as before afterwards.

    Each parse makes thousands of nodes that live until the file is done, and by default
    the collector runs every 700 new objects, each full run going through everything alive:
    a fifth of a review's time went there. Syntax trees hold no cycles, so collecting
    rarely loses nothing (mypy raises the same threshold for the same reason). Freezing
    what is alive now (modules, rules, the skills) keeps it out of every collection and
    keeps forked workers from copying the pages those runs would touch.
    """
    import gc

    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _review_index(index: int) -> tuple[int, ReviewResult]:
    return index, _review_one(_JOBS[index])


def _size(path: Path, known: dict[Path, int]) -> int:
    if path in known:
        return known[path]
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _print(result: ReviewResult, output_format: str) -> None:
    if output_format == "json":
        from stackskills.review.formats.json_format import render_json

        sys.stdout.write(render_json(result))
    elif output_format == "sarif":
        from stackskills.review.formats.sarif import render_sarif

        sys.stdout.write(render_sarif(result))
    else:
        from stackskills.review.formats.text import render_text
        from stackskills.terminal import colour_enabled

        text = render_text(result)
        sys.stdout.write(_coloured(text) if colour_enabled(sys.stdout) else text)


_FINDING = re.compile(r"^(\S.*?:\d+:\d+: )([A-Z]+[0-9]+)( .*?)( \[[^\]]+\])$", re.MULTILINE)
_ERROR = re.compile(r"^(\S.*?: )(error:)", re.MULTILINE)


def _coloured(text: str) -> str:
    """The rule code bold yellow, its section cyan, errors red; the words stay the same."""
    text = _FINDING.sub("\\1\033[1;33m\\2\033[0m\\3\033[36m\\4\033[0m", text)
    return _ERROR.sub("\\1\033[1;31m\\2\033[0m", text)
