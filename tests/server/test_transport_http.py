"""``stackskills serve --http`` as a real process: an MCP session over streamable HTTP,
DNS-rebinding protection (foreign ``Origin``/``Host`` rejected), a taken port, and stopping
with clients connected."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client

from stackskills import __version__

from .transport_shared import ERAS, EXE, INITIALIZE, SNIPPET, TOOLS, HttpServer, start_http_server


@pytest.fixture
def server(workspace: Path, isolated_cache: Path) -> Iterator[HttpServer]:
    running = start_http_server(workspace, isolated_cache)
    yield running
    if running.process.poll() is None:
        assert running.stop() == 0


def post_initialize(server: HttpServer, **headers: str) -> tuple[int, str]:
    """A raw ``initialize`` POST with the given headers: (status, body as text)."""
    status, _, body = post_initialize_session(server, **headers)
    return status, body


def post_initialize_session(server: HttpServer, **headers: str) -> tuple[int, str | None, str]:
    """A raw ``initialize`` POST: (status, the session id, body as text)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/mcp",
            body=json.dumps(INITIALIZE),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                **headers,
            },
        )
        response = connection.getresponse()
        return response.status, response.getheader("mcp-session-id"), response.read().decode()
    finally:
        connection.close()


def server_name_in(event_stream: str) -> str:
    """``serverInfo.name`` from the ``initialize`` answer in a one-event SSE body."""
    data = next(line for line in event_stream.splitlines() if line.startswith("data: "))
    name: str = json.loads(data.removeprefix("data: "))["result"]["serverInfo"]["name"]
    return name


def test_the_banner_names_the_url_on_localhost_and_the_claude_code_command(
    server: HttpServer, workspace: Path
) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/mcp"
    lines = server.log.read_text().splitlines()
    assert lines[:4] == [
        f"stackskills {__version__}: MCP server at {server.url} (streamable HTTP) "
        f"for {workspace.resolve()} (unless the client declares roots).",
        "To register it with Claude Code, run:",
        f"  claude mcp add --transport http stackskills {server.url}",
        "Ctrl-C stops it.",
    ]


@pytest.mark.anyio
async def test_http_session_lists_tools_and_reviews_code(server: HttpServer, mode: str) -> None:
    async with Client(server.url, mode=mode) as client:
        assert client.protocol_version == ERAS[mode]
        assert client.server_info is not None
        assert client.server_info.name == "stackskills"
        tools = await client.list_tools()
        assert sorted(tool.name for tool in tools.tools) == TOOLS
        result = await client.call_tool("review_code", {"code": SNIPPET, "filename": "views.py"})
    assert result.is_error is False
    assert result.structured_content is not None
    findings = result.structured_content["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("SKS401", 5)]


def test_a_foreign_origin_is_rejected_with_403(server: HttpServer) -> None:
    status, body = post_initialize(server, Origin="http://evil.example.com")
    assert (status, body) == (403, "Invalid Origin header")


def test_a_foreign_host_is_rejected_with_421(server: HttpServer) -> None:
    status, body = post_initialize(server, Host=f"evil.example.com:{server.port}")
    assert (status, body) == (421, "Invalid Host header")


def test_a_lookalike_origin_is_rejected(server: HttpServer) -> None:
    status, _ = post_initialize(server, Origin="http://localhost.evil.example.com")
    assert status == 403


@pytest.mark.parametrize(
    "origin", ["http://localhost:{port}", "http://127.0.0.1:{port}", "http://[::1]:{port}"]
)
def test_localhost_origins_are_accepted(server: HttpServer, origin: str) -> None:
    status, body = post_initialize(server, Origin=origin.format(port=server.port))
    assert status == 200
    assert server_name_in(body) == "stackskills"


def test_a_request_without_origin_is_accepted(server: HttpServer) -> None:
    status, _ = post_initialize(server)
    assert status == 200


def test_it_listens_on_the_loopback_address_only(server: HttpServer) -> None:
    connections = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{server.port}"], capture_output=True, text=True, check=False
    )
    if connections.returncode != 0:
        pytest.skip("ss is not available")
    listening = [line.split()[3] for line in connections.stdout.splitlines()]
    assert listening == [f"127.0.0.1:{server.port}"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_it_cleanly_with_a_session_and_its_event_stream_open(
    server: HttpServer, stop: signal.Signals
) -> None:
    status, session, _ = post_initialize_session(server)
    assert status == 200 and session is not None
    stream = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    stream.request(
        "GET",
        "/mcp",
        headers={
            "Accept": "text/event-stream",
            "mcp-session-id": session,
            "mcp-protocol-version": "2025-11-25",
        },
    )
    assert stream.getresponse().status == 200  # the stream stays open until the server stops
    started = time.monotonic()
    server.process.send_signal(stop)
    assert server.process.wait(timeout=30) == 0
    assert time.monotonic() - started < 15
    stream.close()
    after_banner = server.log.read_text().split("Ctrl-C stops it.\n", 1)[1]
    assert after_banner == ""


def test_a_taken_port_is_a_one_line_error_with_exit_code_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(EXE), "serve", "--http", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr == (
        f"stackskills: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
