"""``stackskills serve`` over stdio as clients run it: a real subprocess, a real MCP session,
signals, a terminal on stdin, and one-line usage errors."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from stackskills import __version__

from .transport_shared import ERAS, EXE, INITIALIZE, SNIPPET, TOOLS

STOP_TIMEOUT = 20.0


def serve_environment(cache: Path) -> dict[str, str]:
    return {**os.environ, "STACKSKILLS_CACHE_DIR": str(cache)}


@pytest.mark.anyio
async def test_stdio_session_initializes_lists_tools_and_reviews_code(
    workspace: Path, mode: str, isolated_cache: Path
) -> None:
    parameters = StdioServerParameters(
        command=str(EXE),
        args=["serve", "--workspace", str(workspace)],
        cwd=workspace,
        env={"STACKSKILLS_CACHE_DIR": str(isolated_cache)},
    )
    async with Client(parameters, mode=mode) as client:
        assert client.protocol_version == ERAS[mode]
        assert client.server_info is not None
        assert (client.server_info.name, client.server_info.version) == (
            "stackskills",
            __version__,
        )
        tools = await client.list_tools()
        assert sorted(tool.name for tool in tools.tools) == TOOLS
        result = await client.call_tool("review_code", {"code": SNIPPET, "filename": "views.py"})
    assert result.is_error is False
    assert result.structured_content is not None
    findings = result.structured_content["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("SKS401", 5, 5)]


def start_stdio_server(
    workspace: Path, cache: Path, stdin: int = subprocess.PIPE
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(EXE), "serve", "--workspace", str(workspace)],
        cwd=workspace,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=serve_environment(cache),
    )


def initialize(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Send ``initialize`` and read its answer: the server is up and serving."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(INITIALIZE).encode() + b"\n")
    process.stdin.flush()
    answer: dict[str, Any] = json.loads(process.stdout.readline())
    return answer


def test_stdio_server_exits_0_when_the_client_closes_its_input(
    workspace: Path, isolated_cache: Path
) -> None:
    process = start_stdio_server(workspace, isolated_cache)
    assert initialize(process)["result"]["serverInfo"]["name"] == "stackskills"
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=STOP_TIMEOUT) == 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_a_stdio_server_that_waits_for_input(
    workspace: Path, isolated_cache: Path, stop: signal.Signals
) -> None:
    process = start_stdio_server(workspace, isolated_cache)
    initialize(process)  # the client keeps stdin open: the server blocks reading it
    started = time.monotonic()
    process.send_signal(stop)
    assert process.wait(timeout=STOP_TIMEOUT) == 0
    assert time.monotonic() - started < 10
    assert process.stderr is not None
    assert process.stderr.read() == b""


def read_until(stream: Any, marker: bytes, timeout: float = 60.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen += line
    return seen


def test_a_terminal_on_stdin_gets_what_is_served_and_the_claude_code_command(
    workspace: Path, isolated_cache: Path
) -> None:
    controller, terminal = pty.openpty()
    try:
        process = start_stdio_server(workspace, isolated_cache, stdin=terminal)
        assert process.stderr is not None and process.stdout is not None
        banner = read_until(process.stderr, b"Serving MCP").decode()
        os.write(controller, json.dumps(INITIALIZE).encode() + b"\n")
        answer = json.loads(process.stdout.readline())
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=STOP_TIMEOUT) == 0
    finally:
        os.close(terminal)
        os.close(controller)
    assert banner.splitlines() == [
        f"stackskills {__version__}: MCP server on stdio for {workspace.resolve()} "
        "(unless the client declares roots).",
        "MCP clients start it themselves; to register it with Claude Code, run:",
        f"  claude mcp add --transport stdio stackskills -- {EXE} serve "
        f"--workspace {workspace.resolve()}",
        "Serving MCP on this terminal until Ctrl-C or end of input.",
    ]
    assert answer["result"]["serverInfo"]["name"] == "stackskills"


def test_no_banner_when_stdin_is_a_pipe(workspace: Path, isolated_cache: Path) -> None:
    process = start_stdio_server(workspace, isolated_cache)
    initialize(process)
    assert process.stdin is not None and process.stderr is not None
    process.stdin.close()
    assert process.wait(timeout=STOP_TIMEOUT) == 0
    assert b"claude mcp add" not in process.stderr.read()


def run_serve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), "serve", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def test_a_missing_workspace_is_a_one_line_error_with_exit_code_2(tmp_path: Path) -> None:
    result = run_serve("--workspace", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr == f"stackskills: error: workspace '{tmp_path / 'nowhere'}' does not exist\n"
    )
    assert result.stdout == ""


def test_a_workspace_that_is_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    result = run_serve("--workspace", str(tmp_path / "setup.py"), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"stackskills: error: workspace '{tmp_path / 'setup.py'}' is not a folder\n"
    )


def test_a_missing_skills_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_serve("--skills-dir", str(tmp_path / "skills"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"stackskills: error: skills folder '{tmp_path / 'skills'}' does not exist\n"
    )


@pytest.mark.parametrize(
    ("port", "message"),
    [("70000", "port 70000 is not between 0 and 65535"), ("http", "invalid port 'http'")],
)
def test_a_bad_port_is_a_one_line_usage_error(tmp_path: Path, port: str, message: str) -> None:
    result = run_serve("--http", "--port", port, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"stackskills: error: argument --port: {message}\n"


def test_a_port_without_http_is_a_one_line_usage_error(tmp_path: Path) -> None:
    result = run_serve("--port", "9000", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "stackskills: error: --host and --port go with --http (stdio needs neither)\n"
    )


def test_serve_help_shows_examples_with_the_claude_code_command(tmp_path: Path) -> None:
    result = run_serve("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "stackskills serve [-h] [--workspace PATH] [--skills-dir DIR] [--http]" in result.stdout
    assert "claude mcp add --transport stdio stackskills -- stackskills serve" in result.stdout
    assert "stackskills serve --http" in result.stdout
