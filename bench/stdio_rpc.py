"""A bare JSON-RPC client over a server's stdin/stdout, for timings: no SDK client in the loop,
so what is measured is the server (and the pipe), as any client would see it at best."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

PROTOCOL_VERSION = "2025-11-25"


class StdioSession:
    def __init__(self, command: list[str], cwd: Path | str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send a request and return its answer, skipping notifications sent meanwhile."""
        self._next_id += 1
        self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the server closed its output while answering {method}")
            answer: dict[str, Any] = json.loads(line)
            if answer.get("id") == self._next_id:
                return answer

    def initialize(self) -> dict[str, Any]:
        answer = self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "stackskills-bench", "version": "1"},
            },
        )
        self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return answer

    def peak_rss_mb(self) -> float | None:
        """The server's peak resident memory so far (Linux ``VmHWM``), None elsewhere."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    def close(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        return self.process.wait(timeout=60)


def spawn_to_initialize(command: list[str], cwd: Path | str, env: dict[str, str]) -> float:
    """Seconds from spawning the server to reading its ``initialize`` answer."""
    start = time.perf_counter()
    session = StdioSession(command, cwd, env)
    answer = session.initialize()
    elapsed = time.perf_counter() - start
    session.close()
    if "result" not in answer:
        raise RuntimeError(f"initialize failed: {answer}")
    return elapsed
