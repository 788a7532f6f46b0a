"""What the transport tests share: the executable, a snippet with a known finding, the
protocol eras and tools the real server must show, a raw ``initialize`` request, and a real
``stackskills serve --http`` process on a free port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

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
START_TIMEOUT = 60.0


@dataclass
class HttpServer:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        assert port is not None
        return port

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def start_http_server(workspace: Path, cache: Path, *args: str) -> HttpServer:
    """``stackskills serve --http --port 0`` for ``workspace``, its output in a log file next
    to the workspace; returns once the banner names the URL."""
    log = workspace.parent / "serve-http.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(EXE), "serve", "--http", "--port", "0", "--workspace", str(workspace), *args],
            cwd=workspace,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            env={**os.environ, "STACKSKILLS_CACHE_DIR": str(cache)},
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = re.search(r"http://\S+/mcp\b", log.read_text())
        if found:
            return HttpServer(process, found.group(0), log)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"no URL from stackskills serve --http:\n{log.read_text()}")
