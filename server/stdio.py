"""The stdio transport, answering every line that is not a JSON-RPC message.

The SDK's stdio reader drops a line it cannot parse or validate (one debug log line), so a
client that sent a malformed request never hears back and waits forever. JSON-RPC 2.0 wants an
error response instead: -32700 for text that is not JSON, -32600 for JSON that is not a valid
message, carrying the request's id when it can be read and null otherwise. Each line is checked
here first; only valid messages reach the SDK, and the others are answered on its output.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any, TextIO

import anyio
import pydantic_core
from anyio.streams.memory import MemoryObjectReceiveStream
from mcp.server import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp_types import (
    INVALID_REQUEST,
    PARSE_ERROR,
    ErrorData,
    JSONRPCError,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    jsonrpc_message_adapter,
)
from pydantic import BaseModel, ValidationError

from stackskills.server.app import lowlevel_server


def rejection(line: str) -> JSONRPCError | None:
    """The error answer to ``line`` when it is not one valid JSON-RPC message; None when it is."""
    try:
        decoded = pydantic_core.from_json(line.strip())
    except ValueError as exc:  # also too deep a nesting: from_json stops at its own limit
        return _answer(None, PARSE_ERROR, f"Parse error: {exc}")
    if isinstance(decoded, list):
        return _answer(
            None, INVALID_REQUEST, "Invalid Request: MCP has no batches; send one message per line"
        )
    if not isinstance(decoded, dict):
        return _answer(None, INVALID_REQUEST, "Invalid Request: a message is a JSON object")
    raw_id = decoded.get("id")
    readable_id = isinstance(raw_id, str) or (type(raw_id) is int)
    answer_id = raw_id if readable_id else None
    if decoded.get("jsonrpc") != "2.0":
        return _answer(answer_id, INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"')
    if "id" in decoded and not readable_id:
        return _answer(
            None, INVALID_REQUEST, 'Invalid Request: "id" must be a string or an integer (not null)'
        )
    try:
        jsonrpc_message_adapter.validate_python(decoded, by_name=False)
    except ValidationError:
        return _answer(answer_id, INVALID_REQUEST, f"Invalid Request: {_problem(decoded)}")
    return None


def _problem(decoded: dict[str, Any]) -> str:
    """What is wrong with a JSON object that is no message, judged as the kind it looks like."""
    kind: type[BaseModel]
    if "method" in decoded:
        kind = JSONRPCRequest if "id" in decoded else JSONRPCNotification
    elif "result" in decoded:
        kind = JSONRPCResponse
    elif "error" in decoded:
        kind = JSONRPCError
    else:
        return 'a message needs "method" (a request or notification) or "result" or "error"'
    try:
        kind.model_validate(decoded, by_name=False)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f'"{where}": {first["msg"]}' if where else str(first["msg"])
    return "not a JSON-RPC 2.0 message"


def _answer(request_id: str | int | None, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))


class CheckedLines(anyio.AsyncFile[str]):
    """The client's lines as the SDK reads them, valid messages only; the answer to each other
    line (blank lines aside) goes to ``rejections``, in order."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._send, self.rejections = anyio.create_memory_object_stream[JSONRPCError](math.inf)

    async def __aiter__(self) -> AsyncIterator[str]:
        with self._send:
            async for line in super().__aiter__():
                if not line.strip():
                    continue
                answer = rejection(line)
                if answer is None:
                    yield line
                else:
                    self._send.send_nowait(answer)


async def serve_stdio(server: MCPServer, stdin: TextIO) -> None:
    """Serve one client: its messages come from ``stdin``, answers go to stdout.

    A client that is gone (its process died, both pipes closed) while an answer is on its way
    ends the session like the end of its input does, instead of with the SDK's traceback.
    """
    lines = CheckedLines(stdin)
    lowlevel = lowlevel_server(server)
    options = lowlevel.create_initialization_options()
    try:
        async with (
            stdio_server(stdin=lines) as (read_stream, write_stream),
            anyio.create_task_group() as group,
        ):
            group.start_soon(_send_rejections, lines.rejections, write_stream)
            await lowlevel.run(read_stream, write_stream, options)
            group.cancel_scope.cancel()
    except Exception as exc:
        if not _only_broken_pipes(exc):
            raise


def _only_broken_pipes(exc: BaseException) -> bool:
    """Whether ``exc`` is a broken pipe, or a task group's exception made only of them (duck
    typed: ``ExceptionGroup`` is not built in on Python 3.10)."""
    inner = getattr(exc, "exceptions", None)
    if isinstance(inner, tuple):
        return all(_only_broken_pipes(each) for each in inner)
    return isinstance(exc, BrokenPipeError)


async def _send_rejections(
    rejections: MemoryObjectReceiveStream[JSONRPCError], write_stream: Any
) -> None:
    async with rejections:
        async for answer in rejections:
            try:
                await write_stream.send(SessionMessage(answer))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return  # the session is over; nobody is left to answer
