"""The names ``stackskills config`` and ``export`` accept, apart from ``client_configs``
so that building the command line does not import what only those commands use."""

from __future__ import annotations

CLIENTS = ("claude-code", "claude-desktop", "vscode", "cursor", "windsurf", "json")
VIAS = ("path", "uvx", "docker")
