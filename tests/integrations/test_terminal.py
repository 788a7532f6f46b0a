"""The CLI at a terminal, run as real processes on a pseudo-terminal: colour only on a terminal
and never with NO_COLOR, a progress counter on stderr for long reviews that is erased at the
end, --quiet for notes and warnings, and --help with examples for every command."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

EXE = Path(sys.executable).parent / "stackskills"
BAD = 'def load():\n    raise Exception("boom")\n'
ESC = "\033["


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm"
    env.update(extra)
    return env


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed its end of the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def on_terminal(*args: str, cwd: Path, stream: str = "stdout", **env: str) -> tuple[int, str, str]:
    """Run with ``stream`` on a pseudo-terminal and the other piped: (exit code, out, err)."""
    master, slave = pty.openpty()
    piped = subprocess.PIPE
    process = subprocess.Popen(
        [str(EXE), *args],
        cwd=cwd,
        env=_env(**env),
        stdin=subprocess.DEVNULL,
        stdout=slave if stream == "stdout" else piped,
        stderr=slave if stream == "stderr" else piped,
    )
    os.close(slave)
    terminal = _read_all(master)
    os.close(master)
    other = process.stderr if stream == "stdout" else process.stdout
    assert other is not None
    rest = other.read().decode()
    other.close()
    code = process.wait(timeout=120)
    return (code, terminal, rest) if stream == "stdout" else (code, rest, terminal)


def piped(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_review_colours_the_rule_code_and_section_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    code, out, _ = on_terminal("review", "bad.py", cwd=tmp_path)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"bad.py:2:5: {ESC}1;33mSKS702{ESC}0m raising the generic Exception")
    assert first.endswith(f"{ESC}36m [errors.exception-hierarchy]{ESC}0m")
    plain = piped("review", "bad.py", cwd=tmp_path)
    assert plain.stdout == out.replace(f"{ESC}1;33m", "").replace(f"{ESC}36m", "").replace(
        f"{ESC}0m", ""
    )


def test_no_colour_with_no_color_set_or_when_piped(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    code, out, _ = on_terminal("review", "bad.py", cwd=tmp_path, NO_COLOR="1")
    plain = piped("review", "bad.py", cwd=tmp_path)
    assert (code, plain.returncode) == (1, 1)
    assert ESC not in out
    assert ESC not in plain.stdout
    assert out == plain.stdout


def _django_workspace(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "1"\nrequires-python = ">=3.11"\n'
        'dependencies = ["django>=5.1"]\n'
    )
    return tmp_path


def test_detect_table_header_is_bold_only_on_a_terminal(tmp_path: Path) -> None:
    workspace = _django_workspace(tmp_path)
    code, out, _ = on_terminal("detect", "--format", "text", ".", cwd=workspace)
    assert code == 0
    header = next(line for line in out.splitlines() if "FRAMEWORK" in line)
    assert header.startswith(f"{ESC}1mFRAMEWORK") and header.endswith(f"{ESC}0m")
    _, no_color, _ = on_terminal("detect", "--format", "text", ".", cwd=workspace, NO_COLOR="1")
    plain = piped("detect", "--format", "text", ".", cwd=workspace)
    assert ESC not in no_color
    assert plain.stdout == no_color
    assert out.replace(f"{ESC}1m", "").replace(f"{ESC}0m", "") == plain.stdout


def test_json_is_the_same_on_a_terminal_with_or_without_colour(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    _, out, _ = on_terminal("review", "bad.py", "--format", "json", cwd=tmp_path)
    plain = piped("review", "bad.py", "--format", "json", cwd=tmp_path)
    assert ESC not in out
    assert out == plain.stdout


def _many_files(tmp_path: Path, count: int) -> None:
    for index in range(count):
        (tmp_path / f"m{index:03}.py").write_text(BAD if index == 0 else "x = 1\n")


def test_long_review_counts_progress_on_a_terminal_and_erases_it(tmp_path: Path) -> None:
    _many_files(tmp_path, 80)
    code, out, err = on_terminal("review", ".", cwd=tmp_path, stream="stderr")
    assert code == 1
    assert err.startswith("\rreviewing 1/80\rreviewing 11/80")
    assert err.endswith("\rreviewing 80/80\r\033[K")
    assert out.splitlines()[0].startswith("m000.py:2:5: SKS702 ")  # stdout is piped: no colour
    quiet = on_terminal("review", "--quiet", ".", cwd=tmp_path, stream="stderr")
    assert (quiet[0], quiet[1], quiet[2]) == (1, out, "")
    plain = piped("review", ".", cwd=tmp_path)
    assert (plain.returncode, plain.stdout, plain.stderr) == (1, out, "")


def test_short_review_shows_no_progress(tmp_path: Path) -> None:
    _many_files(tmp_path, 5)
    code, _, err = on_terminal("review", ".", cwd=tmp_path, stream="stderr")
    assert (code, err) == (1, "")


@pytest.mark.parametrize("where", ["global", "command"])
def test_quiet_drops_warnings_but_not_the_output(tmp_path: Path, where: str) -> None:
    broken = tmp_path / "sk" / "broken"
    broken.mkdir(parents=True)
    (broken / "SKILL.md").write_text("nothing\n")
    command = ["skills", "list", "--format", "json", "--skills-dir", "sk"]
    loud = piped(*command, cwd=tmp_path)
    assert loud.returncode == 0
    assert loud.stderr == (
        "warning: sk/broken/SKILL.md:1: no YAML front matter: the file must start with a"
        " '---' line\n"
    )
    args = ["--quiet", *command] if where == "global" else [*command, "--quiet"]
    quiet = piped(*args, cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, loud.stdout, "")


def test_quiet_keeps_errors_and_their_exit_code(tmp_path: Path) -> None:
    result = piped("-q", "review", "missing.py", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "stackskills: error: missing.py: no such file or directory\n",
    )


COMMANDS = [
    ["detect"],
    ["review"],
    ["skills"],
    ["skills", "list"],
    ["skills", "show"],
    ["skills", "validate"],
    ["serve"],
    ["export"],
    ["config"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_examples(tmp_path: Path, command: list[str]) -> None:
    result = piped(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: stackskills {' '.join(command)} ")
    examples = result.stdout.split("\nexamples:\n", 1)[1]
    lines = [line for line in examples.splitlines() if line.startswith("  stackskills ")]
    assert len(lines) >= 2
    # serve's only stderr output is its banner (the URL with --port 0), so it takes no --quiet
    assert ("-q, --quiet" in result.stdout) is (command not in (["skills"], ["serve"]))
