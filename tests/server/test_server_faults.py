"""Faults a client can cause, against the real ``stackskills serve`` process (raw JSON-RPC lines
on stdio, streamable HTTP) and in process: malformed JSON-RPC, unknown methods, wrong argument
types, a cancelled call, a client that leaves mid-call, and calls in flight while the roots
change. Each fault gets the answer the spec gives it (JSON-RPC 2.0 error codes, MCP tool errors)
or none where none is due, and the next valid request is answered correctly."""

from __future__ import annotations

import ast
import json
import os
import queue
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.session import ListRootsFnT
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    EmptyResult,
    ListRootsResult,
    Request,
    Root,
)
from pydantic import FileUrl

from stackskills.review.context import FileContext, NodeContext
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.target import ReviewTarget, stack_from_spec
from stackskills.server.app import build_server

from .conftest import Connect, first_text, make_workspace
from .transport_shared import EXE, INITIALIZE, SNIPPET, start_http_server

READ_TIMEOUT = 30.0
"""Longest wait for one message from the server: a missing answer fails, it never hangs."""
STOP_TIMEOUT = 30.0
REVIEW_SNIPPET = {"name": "review_code", "arguments": {"code": SNIPPET}}
"""``tools/call`` parameters of a short review."""

BIG_CODE = "".join(
    f"async def handler{i}(rows):\n"
    f"    total = sum(r.size for r in rows if r.ok and r.size > {i})\n"
    "    return [r.name for r in rows if r][:total]\n\n"
    for i in range(2_000)
)
"""About 280 KB without a finding: reviewed in a worker thread for most of a second, time enough
to leave mid-call."""


def snippet_findings(result: dict[str, Any]) -> list[tuple[str, int, int]]:
    content = result["structuredContent"]
    return [(f["rule"], f["line"], f["column"]) for f in content["findings"]]


# --- a real server on stdio, spoken to in raw JSON-RPC lines ------------------------------


class RawStdio:
    """``stackskills serve`` as a subprocess; lines in, parsed messages out through a queue
    (a line that is not JSON arrives as a string, and fails the test that reads it)."""

    def __init__(self, workspace: Path, cache: Path) -> None:
        self.process = subprocess.Popen(
            [str(EXE), "serve", "--workspace", str(workspace)],
            cwd=workspace,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "STACKSKILLS_CACHE_DIR": str(cache)},
        )
        self.inbox: queue.Queue[Any] = queue.Queue()
        self.passed_over: list[Any] = []
        """Messages read while waiting for another one (notifications, other answers)."""
        self._ids = iter(range(100, 1_000_000))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self.inbox.put(json.loads(line))
            except ValueError:
                self.inbox.put(line.decode("utf-8", "replace"))
        self.inbox.put(EOFError("the server closed its output"))

    def send_line(self, line: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + b"\n")
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_line(json.dumps(message).encode())

    def next_id(self) -> int:
        return next(self._ids)

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The next message ``wanted`` accepts; the ones before it go to ``passed_over``."""
        deadline = time.monotonic() + READ_TIMEOUT
        while True:
            try:
                message = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no answer in {READ_TIMEOUT} s; read meanwhile: {self.passed_over}")
            if isinstance(message, EOFError):
                pytest.fail(f"{message}; read before: {self.passed_over}")
            if isinstance(message, str):
                pytest.fail(f"the server wrote a line that is not JSON: {message!r}")
            if isinstance(message, dict) and wanted(message):
                return message
            self.passed_over.append(message)

    def answer_to(self, request_id: int | str | None) -> dict[str, Any]:
        """The response (result or error) whose id is ``request_id`` (None: an id-less error)."""
        return self.wait_for(
            lambda m: "id" in m and m["id"] == request_id and ("result" in m or "error" in m)
        )

    def start(self, method: str, params: dict[str, Any] | None = None) -> int:
        """Send a request without waiting for its answer; its id."""
        request_id = self.next_id()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return request_id

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.answer_to(self.start(method, params))

    def initialize(self, capabilities: dict[str, Any] | None = None) -> None:
        params = {**INITIALIZE["params"], "capabilities": capabilities or {}}
        answer = self.request("initialize", params)
        assert answer["result"]["serverInfo"]["name"] == "stackskills"
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def responses(self) -> list[dict[str, Any]]:
        """The responses among the messages passed over so far."""
        return [
            m
            for m in self.passed_over
            if isinstance(m, dict) and "id" in m and ("result" in m or "error" in m)
        ]

    def drain(self) -> list[Any]:
        """Every message still queued once the server has exited."""
        left: list[Any] = []
        while not isinstance(item := self.inbox.get(timeout=READ_TIMEOUT), EOFError):
            left.append(item)
        return left

    def close(self) -> tuple[int, str]:
        """End the session as a client does (close the server's input): exit code, stderr."""
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=STOP_TIMEOUT)
        return code, self.process.stderr.read().decode("utf-8", "replace")


