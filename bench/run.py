"""One command for every speed claim: ``python bench/run.py [--quick] [--json FILE]``.

Each comparison is measured in the same run, on the same tree, on this machine, and
printed as a ratio beside the absolute figures. Inputs (pinned real projects, the
comparison tools) are prepared by the script itself.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from projects import DJANGO_PROJECT, LARGE_PROJECT, fetch_sdist
from stdio_rpc import StdioSession, spawn_to_initialize

BIN = Path(sys.executable).parent
DEPTRY = "deptry==0.25.1"
RUFF = "ruff==0.17.6"
RUFF_SELECTION = "DJ,FAST,ASYNC,UP,PERF"
SNIPPET_LINES = 200


@dataclass
class Row:
    name: str
    ours: float
    baseline: float | None
    baseline_name: str
    unit: str
    target: str
    ours_rss_mb: float | None = None
    """Peak resident memory of the process measured (ours); for in-process rows, of this
    benchmark process."""
    baseline_rss_mb: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.ours / self.baseline


def _ensure_tool(requirement: str) -> None:
    """Install the pinned baseline unless exactly that version is already here."""
    name, version = requirement.split("==")
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed != version:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", requirement], check=True)


NEUTRAL_CWD = tempfile.gettempdir()
"""Commands run outside the checkout, where ``stackskills/`` would shadow the package."""


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float


MEASURED_RUN = (
    "import os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL,"
    " stderr=subprocess.DEVNULL)\n"
    "_, _, usage = os.wait4(child.pid, 0)\n"
    "elapsed = time.perf_counter() - start\n"
    "with open(sys.argv[1], 'w') as report:\n"
    "    report.write(f'{elapsed} {usage.ru_maxrss}')\n"
)
"""A small Python that runs the command and reports its wall time and peak RSS. Run
straight from this process, Linux would report this process's own peak for the child (a
child spawned with ``vfork`` inherits its parent's high-water mark through ``exec``)."""


def _timed(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | str = NEUTRAL_CWD
) -> Run:
    """Wall time of one whole process, and its own peak RSS, both taken by
    ``MEASURED_RUN`` around the process alone."""
    with tempfile.TemporaryDirectory(prefix="stackskills-bench-run-") as folder:
        report = Path(folder) / "run"
        subprocess.run(
            [sys.executable, "-c", MEASURED_RUN, str(report), *command],
            env=env,
            cwd=cwd,
            check=True,
        )
        seconds, rss_kib = report.read_text().split()
    return Run(float(seconds), int(rss_kib) / 1024)


def _median(runs: list[Run]) -> Run:
    """The median time of the runs, and the highest peak RSS among them."""
    return Run(statistics.median(run.seconds for run in runs), max(run.peak_rss_mb for run in runs))


def _medians_alternating(
    repeat: int, ours: Callable[[], Run], theirs: Callable[[], Run]
) -> tuple[Run, Run]:
    """Both medians, the two commands taking turns: a machine that slows down or speeds up
    during the run then weighs on both alike, not on whichever ran second."""
    pairs = [(ours(), theirs()) for _ in range(repeat)]
    return _median([a for a, _ in pairs]), _median([b for _, b in pairs])


def _seconds(repeat: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(repeat))


