"""What the server remembers about each connected client: its roots, its subscriptions, the log
level it asked for, and which workspace state it last saw (to know when to tell it of a change).

A handshake-era (2025-11-25) client keeps one connection for its session, so this state lives as
long as the connection. A 2026-07-28 client has no session: each request stands alone, its state
is fresh every time, and change notices reach it through ``subscriptions/listen`` instead.
"""

from __future__ import annotations

import warnings
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import anyio
from mcp.server.connection import Connection
from mcp.server.context import ServerRequestContext
from mcp.server.session import ServerSession
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp_types import LoggingLevel
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

LOG_LEVELS: tuple[LoggingLevel, ...] = get_args(LoggingLevel)
"""Least to most severe (RFC 5424 order, as the protocol lists them)."""

DEFAULT_LOG_LEVEL: LoggingLevel = "info"
"""What a handshake-era client gets before it calls ``logging/setLevel``."""

LOGGER_NAME = "stackskills"


@dataclass(eq=False)
class ClientState:
    session: ServerSession
    """The latest request's session; its connection-wide channel carries notices between
    requests."""
    roots: tuple[Path, ...] | None = None
    """The client's declared roots, once asked; None while unknown."""
    roots_stale: bool = True
    roots_lock: anyio.Lock = field(default_factory=anyio.Lock)
    """Held while the client is asked for its roots."""
    subscriptions: set[str] = field(default_factory=set)
    log_level: LoggingLevel = DEFAULT_LOG_LEVEL
    seen: str | None = None
    """Fingerprint of the workspace state this client was last served."""
    seen_roots: tuple[Path, ...] = ()

    @property
    def modern(self) -> bool:
        return self.session.protocol_version in MODERN_PROTOCOL_VERSIONS

    @property
    def declares_roots(self) -> bool:
        """Roots exist only in handshake-era sessions, and only for clients that declare them."""
        capabilities = self.session.client_capabilities
        return not self.modern and capabilities is not None and capabilities.roots is not None


STATE_KEY = "stackskills.client"
"""Where a connection's ``ClientState`` lives in its ``state`` scratch dictionary."""


def _connection_of(session: ServerSession) -> Connection | None:
    """The SDK's object that lives as long as the client's connection.

    The SDK builds a new ``ServerSession`` per request and does not expose its ``Connection``
    publicly yet; without it every request would be treated as a new client (correct, but roots
    would be asked for on every request).
    """
    connection = getattr(session, "_connection", None)
    return connection if isinstance(connection, Connection) else None


class Clients:
    """Per-connection state, kept in the connection's own ``state`` scratch dictionary so that
    it goes when the connection does.

    A dictionary keyed weakly by connection leaked instead: each state holds the latest session,
    the session holds its connection, so no key ever died. A 2026-07-28 client gets a fresh
    connection per request, which made that about 14 KB of memory per tool call, for good.
    """

    def __init__(self) -> None:
        self._connections: weakref.WeakSet[Connection] = weakref.WeakSet()

    def state(self, ctx: ServerRequestContext[Any, Any]) -> ClientState:
        connection = _connection_of(ctx.session)
        state = None if connection is None else connection.state.get(STATE_KEY)
        if isinstance(state, ClientState):
            state.session = ctx.session
            return state
        state = ClientState(session=ctx.session)
        if connection is not None:
            connection.state[STATE_KEY] = state
            self._connections.add(connection)
        return state

    def all(self) -> list[ClientState]:
        """The state of every connection still open (of those that made a request)."""
        states = (connection.state.get(STATE_KEY) for connection in list(self._connections))
        return [state for state in states if isinstance(state, ClientState)]


async def log(
    ctx: ServerRequestContext[Any, Any], state: ClientState, level: LoggingLevel, message: str
) -> None:
    """Send ``notifications/message`` if the client wants this level.

    Handshake-era clients choose with ``logging/setLevel``; 2026-07-28 clients opt in per request
    through ``_meta``, which the SDK's session checks itself.
    """
    if not state.modern and LOG_LEVELS.index(level) < LOG_LEVELS.index(state.log_level):
        return
    with warnings.catch_warnings():
        # Deprecated in 2026-07-28 (opt-in per request there), still how both eras get logs.
        # The warning fires on the call, so the await stays outside the filter.
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        sending = ctx.session.send_log_message(
            level=level, data=message, logger=LOGGER_NAME, related_request_id=ctx.request_id
        )
    await sending
