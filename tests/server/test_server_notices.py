"""Log messages at the level the client chose (``logging/setLevel`` in 2025-11-25, the per-request
``_meta`` opt-in in 2026-07-28) and progress notifications while a workspace is detected."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from mcp_types import LOG_LEVEL_META_KEY, LoggingMessageNotificationParams, RequestParamsMeta

from .conftest import Connect, make_workspace

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning"),
]


def opt_in(level: str) -> RequestParamsMeta:
    """The 2026-07-28 per-request request for log messages at ``level`` and above."""
    return cast(RequestParamsMeta, {LOG_LEVEL_META_KEY: level})


class Logs:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str | None, str]] = []

    async def __call__(self, params: LoggingMessageNotificationParams) -> None:
        self.entries.append((params.level, params.logger, str(params.data)))


class Progress:
    def __init__(self) -> None:
        self.steps: list[tuple[float, float | None, str | None]] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.steps.append((progress, total, message))


async def test_detection_is_logged_to_a_client_that_wants_info(
    connect: Connect, mode: str, workspace: Path
) -> None:
    logs = Logs()
    async with connect(workspaces=[workspace], logging_callback=logs) as client:
        # 2026-07-28: logs are sent only for requests that opt in through _meta.
        await client.call_tool("list_sections", {}, meta=opt_in("info"))
    assert logs.entries == [
        (
            "info",
            "stackskills",
            f"detected {workspace.resolve()}: python 3.9; django, httpx",
        )
    ]


async def test_no_logs_below_the_chosen_level(connect: Connect, mode: str, workspace: Path) -> None:
    logs = Logs()
    async with connect(workspaces=[workspace], logging_callback=logs) as client:
        if mode == "legacy":
            await client.set_logging_level("warning")
            await client.call_tool("list_sections", {})
        else:
            await client.call_tool("list_sections", {}, meta=opt_in("warning"))
    assert logs.entries == []


async def test_2026_client_that_does_not_opt_in_gets_no_logs(
    connect: Connect, mode: str, workspace: Path
) -> None:
    logs = Logs()
    async with connect(workspaces=[workspace], logging_callback=logs) as client:
        await client.call_tool("list_sections", {})
    expected = 1 if mode == "legacy" else 0  # a handshake-era client gets info by default
    assert len(logs.entries) == expected


async def test_first_detection_reports_progress_per_root(connect: Connect, tmp_path: Path) -> None:
    first = make_workspace(tmp_path / "first")
    second = make_workspace(tmp_path / "second")
    progress = Progress()
    async with connect(workspaces=[first, second]) as client:
        await client.call_tool("detect_stack", {}, progress_callback=progress)
        again = Progress()
        await client.call_tool("detect_stack", {}, progress_callback=again)
    assert progress.steps == [
        (0, 2, f"detecting {first.resolve()}"),
        (1, 2, f"detected {first.resolve()}"),
        (2, 2, f"detected {second.resolve()}"),
    ]
    assert again.steps == []  # re-checks of a known tree are too quick to report
