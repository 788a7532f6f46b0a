"""``stackskills serve``: run the MCP server over stdio (what clients spawn) or streamable HTTP.

Only the transport edge lives here; ``stackskills.server.app`` builds the server. Clients spawn
the server on every launch, so imports stay lazy and nothing is detected before ``initialize``.
A stop signal (SIGTERM, Ctrl-C) ends a session the way a client does: stdio sees the end of its
input, HTTP stops accepting and closes open streams; either way the exit code is 0.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from stackskills import __version__

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings

USAGE_ERROR = 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
HTTP_PATH = "/mcp"
SHUTDOWN_GRACE_SECONDS = 3
"""How long open HTTP streams (a client's GET stream never ends by itself) may hold a stop."""
CUT_STREAM_MESSAGE = "ASGI callable returned without completing response."

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ServeError(Exception):
    """A problem with the command's arguments, reported as one line and exit code 2."""


def run_serve(
    workspaces: Sequence[str],
    skills_dirs: Sequence[str],
    *,
    http: bool = False,
    host: str | None = None,
    port: int | None = None,
) -> int:
    """Serve until the client leaves or a stop signal; 2 for bad usage, else 0."""
    try:
        if not http and (host is not None or port is not None):
            raise ServeError("--host and --port go with --http (stdio needs neither)")
        host = DEFAULT_HOST if host is None else host
        roots = [_existing_folder(path, "workspace") for path in workspaces]
        extra_skills = [_existing_folder(path, "skills folder") for path in skills_dirs]
        listener = _listen(host, DEFAULT_PORT if port is None else port) if http else None
    except ServeError as error:
        print(f"stackskills: error: {error}", file=sys.stderr)
        return USAGE_ERROR

    from stackskills.server.app import build_server

    server = build_server(roots, extra_skills)
    if listener is not None:
        return _serve_http(server, listener, host, roots)
    return _serve_stdio(server, _command_line(roots, extra_skills), roots)


def _existing_folder(path: str, what: str) -> Path:
    folder = Path(path).expanduser()
    if not folder.exists():
        raise ServeError(f"{what} {path!r} does not exist")
    if not folder.is_dir():
        raise ServeError(f"{what} {path!r} is not a folder")
    return folder.resolve()


def _serving_what(roots: Sequence[Path]) -> str:
    if roots:
        return ", ".join(str(root) for root in roots) + " (unless the client declares roots)"
    return f"the client's roots, else the folder it starts in (here: {Path.cwd()})"


# --- stdio ---------------------------------------------------------------------------------


def _command_line(roots: Sequence[Path], skills_dirs: Sequence[Path]) -> list[str]:
    """This very server as a command a client can spawn: absolute paths, same options."""
    script = Path(sys.argv[0])
    if script.name == "stackskills" and script.is_file():
        command = [str(script.absolute())]
    else:
        command = [sys.executable, "-m", "stackskills"]
    command.append("serve")
    for root in roots:
        command += ["--workspace", str(root)]
    for folder in skills_dirs:
        command += ["--skills-dir", str(folder)]
    return command


def stdio_banner(command: Sequence[str], roots: Sequence[Path]) -> str:
    """What a person who started the server by hand sees: it is waiting for a client."""
    register = shlex.join(["claude", "mcp", "add", "--transport", "stdio", "stackskills", "--"])
    return (
        f"stackskills {__version__}: MCP server on stdio for {_serving_what(roots)}.\n"
        "MCP clients start it themselves; to register it with Claude Code, run:\n"
        f"  {register} {shlex.join(command)}\n"
        "Serving MCP on this terminal until Ctrl-C or end of input.\n"
    )


class StdinRelay:
    """Feeds the SDK's stdio transport from a pipe of ours instead of the real stdin.

    The SDK reads stdin in a worker thread that cannot be cancelled while it waits, so a stop
    signal could not end the session. Relaying through a pipe we own lets a signal do what a
    client does to stop a server: close the server's input, after which the SDK shuts down on
    its normal end-of-input path.
    """

    def __init__(self) -> None:
        self._wire = os.dup(0)
        with open(os.devnull, "rb") as devnull:  # nothing else may read the client's messages
            os.dup2(devnull.fileno(), 0)
        read_end, self._write_end = os.pipe()
        self.stream: TextIO = open(read_end, encoding="utf-8", errors="replace")  # noqa: SIM115
        self._copier = threading.Thread(target=self._copy, name="stdin-relay", daemon=True)

    def start(self) -> None:
        self._copier.start()

    def _copy(self) -> None:
        try:
            while chunk := os.read(self._wire, 1 << 16):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(self._write_end, view) :]
        except OSError:
            pass
        self.stop()

    def stop(self) -> None:
        """End the server's input. Safe from a signal handler and the copier alike: pointing
        the pipe's write end at /dev/null drops the pipe without freeing the descriptor number,
        so a late write from the copier can never land in a file opened meanwhile."""
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), self._write_end)


