"""The baseline for spawn-to-initialize: the smallest useful MCPServer, one tool, over stdio.

``stackskills serve`` should start within 1.3x of this in the same venv (bench/run.py).
"""

from __future__ import annotations

from mcp.server import MCPServer

server = MCPServer("minimal")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


if __name__ == "__main__":
    server.run()
