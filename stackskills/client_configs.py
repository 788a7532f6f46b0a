"""What each MCP client needs to start ``stackskills serve``: the launch command, the JSON entry
in the client's own schema, and where the client keeps its config files.

Kept as data and pure functions so the CLI edge only reads, merges and prints. Schemas follow
each client's documentation: VS Code keys servers by ``servers`` and requires ``type: "stdio"``;
Claude Code's ``.mcp.json`` uses ``mcpServers`` with ``type: "stdio"``; Claude Desktop, Cursor
and Windsurf use ``mcpServers`` with ``command`` and ``args``.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SERVER_NAME = "stackskills"
DOCKER_IMAGE = "stackskills"
DOCKER_WORKSPACE = "/workspace"


@dataclass(frozen=True)
class Launch:
    """How a client spawns the server: one executable and its arguments."""

    command: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class ClientSchema:
    """The parts of a client's config file that differ between clients."""

    servers_key: str
    typed: bool
    """Whether entries carry ``"type": "stdio"`` (VS Code requires it, Claude Code writes it)."""


SCHEMAS: Mapping[str, ClientSchema] = {
    "claude-code": ClientSchema("mcpServers", typed=True),
    "claude-desktop": ClientSchema("mcpServers", typed=False),
    "vscode": ClientSchema("servers", typed=True),
    "cursor": ClientSchema("mcpServers", typed=False),
    "windsurf": ClientSchema("mcpServers", typed=False),
    "json": ClientSchema("mcpServers", typed=False),
}


def running_executable() -> list[str]:
    """This very ``stackskills`` as an absolute command, whether run as a script or ``-m``."""
    script = Path(sys.argv[0])
    if script.name == "stackskills" and script.is_file():
        return [str(script.absolute())]
    return [sys.executable, "-m", "stackskills"]


def launch(via: str, workspace: Path) -> Launch:
    """The serve command for ``--via``: this executable, ``uvx``, or the Docker image."""
    if via == "uvx":
        return Launch("uvx", ("stackskills", "serve", "--workspace", str(workspace)))
    if via == "docker":
        mount = f"{workspace}:{DOCKER_WORKSPACE}:ro"
        args = ("run", "-i", "--rm", "-v", mount, DOCKER_IMAGE, "serve")
        return Launch("docker", (*args, "--workspace", DOCKER_WORKSPACE))
    command, *prefix = running_executable()
    return Launch(command, (*prefix, "serve", "--workspace", str(workspace)))


def server_entry(client: str, server: Launch) -> dict[str, object]:
    """The value stored under the server's name in the client's servers object."""
    entry: dict[str, object] = {"type": "stdio"} if SCHEMAS[client].typed else {}
    entry["command"] = server.command
    entry["args"] = list(server.args)
    return entry


def snippet(client: str, server: Launch) -> dict[str, object]:
    """A whole config document holding just this server, ready to paste."""
    return {SCHEMAS[client].servers_key: {SERVER_NAME: server_entry(client, server)}}


def claude_mcp_add(server: Launch) -> str:
    """The ``claude mcp add`` command line that registers the server with Claude Code."""
    head = ["claude", "mcp", "add", "--transport", "stdio", SERVER_NAME, "--"]
    return shlex.join([*head, server.command, *server.args])


def project_config(client: str, workspace: Path) -> Path | None:
    """The client's config file inside the workspace, or None when it only has a user file."""
    relative = {
        "claude-code": Path(".mcp.json"),
        "vscode": Path(".vscode") / "mcp.json",
        "cursor": Path(".cursor") / "mcp.json",
    }.get(client)
    return None if relative is None else workspace / relative


def user_config(client: str, home: Path, platform: str = sys.platform) -> Path | None:
    """The client's per-user config file on this platform, or None when it has none."""
    if client == "claude-code":
        return home / ".claude.json"
    if client == "cursor":
        return home / ".cursor" / "mcp.json"
    if client == "windsurf":
        return home / ".codeium" / "windsurf" / "mcp_config.json"
    if client == "claude-desktop":
        return _app_config_dir(home, platform) / "Claude" / "claude_desktop_config.json"
    if client == "vscode":
        return _app_config_dir(home, platform) / "Code" / "User" / "mcp.json"
    return None


def _app_config_dir(home: Path, platform: str) -> Path:
    if platform == "darwin":
        return home / "Library" / "Application Support"
    if platform == "win32":
        return Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    return Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