def assert_serves_a_review(server: RawStdio) -> None:
    """The next valid request after a fault gets its full, correct answer."""
    answer = server.request("tools/call", REVIEW_SNIPPET)
    assert answer["result"]["isError"] is False
    assert snippet_findings(answer["result"]) == [("SKS401", 5, 5)]


@pytest.fixture(scope="module")
def stdio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawStdio]:
    """One server for the malformed-message tests: each fault in turn hits the same process,
    which must keep serving through all of them and still stop cleanly at the end."""
    folder = tmp_path_factory.mktemp("faults")
    server = RawStdio(make_workspace(folder / "shop-project"), folder / "cache")
    server.initialize()
    yield server
    code, stderr = server.close()
    assert code == 0
    assert "Traceback" not in stderr


@pytest.fixture
def served(stdio_server: RawStdio) -> RawStdio:
    stdio_server.passed_over.clear()
    return stdio_server


ID_RULE = 'Invalid Request: "id" must be a string or an integer (not null)'
NEEDS_METHOD = (
    'Invalid Request: a message needs "method" (a request or notification) or "result" or "error"'
)


@pytest.mark.parametrize(
    ("line", "code", "answer_id", "message"),
    [
        (b"this is not JSON", PARSE_ERROR, None, "Parse error: expected ident"),
        (b'{"jsonrpc": "2.0", "id": 7, "method": "tools/li', PARSE_ERROR, None, "Parse error: EOF"),
        (b"\xff\xfe\x00{ not utf-8", PARSE_ERROR, None, "Parse error: "),
        (b"[" * 10_000 + b"]" * 10_000, PARSE_ERROR, None, "Parse error: recursion limit"),
        (
            b'[{"jsonrpc": "2.0", "id": 7, "method": "ping"}]',
            INVALID_REQUEST,
            None,
            "Invalid Request: MCP has no batches; send one message per line",
        ),
        (b"42", INVALID_REQUEST, None, "Invalid Request: a message is a JSON object"),
        (
            b'{"jsonrpc": "1.0", "id": 7, "method": "ping"}',
            INVALID_REQUEST,
            7,
            'Invalid Request: "jsonrpc" must be "2.0"',
        ),
        (
            b'{"id": "seven", "method": "ping"}',
            INVALID_REQUEST,
            "seven",
            'Invalid Request: "jsonrpc" must be "2.0"',
        ),
        (b'{"jsonrpc": "2.0", "id": 7}', INVALID_REQUEST, 7, NEEDS_METHOD),
        (b'{"jsonrpc": "2.0", "id": 7, "params": {}}', INVALID_REQUEST, 7, NEEDS_METHOD),
        (
            b'{"jsonrpc": "2.0", "id": 7, "method": 5}',
            INVALID_REQUEST,
            7,
            'Invalid Request: "method": Input should be a valid string',
        ),
        (
            b'{"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": "all"}',
            INVALID_REQUEST,
            7,
            'Invalid Request: "params": Input should be a valid dictionary',
        ),
        (b'{"jsonrpc": "2.0", "id": null, "method": "ping"}', INVALID_REQUEST, None, ID_RULE),
        (b'{"jsonrpc": "2.0", "id": 1.5, "method": "ping"}', INVALID_REQUEST, None, ID_RULE),
        (b'{"jsonrpc": "2.0", "id": true, "method": "ping"}', INVALID_REQUEST, None, ID_RULE),
        (b'{"jsonrpc": "2.0", "id": {"n": 7}, "method": "ping"}', INVALID_REQUEST, None, ID_RULE),
        (b'{"jsonrpc": "2.0", "id": [7], "method": "ping"}', INVALID_REQUEST, None, ID_RULE),
    ],
    ids=[
        "not-json",
        "truncated",
        "invalid-utf-8",
        "nested-10000-deep",
        "batch",
        "not-an-object",
        "jsonrpc-1.0",
        "no-jsonrpc",
        "no-method",
        "params-but-no-method",
        "method-not-a-string",
        "params-not-an-object",
        "id-null",
        "id-fraction",
        "id-boolean",
        "id-object",
        "id-array",
    ],
)
def test_a_malformed_message_gets_its_json_rpc_error_and_the_next_request_is_served(
    served: RawStdio, line: bytes, code: int, answer_id: int | str | None, message: str
) -> None:
    served.send_line(line)
    answer = served.answer_to(answer_id)
    assert answer["error"]["code"] == code
    assert answer["error"]["message"].startswith(message)
    assert_serves_a_review(served)
    assert served.responses() == []  # the batch's ping, for one, was not run