def _serve_stdio(server: MCPServer, command: Sequence[str], roots: Sequence[Path]) -> int:
    if sys.stdin.isatty():
        print(stdio_banner(command, roots), file=sys.stderr, end="", flush=True)
    relay = StdinRelay()
    sys.stdin = relay.stream
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:  # asked twice: the client or person does not want to wait
            os._exit(128 + signum)
        stopping = True
        relay.stop()

    import anyio

    from stackskills.server.stdio import serve_stdio

    async def serve_until_stopped() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(_stop_on_signals, stop)
            await serve_stdio(server, relay.stream)
            group.cancel_scope.cancel()

    with _stop_signals_call(stop):  # a signal before the loop runs
        relay.start()
        anyio.run(serve_until_stopped)
    return 0


async def _stop_on_signals(stop: Callable[[int, FrameType | None], None]) -> None:
    """Call ``stop`` for each stop signal, from the event loop. A plain handler runs only when
    the main thread runs Python, and the kernel may hand the signal to any thread (the relay's
    copier, the SDK's stdin reader): the main thread then slept on in the event loop and the
    signal was lost. The loop's own handler wakes it whichever thread the signal reached."""
    import anyio

    try:
        with anyio.open_signal_receiver(*STOP_SIGNALS) as signals:
            async for signum in signals:
                stop(signum, None)
    finally:  # the loop puts back the default handlers; the session is not over yet
        for signum in STOP_SIGNALS:
            signal.signal(signum, stop)


@contextmanager
def _stop_signals_call(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, earlier in previous.items():
            signal.signal(signum, earlier)


# --- streamable HTTP -----------------------------------------------------------------------


def _listen(host: str, port: int) -> socket.socket:
    """Bind before anything else starts, so a taken port is a one-line error, not a log."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise ServeError(f"cannot listen on {host!r}: {error.strerror}") from None
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as error:
        listener.close()
        raise ServeError(f"cannot listen on {_authority(host, port)}: {error.strerror}") from None
    return listener


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def transport_security_for(host: str) -> TransportSecuritySettings:
    """DNS-rebinding protection: only localhost names (and the host we were told to bind, when
    it names one address) may appear in ``Host``; only their http origins in ``Origin``."""
    from mcp.server.transport_security import TransportSecuritySettings

    names = ["127.0.0.1", "localhost", "[::1]"]
    if host not in LOOPBACK_HOSTS and host not in WILDCARD_HOSTS:
        names.append(f"[{host}]" if ":" in host else host)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{name}:*" for name in names],
        allowed_origins=[f"http://{name}:*" for name in names],
    )


def http_banner(url: str, roots: Sequence[Path], host: str) -> str:
    register = shlex.join(["claude", "mcp", "add", "--transport", "http", "stackskills", url])
    lines = [
        f"stackskills {__version__}: MCP server at {url} (streamable HTTP) "
        f"for {_serving_what(roots)}.",
        f"To register it with Claude Code, run:\n  {register}",
    ]
    if host not in LOOPBACK_HOSTS:
        lines.append(
            f"warning: listening on {host}, not only on this machine: whoever reaches it "
            "can read the workspace's code through it"
        )
    lines.append("Ctrl-C stops it.")
    return "\n".join(lines) + "\n"


def _serve_http(
    server: MCPServer, listener: socket.socket, host: str, roots: Sequence[Path]
) -> int:
    import logging

    import uvicorn

    logging.getLogger("mcp").setLevel(logging.WARNING)  # not a line per session; rejections stay
    port = listener.getsockname()[1]
    shown_host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    url = f"http://{_authority(shown_host, port)}{HTTP_PATH}"
    app = server.streamable_http_app(
        streamable_http_path=HTTP_PATH, transport_security=transport_security_for(host), host=host
    )
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    http_server = uvicorn.Server(config)

    def expected_at_shutdown(record: logging.LogRecord) -> bool:
        """Stopping cuts the event streams clients keep open; uvicorn calls each an error."""
        return not (http_server.should_exit and record.msg == CUT_STREAM_MESSAGE)

    logging.getLogger("uvicorn.error").addFilter(expected_at_shutdown)
    print(http_banner(url, roots, host), file=sys.stderr, end="", flush=True)
    # uvicorn handles SIGINT/SIGTERM itself, then raises the signal again once it has shut
    # down; quiet handlers underneath turn that into a normal return.
    with _stop_signals_call(lambda signum, frame: None):
        http_server.run(sockets=[listener])
    return 0