def _own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_detect(repeat: int) -> list[Row]:
    _ensure_tool(DEPTRY)
    tree = fetch_sdist(LARGE_PROJECT)
    files = sum(1 for _ in tree.rglob("*") if _.is_file())
    stackskills = str(BIN / "stackskills")
    deptry = str(BIN / "deptry")
    cache = Path(tempfile.mkdtemp(prefix="stackskills-bench-cache-"))
    env = {**os.environ, "STACKSKILLS_CACHE_DIR": str(cache)}

    # Cold means this tree was never detected: ``--no-cache`` neither reads nor writes its
    # detection. The built-in skills' compiled catalog, made once per install, is warmed
    # first, as it is on any machine after the first command.
    _timed([stackskills, "skills", "list"], env)
    cold_command = [stackskills, "detect", str(tree), "--no-cache", "--format", "json"]
    # runs of a second or less: more of them, as a shared machine's noise is that large
    pairs = 1 if repeat == 1 else 2 * repeat + 1
    # deptry reads its configuration from the working folder: run it from the tree
    cold_time, deptry_time = _medians_alternating(
        pairs, lambda: _timed(cold_command, env), lambda: _timed([deptry, "."], cwd=tree)
    )
    _timed([stackskills, "detect", str(tree), "--format", "json"], env)  # fill the cache
    warm_process, startup = _medians_alternating(
        pairs,
        lambda: _timed([stackskills, "detect", str(tree), "--format", "json"], env),
        lambda: _timed([sys.executable, "-c", "import stackskills.detectors.detect"], env),
    )
    os.environ["STACKSKILLS_CACHE_DIR"] = str(cache)
    from stackskills.detectors.detect import detect

    detect(tree)

    def warm_in_process() -> float:
        start = time.perf_counter()
        detect(tree)
        return time.perf_counter() - start

    warm = _seconds(max(repeat, 5), warm_in_process)

    def plain_walk() -> float:
        start = time.perf_counter()
        for _ in os.walk(tree):
            pass
        return time.perf_counter() - start

    walk_time = _seconds(max(repeat, 5), plain_walk)
    shutil.rmtree(cache, ignore_errors=True)
    label = f"{LARGE_PROJECT} ({files} files)"
    return [
        Row(f"detect cold, {label}", cold_time.seconds, deptry_time.seconds, "deptry", "s",
            "<= 0.5x", cold_time.peak_rss_mb, deptry_time.peak_rss_mb),
        Row(f"detect warm (process), {label}", warm_process.seconds, startup.seconds,
            "import start-up", "s", "<= start-up + 0.05 s", warm_process.peak_rss_mb,
            startup.peak_rss_mb),
        Row(f"detect warm (in process), {label}", warm, walk_time, "os.walk of the tree", "s",
            "<= 0.05 s", _own_peak_rss_mb()),
    ]  # fmt: skip