def test_blank_lines_are_skipped_without_an_answer(served: RawStdio) -> None:
    served.send_line(b"")
    served.send_line(b"   \t")
    assert_serves_a_review(served)
    assert served.responses() == []


def test_a_request_without_id_is_a_notification_and_gets_no_answer(served: RawStdio) -> None:
    served.send({"jsonrpc": "2.0", "method": "tools/list"})
    served.send({"jsonrpc": "2.0", "method": "notifications/no-such-thing", "params": {"x": 1}})
    assert_serves_a_review(served)
    assert served.responses() == []


@pytest.mark.parametrize("method", ["tools/explode", "resources/delete", "rpc.discover", ""])
def test_an_unknown_method_is_method_not_found(served: RawStdio, method: str) -> None:
    answer = served.request(method, {})
    assert answer["error"]["code"] == METHOD_NOT_FOUND
    assert answer["error"]["message"] == "Method not found"
    assert_serves_a_review(served)


@pytest.mark.parametrize(
    "params",
    [{}, {"name": 5}, {"name": "review_code", "arguments": "x = 1"}, {"arguments": {}}],
    ids=["nothing", "name-not-a-string", "arguments-not-an-object", "no-name"],
)
def test_a_malformed_tools_call_is_invalid_params(served: RawStdio, params: dict[str, Any]) -> None:
    answer = served.request("tools/call", params)
    assert answer["error"]["code"] == INVALID_PARAMS
    assert_serves_a_review(served)


WRONG_ARGUMENTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("detect_stack", {"path": 5}, "path", "Input should be a valid string"),
    ("detect_stack", {"path": ["shop"]}, "path", "Input should be a valid string"),
    ("get_guidance", {"topic": 5}, "topic", "Input should be a valid string"),
    ("get_guidance", {"frameworks": "django"}, "frameworks", "Input should be a valid list"),
    ("get_guidance", {"section_ids": [1]}, "section_ids.0", "Input should be a valid string"),
    ("get_guidance", {"budget_tokens": "lots"}, "budget_tokens", "Input should be a valid integer"),
    (
        "get_guidance",
        {"budget_tokens": 5},
        "budget_tokens",
        "Input should be greater than or equal to 200",
    ),
    ("review_code", {}, "code", "Field required"),
    ("review_code", {"code": 5}, "code", "Input should be a valid string"),
    ("review_code", {"code": "x = 1", "filename": 3}, "filename", "Input should be a valid string"),
    (
        "review_code",
        {"code": "x = 1", "framework": ["django"]},
        "framework",
        "Input should be a valid string",
    ),
    ("review_code", {"code": "x = 1", "python": 3.12}, "python", "Input should be a valid string"),
    ("review_file", {}, "path", "Field required"),
    ("review_file", {"path": None}, "path", "Input should be a valid string"),
    ("list_sections", {"framework": 1}, "framework", "Input should be a valid string"),
    ("list_sections", {"active_only": "maybe"}, "active_only", "Input should be a valid boolean"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "argument", "problem"),
    WRONG_ARGUMENTS,
    ids=[f"{tool}-{argument}-{n}" for n, (tool, _, argument, _) in enumerate(WRONG_ARGUMENTS)],
)
def test_a_wrong_argument_type_is_a_tool_error_naming_the_argument(
    served: RawStdio, tool: str, arguments: dict[str, Any], argument: str, problem: str
) -> None:
    answer = served.request("tools/call", {"name": tool, "arguments": arguments})
    result = answer["result"]
    assert result["isError"] is True
    assert "structuredContent" not in result
    text = result["content"][0]["text"]
    assert text.startswith(f"Error executing tool {tool}: ")
    assert f"\n{argument}\n  {problem}" in text
    assert_serves_a_review(served)


