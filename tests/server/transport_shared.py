"""What the transport tests share: the executable, a snippet with a known finding, the
protocol eras and tools the real server must show, and a raw ``initialize`` request."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

EXE = Path(sys.executable).parent / "stackskills"
SNIPPET = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
"""A blocking call in a coroutine (SKS401, line 5): flagged whatever the stack."""
ERAS = {"legacy": "2025-11-25", "auto": "2026-07-28"}
"""The protocol version each client mode ends up speaking with the real server."""
TOOLS = ["detect_stack", "get_guidance", "list_sections", "review_code", "review_file"]
INITIALIZE: dict[str, Any] = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}
