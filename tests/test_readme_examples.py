"""The README's examples are true: every ``console`` block is run and its output compared.

A ``console`` block holds ``$ command`` lines, each followed by the output it prints. The
commands run from the repository root with a fresh cache, ``stackskills`` (or
``.venv/bin/stackskills``) standing for the installed executable. Absolute paths differ between
machines, so the checkout is shown as ``/path/to/stackskills`` and the executable as
``/path/to/stackskills/.venv/bin/stackskills``. Output that is JSON is compared as data, where a
string ``"..."`` stands for any value and a list ending in ``"..."`` for any further items, so
the README can indent a long document and cut it short; everything else is compared line by
line. The quick start's test command is the one CI runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
EXE = Path(sys.executable).parent / "stackskills"
SHOWN_REPO = "/path/to/stackskills"
SHOWN_EXE = f"{SHOWN_REPO}/.venv/bin/stackskills"
ANY = "..."


@dataclass(frozen=True)
class Example:
    line: int
    command: str
    expected: str

    def __str__(self) -> str:
        return f"README.md:{self.line}: $ {self.command}"


def console_examples(text: str) -> list[Example]:
    """Every ``$ command`` of every console block, with the lines printed after it."""
    examples: list[Example] = []
    for block in re.finditer(r"^```console\n(.*?)^```$", text, re.MULTILINE | re.DOTALL):
        first_line = text.count("\n", 0, block.start()) + 2
        command: str | None = None
        start = 0
        output: list[str] = []
        for offset, line in enumerate(block.group(1).splitlines()):
            if line.startswith("$ "):
                if command is not None:
                    examples.append(Example(start, command, "\n".join(output)))
                command, start, output = line[2:], first_line + offset, []
            else:
                output.append(line)
        if command is not None:
            examples.append(Example(start, command, "\n".join(output)))
    return examples


EXAMPLES = console_examples(README.read_text(encoding="utf-8"))


def run(example: Example, cache: Path) -> str:
    argv = shlex.split(example.command)
    assert argv[0] in {"stackskills", ".venv/bin/stackskills"}, f"{example}: not ours to run"
    env = {**os.environ, "STACKSKILLS_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    result = subprocess.run(
        [str(EXE), *argv[1:]], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode in {0, 1}, f"{example}: exit {result.returncode}\n{result.stderr}"
    return result.stdout.replace(str(EXE), SHOWN_EXE).replace(str(REPO), SHOWN_REPO)


def matches(expected: object, actual: object, where: str = "$") -> list[str]:
    """Differences between the README's JSON and the real one; ``"..."`` matches anything."""
    if expected == ANY:
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        problems = [f"{where}: keys {sorted(expected)} != {sorted(actual)}"]
        if expected.keys() == actual.keys():
            problems = []
        for key in expected.keys() & actual.keys():
            problems += matches(expected[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list) and isinstance(actual, list):
        shown = expected[:-1] if expected and expected[-1] == ANY else expected
        if len(shown) > len(actual) or (shown is expected and len(shown) != len(actual)):
            return [f"{where}: {len(actual)} items, the README shows {len(expected)}"]
        problems = []
        for index, item in enumerate(shown):
            problems += matches(item, actual[index], f"{where}[{index}]")
        return problems
    return [] if expected == actual else [f"{where}: README {expected!r} != {actual!r}"]


def test_the_readme_has_an_example_of_every_command() -> None:
    commands = {shlex.split(example.command)[1] for example in EXAMPLES}
    assert {"detect", "review", "skills", "config"} <= commands


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_readme_example_prints_what_the_readme_shows(example: Example, tmp_path: Path) -> None:
    actual = run(example, tmp_path / "cache")
    try:
        expected_data = json.loads(example.expected)
    except json.JSONDecodeError:
        expected_lines = [line.rstrip() for line in example.expected.strip("\n").splitlines()]
        actual_lines = [line.rstrip() for line in actual.strip("\n").splitlines()]
        assert actual_lines == expected_lines, f"{example}\nreal output:\n{actual}"
    else:
        problems = matches(expected_data, json.loads(actual))
        assert not problems, f"{example}\n" + "\n".join(problems) + f"\nreal output:\n{actual}"


def test_the_json_comparison_catches_a_wrong_value_and_allows_a_cut_list() -> None:
    real = {"a": [1, 2, 3], "b": {"c": "x"}}
    assert matches({"a": [1, ANY], "b": {"c": ANY}}, real) == []
    assert matches({"a": [1, 2], "b": {"c": "x"}}, real) == ["$.a: 3 items, the README shows 2"]
    assert matches({"a": [1, 2, 3], "b": {"c": "y"}}, real) == ["$.b.c: README 'y' != 'x'"]
    assert matches({"a": [1, 2, 3]}, real) == ["$: keys ['a'] != ['a', 'b']"]


def test_ci_runs_the_quick_start_test_command() -> None:
    readme = README.read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^python3 -m venv .*$", quick_start, re.MULTILINE)
    assert len(commands) == 2, "the quick start is two commands"
    test_command = commands[1].split("  #")[0].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci, f".ci/run does not run the README's {test_command!r}"