# --- a cancelled call and a client that leaves, on stdio ----------------------------------


@pytest.fixture
def roots_client_server(workspace: Path, isolated_cache: Path) -> Iterator[RawStdio]:
    """A server whose client declares roots, so a tool call waits for the client's
    ``roots/list`` answer: a call provably in flight for as long as the test wants."""
    server = RawStdio(workspace, isolated_cache)
    server.initialize({"roots": {"listChanged": True}})
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait(timeout=STOP_TIMEOUT)


def answer_roots(server: RawStdio, asked: dict[str, Any], folder: Path) -> None:
    server.send(
        {
            "jsonrpc": "2.0",
            "id": asked["id"],
            "result": {"roots": [{"uri": folder.resolve().as_uri(), "name": "shop"}]},
        }
    )


def test_a_cancelled_call_gets_no_answer_and_the_session_goes_on(
    roots_client_server: RawStdio, workspace: Path
) -> None:
    server = roots_client_server
    cancelled = server.start("tools/call", REVIEW_SNIPPET)
    asked = server.wait_for(lambda m: m.get("method") == "roots/list")  # the call is in flight
    server.send(
        {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {"requestId": cancelled, "reason": "the user changed their mind"},
        }
    )
    assert server.request("ping")["result"] == {}
    answer_roots(server, asked, workspace)  # too late: the call it was for is gone
    following = server.start("tools/call", REVIEW_SNIPPET)
    # The cancelled call never learnt the roots, so the next one asks again.
    answer_roots(server, server.wait_for(lambda m: m.get("method") == "roots/list"), workspace)
    assert snippet_findings(server.answer_to(following)["result"]) == [("SKS401", 5, 5)]
    code, stderr = server.close()
    assert (code, stderr) == (0, "")
    everything = server.passed_over + server.drain()
    assert [m for m in everything if isinstance(m, dict) and m.get("id") == cancelled] == []


def test_a_client_that_closes_its_input_mid_call_stops_the_server_cleanly(
    roots_client_server: RawStdio,
) -> None:
    server = roots_client_server
    server.start("tools/call", REVIEW_SNIPPET)
    server.wait_for(lambda m: m.get("method") == "roots/list")  # the call waits on the client
    code, stderr = server.close()
    assert (code, stderr) == (0, "")


def test_a_client_process_that_dies_mid_call_stops_the_server_cleanly(
    workspace: Path, isolated_cache: Path
) -> None:
    """Both pipes go at once (no reader left for the answer being written)."""
    process = subprocess.Popen(
        [str(EXE), "serve", "--workspace", str(workspace)],
        cwd=workspace,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "STACKSKILLS_CACHE_DIR": str(isolated_cache)},
    )
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "review_code", "arguments": {"code": BIG_CODE}},
    }
    for message in (INITIALIZE, {"jsonrpc": "2.0", "method": "notifications/initialized"}, call):
        process.stdin.write(json.dumps(message).encode() + b"\n")
    process.stdin.flush()
    assert json.loads(process.stdout.readline())["id"] == 1
    time.sleep(0.2)  # the review is under way
    process.stdin.close()
    process.stdout.close()
    code = process.wait(timeout=STOP_TIMEOUT)
    stderr = process.stderr.read().decode()
    assert (code, stderr) == (0, "")


# --- a client that drops its HTTP connection mid-call -----------------------------------


