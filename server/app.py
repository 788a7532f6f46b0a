"""Build the stackskills MCP server: one MCPServer with our resources, prompts and tools.

Building is cheap on purpose (clients spawn the server on every launch): nothing is detected or
loaded here; the first request that needs the workspace detects it, after ``initialize``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mcp.server import MCPServer, NotificationOptions
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp_types import EmptyResult, NotificationParams, SetLevelRequestParams

from stackskills import __version__
from stackskills.server.skills_extension import IDENTIFIER as SKILLS_EXTENSION
from stackskills.server.workspace import RECHECK_SECONDS, Workspaces

INSTRUCTIONS = """\
stackskills knows this Python workspace's stack (frameworks and their versions, the target \
Python) and serves the guidance that applies to it.
- Before writing or changing code, call get_guidance with a topic in your own words (e.g. \
"timeouts", "N+1 queries") or with frameworks, and follow the sections it returns.
- After writing code, call review_code (or review_file for a workspace file) and fix each \
finding; every finding links to the section that explains the fix.
- detect_stack tells what the workspace uses and why each section applies; list_sections \
lists every section.
Resources: stackskills://workspace/stack (the detection, JSON), skill://<name>/SKILL.md and \
skill://<name>/sections/<id>.md (the skill version in use), skill://<name>/<version>/... (any \
version).
"""


def build_server(
    workspaces: Sequence[Path] = (),
    skills_dirs: Sequence[Path] = (),
    *,
    recheck_seconds: float = RECHECK_SECONDS,
) -> MCPServer:
    """The server for the client's roots, else ``workspaces``, else the current directory.

    ``skills_dirs`` adds skill folders to the built-in ones; ``recheck_seconds`` bounds how
    often a root is re-checked for changes (0: on every request).
    """
    from stackskills.server import completions, resources
    from stackskills.server.skills_extension import SkillsExtension

    bus = InMemorySubscriptionBus()
    state = Workspaces(workspaces, skills_dirs, bus, recheck_seconds=recheck_seconds)
    server: MCPServer = MCPServer(
        name="stackskills",
        title="stackskills",
        description="Python stack detection, version-aware guidance and code review.",
        version=__version__,
        instructions=INSTRUCTIONS,
        extensions=[SkillsExtension(state)],
        subscriptions=bus,
    )
    lowlevel = lowlevel_server(server)
    resources.register(lowlevel, state)
    completions.register(lowlevel, state)
    _register_client_signals(lowlevel, state)
    _advertise_list_changed(lowlevel)
    server.middleware.append(RegisterOnFirstUse(server, state))
    return server


class RegisterOnFirstUse:
    """Adds the tools and prompts on the first request after the handshake.

    Building a tool derives JSON schemas from its pydantic models, the costliest part of
    start-up; a client spawns the server and waits for ``initialize`` first, which needs no
    tool, so that cost moves out of the way of the handshake it waits on.
    """

    HANDSHAKE = frozenset({"initialize", "server/discover", "ping"})

    def __init__(self, server: MCPServer, state: Workspaces) -> None:
        self._server = server
        self._state = state
        self._done = False

    def register_now(self) -> None:
        if not self._done:
            self._done = True
            from stackskills.server import prompts, tools

            tools.register(self._server, self._state)
            prompts.register(self._server, self._state)

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        if ctx.method not in self.HANDSHAKE and not ctx.method.startswith("notifications/"):
            self.register_now()
        return await call_next(ctx)


def lowlevel_server(server: MCPServer) -> Server[Any]:
    """The SDK's low-level server: request handlers that see the request (the resource list
    depends on the client's roots) are registered there. Not public in the SDK yet (its own
    in-memory transport reads it the same way)."""
    lowlevel: Server[Any] = server._lowlevel_server
    return lowlevel


def _register_client_signals(lowlevel: Server[Any], state: Workspaces) -> None:
    """``logging/setLevel`` (handshake era) and ``notifications/roots/list_changed``."""

    async def on_set_level(
        ctx: ServerRequestContext[Any, Any], params: SetLevelRequestParams
    ) -> EmptyResult:
        state.clients.state(ctx).log_level = params.level
        return EmptyResult()

    async def on_roots_changed(
        ctx: ServerRequestContext[Any, Any], params: NotificationParams
    ) -> None:
        await state.roots_changed(ctx)

    lowlevel.add_request_handler("logging/setLevel", SetLevelRequestParams, on_set_level)
    lowlevel.add_notification_handler(
        "notifications/roots/list_changed", NotificationParams, on_roots_changed
    )


def _advertise_list_changed(lowlevel: Server[Any]) -> None:
    """Handshake-era clients learn ``listChanged`` for resources and prompts (and the skills
    extension) from ``initialize``; MCPServer builds those options without them, so they are
    filled in here (2026-07-28 clients get both from ``server/discover``)."""
    build = lowlevel.create_initialization_options

    def with_list_changed(
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> Any:
        options = notification_options or NotificationOptions(
            prompts_changed=True, resources_changed=True
        )
        # 2025-11-25 capabilities have no ``extensions`` field (the SDK drops it on that wire);
        # ``experimental`` is where clients of that era look for the skills extension.
        experimental = experimental_capabilities or {SKILLS_EXTENSION: {}}
        return build(options, experimental, extensions)

    setattr(lowlevel, "create_initialization_options", with_list_changed)  # noqa: B010
