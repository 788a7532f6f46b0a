"""``stackskills config CLIENT``: print, or merge into the client's file, the entry that starts
``stackskills serve`` for a workspace, so setting up a client is one command, not hand-editing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from stackskills import client_configs
from stackskills.config_file import ConfigFileError, merge_server

USAGE_ERROR = 2


def run_config(client: str, via: str, workspace: str, *, write: bool, user: bool) -> int:
    """Print the snippet (0), or write it with --write (0); 2 for bad usage or a broken file."""
    folder = Path(workspace).expanduser()
    if not folder.is_dir():
        return _fail(f"workspace {workspace!r} is not a folder")
    server = client_configs.launch(via, folder.resolve())
    if not write:
        if user:
            return _fail("--user goes with --write")
        print(_printed(client, server))
        return 0
    target = _target(client, folder.resolve(), user)
    if target is None:
        return _fail(f"{client} has no config file to write; paste the printed snippet instead")
    schema = client_configs.SCHEMAS[client]
    entry = client_configs.server_entry(client, server)
    try:
        result = merge_server(target, schema.servers_key, client_configs.SERVER_NAME, entry)
    except (ConfigFileError, OSError) as error:
        return _fail(str(error))
    backup = f" (backup: {result.backup})" if result.backup else ""
    print(f"{result.action} {client_configs.SERVER_NAME} in {result.path}{backup}")
    return 0


def _printed(client: str, server: client_configs.Launch) -> str:
    if client == "claude-code":
        return client_configs.claude_mcp_add(server)
    return json.dumps(client_configs.snippet(client, server), indent=2)


def _target(client: str, workspace: Path, user: bool) -> Path | None:
    """The project file unless --user, or the user file for clients that have only that."""
    project = None if user else client_configs.project_config(client, workspace)
    return project or client_configs.user_config(client, Path.home())


def _fail(message: str) -> int:
    print(f"stackskills: error: {message}", file=sys.stderr)
    return USAGE_ERROR