def http_post(
    port: int, body: dict[str, Any], session: str | None = None
) -> tuple[int, str | None]:
    """A raw POST to /mcp: the status and the session id it names."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=READ_TIMEOUT)
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if session is not None:
        headers |= {"mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
    try:
        connection.request("POST", "/mcp", body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("mcp-session-id")
    finally:
        connection.close()


@pytest.mark.anyio
async def test_an_http_client_that_drops_its_connection_mid_call_leaves_the_server_serving(
    workspace: Path, isolated_cache: Path
) -> None:
    server = start_http_server(workspace, isolated_cache)
    try:
        status, session = http_post(server.port, INITIALIZE)
        assert status == 200 and session is not None
        initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert http_post(server.port, initialized, session)[0] == 202
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "review_code", "arguments": {"code": BIG_CODE}},
            }
        ).encode()
        head = (
            f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
            f"mcp-session-id: {session}\r\nmcp-protocol-version: 2025-11-25\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT) as raw:
            raw.sendall(head + body)
            await anyio.sleep(0.2)  # the review is under way when the connection goes
        async with Client(server.url, mode="auto") as leaving:  # a 2026-07-28 client gives up
            with anyio.move_on_after(0.2) as waited:
                await leaving.call_tool("review_code", {"code": BIG_CODE})
        assert waited.cancelled_caught
        for mode in ("legacy", "auto"):
            async with Client(server.url, mode=mode) as client:
                result = await client.call_tool("review_code", {"code": SNIPPET})
            assert result.structured_content is not None
            findings = result.structured_content["findings"]
            assert [(f["rule"], f["line"]) for f in findings] == [("SKS401", 5)]
    finally:
        stopped = time.monotonic()
        code = server.stop()
    assert code == 0
    assert time.monotonic() - stopped < STOP_TIMEOUT
    assert server.log.read_text().split("Ctrl-C stops it.\n", 1)[1] == ""


# --- in process, both protocol eras -------------------------------------------------------


@pytest.mark.anyio
async def test_in_process_an_unknown_method_is_method_not_found(
    connect: Connect, workspace: Path
) -> None:
    unknown = Request[dict[str, Any] | None, str](method="tools/explode", params=None)
    async with connect(workspaces=[workspace]) as client:
        with pytest.raises(MCPError) as raised:
            await client.session.send_request(unknown, EmptyResult)
        after = await client.call_tool("review_code", {"code": SNIPPET})
    assert raised.value.error.code == METHOD_NOT_FOUND
    assert after.structured_content is not None
    assert [f["rule"] for f in after.structured_content["findings"]] == ["SKS401"]


@pytest.mark.anyio
async def test_in_process_wrong_argument_types_are_tool_errors_naming_the_argument(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        for tool, arguments, argument, problem in WRONG_ARGUMENTS:
            result = await client.call_tool(tool, arguments)
            assert result.is_error is True, (tool, arguments)
            assert result.structured_content is None
            assert f"\n{argument}\n  {problem}" in first_text(result.content)
            after = await client.call_tool("review_code", {"code": SNIPPET})
            assert after.is_error is False


@pytest.mark.anyio
async def test_in_process_a_cancelled_call_is_dropped_and_the_next_one_served(
    workspace: Path,
) -> None:
    """The call waits for the client's roots; the client gives up on it meanwhile."""
    asked = 0
    release = anyio.Event()

    async def roots(context: Any) -> ListRootsResult:
        nonlocal asked
        asked += 1
        if asked == 1:
            await release.wait()
        return ListRootsResult(roots=[Root(uri=FileUrl(workspace.resolve().as_uri()))])

    finished: list[bool] = []
    async with Client(
        build_server([workspace]), mode="legacy", list_roots_callback=roots
    ) as client:
        async with anyio.create_task_group() as group:
            scope = anyio.CancelScope()

            async def doomed() -> None:
                with scope:
                    await client.call_tool("review_code", {"code": SNIPPET})
                    finished.append(True)

            group.start_soon(doomed)
            with anyio.fail_after(READ_TIMEOUT):
                while asked == 0:
                    await anyio.sleep(0.01)
            scope.cancel()
        release.set()
        with anyio.fail_after(5):  # not the 10 s a client that never answers roots would cost
            after = await client.call_tool("review_code", {"code": SNIPPET})
    assert finished == []
    assert asked == 2  # the cancelled call's question died with it; the next call asked again
    assert after.structured_content is not None
    assert [f["rule"] for f in after.structured_content["findings"]] == ["SKS401"]


# --- calls in flight while the roots change -----------------------------------------------

CALLS_IN_FLIGHT = 40