def _snippet(tree: Path) -> tuple[str, str]:
    """The first 200 lines of the first (sorted) views module that long: real code."""
    for path in sorted(tree.rglob("views*.py")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        if len(lines) >= SNIPPET_LINES:
            return "\n".join(lines[:SNIPPET_LINES]) + "\n", str(path.relative_to(tree))
    raise SystemExit(f"no views module of {SNIPPET_LINES} lines in {tree}")


def bench_review(repeat: int) -> list[Row]:
    _ensure_tool(RUFF)
    tree = fetch_sdist(DJANGO_PROJECT)
    python_files = sum(1 for _ in tree.rglob("*.py"))
    stackskills = str(BIN / "stackskills")
    ruff = str(BIN / "ruff")
    cache = Path(tempfile.mkdtemp(prefix="stackskills-bench-cache-"))
    env = {**os.environ, "STACKSKILLS_CACHE_DIR": str(cache)}
    ours, theirs = _medians_alternating(
        repeat,
        lambda: _timed([stackskills, "review", str(tree), "--format", "json"], env),
        lambda: _timed(
            [ruff, "check", "--isolated", "--no-cache", "--exit-zero", "--select",
             RUFF_SELECTION, str(tree)]
        ),
    )  # fmt: skip
    shutil.rmtree(cache, ignore_errors=True)

    from stackskills.review.engine import Reviewer
    from stackskills.review.target import stack_from_spec

    code, where = _snippet(tree)
    reviewer = Reviewer(stack=stack_from_spec("django==5.1"), python=(3, 12))
    reviewer.review_source(code, where)
    timings = []
    for _ in range(200 if repeat > 1 else 50):
        start = time.perf_counter()
        reviewer.review_source(code, where)
        timings.append(time.perf_counter() - start)
    timings.sort()
    p50 = timings[len(timings) // 2]
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    label = f"{DJANGO_PROJECT} ({python_files} .py files)"
    snippet_rss = _own_peak_rss_mb()
    return [
        Row(f"review whole tree, {label}", ours.seconds, theirs.seconds,
            f"ruff --select {RUFF_SELECTION}", "s", "<= 10x", ours.peak_rss_mb,
            theirs.peak_rss_mb),
        Row(f"review snippet p50, {SNIPPET_LINES} lines of {where}", p50 * 1000, None, "", "ms",
            "<= 5 ms", snippet_rss),
        Row(f"review snippet p99, {SNIPPET_LINES} lines of {where}", p99 * 1000, None, "", "ms",
            "-", snippet_rss),
    ]  # fmt: skip


MINIMAL_SERVER = Path(__file__).resolve().parent / "minimal_server.py"


def _percentile(timings: list[float], fraction: float) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def bench_server(repeat: int) -> list[Row]:
    """``stackskills serve`` over stdio: start-up against a one-tool MCPServer (spawns
    alternate, so load on the machine hits both alike), then ``review_code`` round trips."""
    tree = fetch_sdist(DJANGO_PROJECT)
    cache = Path(tempfile.mkdtemp(prefix="stackskills-bench-cache-"))
    env = {**os.environ, "STACKSKILLS_CACHE_DIR": str(cache)}
    serve = [str(BIN / "stackskills"), "serve", "--workspace", str(tree)]
    minimal = [sys.executable, str(MINIMAL_SERVER)]
    spawn_to_initialize(serve, NEUTRAL_CWD, env)  # warm the OS file cache for both
    spawn_to_initialize(minimal, NEUTRAL_CWD, env)
    ours: list[float] = []
    baseline: list[float] = []
    for _ in range(15 if repeat > 1 else 5):
        ours.append(spawn_to_initialize(serve, NEUTRAL_CWD, env))
        baseline.append(spawn_to_initialize(minimal, NEUTRAL_CWD, env))

    code, where = _snippet(tree)
    count = 200 if repeat > 1 else 50
    review: dict[str, object] = {"code": code, "filename": where}
    trips, serve_rss = _round_trips(serve, env, "review_code", review, count)
    floor, minimal_rss = _round_trips(minimal, env, "add", {"a": 1, "b": 2}, count)
    shutil.rmtree(cache, ignore_errors=True)
    snippet = f"{SNIPPET_LINES} lines of {where}"
    return [
        Row("serve: spawn to initialize answer (stdio)", statistics.median(ours),
            statistics.median(baseline), "one-tool MCPServer", "s", "<= 1.3x"),
        Row(f"serve: tools/call review_code p50 (stdio), {snippet}",
            _percentile(trips, 0.5) * 1000, _percentile(floor, 0.5) * 1000,
            "tools/call add, one-tool MCPServer", "ms", "<= 10 ms", serve_rss, minimal_rss),
        Row(f"serve: tools/call review_code p99 (stdio), {snippet}",
            _percentile(trips, 0.99) * 1000, _percentile(floor, 0.99) * 1000,
            "tools/call add, one-tool MCPServer", "ms", "-", serve_rss, minimal_rss),
    ]  # fmt: skip


def _round_trips(
    command: list[str], env: dict[str, str], tool: str, arguments: dict[str, object], count: int
) -> tuple[list[float], float | None]:
    """Seconds per ``tools/call`` answered over stdio, after one untimed call (the first one
    detects the workspace and imports what the tool needs), and the server's peak RSS."""
    session = StdioSession(command, NEUTRAL_CWD, env)
    session.initialize()
    request = {"name": tool, "arguments": arguments}
    first = session.request("tools/call", request)
    if first.get("result", {}).get("isError") is not False:
        raise SystemExit(f"{tool} failed: {first}")
    trips = []
    for _ in range(count):
        start = time.perf_counter()
        session.request("tools/call", request)
        trips.append(time.perf_counter() - start)
    peak = session.peak_rss_mb()
    session.close()
    return trips, peak


def _megabytes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} MB"


def print_table(rows: list[Row]) -> None:
    header = ("benchmark", "ours", "baseline", "ratio", "target", "peak RSS ours / baseline")
    lines = [header]
    for row in rows:
        baseline = f"{row.baseline:.3f} {row.unit} ({row.baseline_name})" if row.baseline else "-"
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        memory = f"{_megabytes(row.ours_rss_mb)} / {_megabytes(row.baseline_rss_mb)}"
        lines.append((row.name, f"{row.ours:.3f} {row.unit}", baseline, ratio, row.target, memory))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)))


def _byte_compile_ours() -> None:
    """Compile our modules to bytecode first, as ``pip install`` does for a regular
    install. An editable install compiles each module on first import instead, unless
    ``PYTHONDONTWRITEBYTECODE`` is set (as on some CI machines): then every process of the
    benchmark would compile from source, and time that rather than stackskills."""
    import compileall

    import stackskills

    for folder in stackskills.__path__:
        compileall.compile_dir(folder, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one repetition of each (CI)")
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    parser.add_argument(
        "--only", choices=("detect", "review", "server"), help="run one group of benchmarks"
    )
    args = parser.parse_args()
    repeat = 1 if args.quick else 5
    _byte_compile_ours()
    rows: list[Row] = []
    if args.only in (None, "detect"):
        rows += bench_detect(repeat)
    if args.only in (None, "review"):
        rows += bench_review(repeat)
    if args.only in (None, "server"):
        rows += bench_server(repeat)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"ratio": r.ratio} for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
