"""One command for every speed claim: ``python bench/run.py [--quick] [--json FILE]``.

Each comparison is measured in the same run, on the same tree, on this machine, and
printed as a ratio beside the absolute figures. Inputs (pinned real projects, the
comparison tools) are prepared by the script itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
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

from projects import LARGE_PROJECT, fetch_sdist

BIN = Path(sys.executable).parent
DEPTRY = "deptry==0.25.1"


@dataclass
class Row:
    name: str
    ours: float
    baseline: float | None
    baseline_name: str
    unit: str
    target: str

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.ours / self.baseline


def _ensure_tool(module: str, requirement: str) -> None:
    if importlib.util.find_spec(module) is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", requirement], check=True)


NEUTRAL_CWD = tempfile.gettempdir()
"""Commands run outside the checkout, where ``stackskills/`` would shadow the package."""


def _timed(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | str = NEUTRAL_CWD
) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, env=env, cwd=cwd)
    return time.perf_counter() - start


def _median(repeat: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(repeat))


def bench_detect(repeat: int) -> list[Row]:
    _ensure_tool("deptry", DEPTRY)
    tree = fetch_sdist(LARGE_PROJECT)
    files = sum(1 for _ in tree.rglob("*") if _.is_file())
    stackskills = str(BIN / "stackskills")
    deptry = str(BIN / "deptry")
    cache = Path(tempfile.mkdtemp(prefix="stackskills-bench-cache-"))
    env = {**os.environ, "STACKSKILLS_CACHE_DIR": str(cache)}

    def cold() -> float:
        shutil.rmtree(cache, ignore_errors=True)
        return _timed([stackskills, "detect", str(tree), "--format", "json"], env)

    cold_time = _median(repeat, cold)
    # deptry reads its configuration from the working folder: run it from the tree
    deptry_time = _median(repeat, lambda: _timed([deptry, "."], cwd=tree))
    _timed([stackskills, "detect", str(tree), "--format", "json"], env)  # fill the cache
    warm_process = _median(
        repeat, lambda: _timed([stackskills, "detect", str(tree), "--format", "json"], env)
    )
    startup = _median(
        repeat,
        lambda: _timed([sys.executable, "-c", "import stackskills.detectors.detect"], env),
    )
    os.environ["STACKSKILLS_CACHE_DIR"] = str(cache)
    from stackskills.detectors.detect import detect

    detect(tree)

    def warm_in_process() -> float:
        start = time.perf_counter()
        detect(tree)
        return time.perf_counter() - start

    warm = _median(max(repeat, 5), warm_in_process)

    def plain_walk() -> float:
        start = time.perf_counter()
        for _ in os.walk(tree):
            pass
        return time.perf_counter() - start

    walk_time = _median(max(repeat, 5), plain_walk)
    shutil.rmtree(cache, ignore_errors=True)
    label = f"{LARGE_PROJECT} ({files} files)"
    return [
        Row(f"detect cold, {label}", cold_time, deptry_time, "deptry", "s", "<= 0.5x"),
        Row(f"detect warm (process), {label}", warm_process, startup, "import start-up", "s",
            "<= start-up + 0.05 s"),
        Row(f"detect warm (in process), {label}", warm, walk_time, "os.walk of the tree", "s",
            "<= 0.05 s"),
    ]  # fmt: skip


def print_table(rows: list[Row]) -> None:
    header = ("benchmark", "ours", "baseline", "ratio", "target")
    lines = [header]
    for row in rows:
        baseline = f"{row.baseline:.3f} {row.unit} ({row.baseline_name})" if row.baseline else "-"
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        lines.append((row.name, f"{row.ours:.3f} {row.unit}", baseline, ratio, row.target))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one repetition of each (CI)")
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = parser.parse_args()
    repeat = 1 if args.quick else 5
    rows = bench_detect(repeat)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"ratio": r.ratio} for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