@asynccontextmanager
async def roots_client(transport: str, roots: ListRootsFnT, cache: Path) -> AsyncIterator[Client]:
    """A handshake-era client declaring roots, in process or to a real stdio server."""
    if transport == "memory":
        async with Client(build_server(), mode="legacy", list_roots_callback=roots) as client:
            yield client
        return
    parameters = StdioServerParameters(
        command=str(EXE), args=["serve"], cwd=cache, env={"STACKSKILLS_CACHE_DIR": str(cache)}
    )
    async with Client(parameters, mode="legacy", list_roots_callback=roots) as client:
        yield client


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["memory", "stdio"])
@pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")
async def test_calls_in_flight_during_a_roots_change_are_all_answered(
    transport: str, tmp_path: Path, isolated_cache: Path
) -> None:
    django = make_workspace(tmp_path / "django-app").resolve()
    flask = tmp_path / "flask-app"
    flask.mkdir()
    (flask / "requirements.txt").write_text("flask==3.0.0\n", encoding="utf-8")
    flask = flask.resolve()
    folders = [django]
    asked = 0
    first_question = anyio.Event()
    release = anyio.Event()

    async def roots(context: Any) -> ListRootsResult:
        """Answers with the roots as they were when asked, once the test lets it."""
        nonlocal asked
        asked += 1
        answer = ListRootsResult(roots=[Root(uri=FileUrl(f.as_uri())) for f in folders])
        first_question.set()
        await release.wait()
        return answer

    answered: dict[int, str] = {}
    failed: list[str] = []

    async def call(client: Client, number: int) -> None:
        try:
            if number % 3 == 0:
                result = await client.call_tool("review_code", {"code": SNIPPET})
                content = result.structured_content or {}
                rules = [f["rule"] for f in content.get("findings", [])]
                assert rules == ["SKS401"], result.content
            elif number % 3 == 1:
                result = await client.call_tool("detect_stack", {})
                assert first_text(result.content).startswith(
                    (f"Workspace {django}", f"Workspace {flask}")
                ), result.content
            else:
                result = await client.call_tool("list_sections", {"active_only": True})
            assert result.is_error is False, result.content
            answered[number] = "ok"
        except Exception as exc:  # every call is accounted for
            failed.append(f"call {number}: {exc!r}")

    async with roots_client(transport, roots, isolated_cache) as client:
        with anyio.fail_after(READ_TIMEOUT * 2):
            async with anyio.create_task_group() as group:
                for number in range(CALLS_IN_FLIGHT // 2):
                    group.start_soon(call, client, number)
                await first_question.wait()  # the first call waits on the roots; all are in flight
                folders[:] = [flask]
                await client.send_roots_list_changed()
                for number in range(CALLS_IN_FLIGHT // 2, CALLS_IN_FLIGHT):
                    group.start_soon(call, client, number)
                await anyio.sleep(0.2)
                release.set()
            final = await client.call_tool("detect_stack", {})
    assert failed == []
    assert len(answered) == CALLS_IN_FLIGHT
    assert asked == 2  # once for the burst of calls, once for the change: not once per call
    assert first_text(final.content).startswith(f"Workspace {flask}")


# --- reviews in worker threads --------------------------------------------------------------


def test_review_caches_are_kept_per_file() -> None:
    """The server reviews large code in worker threads, two at a time when two calls come in.
    A cache shared by all threads was reset by each review in turn, so every lookup recomputed
    (a 560 KB module went from 2 s to minutes: the server looked hung) and one review could
    read the dictionary another had just replaced."""
    cache: PerNodeCache[str] = PerNodeCache()
    computed: list[str] = []
    target = ReviewTarget(python=(3, 12), stack=stack_from_spec("django"))

    def context_for(name: str) -> tuple[NodeContext, ast.Module]:
        tree = ast.parse(f"{name} = 1\n")
        return NodeContext(FileContext(f"{name}.py", f"{name} = 1\n", target, tree=tree), []), tree

    def compute(node: ast.AST) -> str:
        assert isinstance(node, ast.Module)
        name = ast.unparse(node).split()[0]
        computed.append(name)
        return name

    first, first_tree = context_for("first")
    assert cache.get(first, first_tree, compute) == "first"
    worker = threading.Thread(target=lambda: cache.get(*context_for("second"), compute))
    worker.start()
    worker.join(timeout=READ_TIMEOUT)
    assert cache.get(first, first_tree, compute) == "first"
    assert computed == ["first", "second"]  # the other thread's file did not evict this one's
