"""Which folders are served: the client's roots (handshake era, when declared), else
``--workspace``, else the current directory; and telling clients when roots or manifests
change, through notifications (2025-11-25) or the listen stream (2026-07-28)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.shared.subscriptions import PromptsListChanged, ResourcesListChanged, ResourceUpdated
from mcp_types import (
    INTERNAL_ERROR,
    ErrorData,
    ListRootsResult,
    LoggingMessageNotificationParams,
    Root,
)
from pydantic import FileUrl

from stackskills.server.app import build_server

from .conftest import Connect, Inbox, first_text, make_workspace, stack_document, text_of

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning"),
]

STACK_URI = "stackskills://workspace/stack"
CHANGES = [
    "notifications/resources/list_changed",
    "notifications/prompts/list_changed",
    "notifications/resources/updated",
]


class Roots:
    """A client's roots, changeable during the session."""

    def __init__(self, *folders: Path) -> None:
        self.folders = list(folders)
        self.asked = 0

    async def __call__(self, context: Any) -> ListRootsResult:
        self.asked += 1
        return ListRootsResult(
            roots=[Root(uri=FileUrl(folder.resolve().as_uri())) for folder in self.folders]
        )


class Logs:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def __call__(self, params: LoggingMessageNotificationParams) -> None:
        self.texts.append(str(params.data))


async def served_roots(client: Client) -> list[str]:
    document = stack_document(text_of((await client.read_resource(STACK_URI)).contents[0]))
    return [root["root"] for root in document["roots"]]


async def wait_for(inbox: Inbox, methods: list[str]) -> None:
    with anyio.fail_after(5):
        while [m for m in inbox.methods() if m in methods] != methods:
            await anyio.sleep(0.01)


async def test_declared_roots_are_served_in_the_handshake_era_else_the_workspace(
    connect: Connect, mode: str, tmp_path: Path
) -> None:
    declared = make_workspace(tmp_path / "declared")
    configured = make_workspace(tmp_path / "configured")
    roots = Roots(declared)
    async with connect(workspaces=[configured], list_roots_callback=roots) as client:
        served = await served_roots(client)
    if mode == "legacy":
        assert served == [str(declared.resolve())]
        assert roots.asked == 1
    else:  # 2026-07-28 has no roots: the configured workspace is served
        assert served == [str(configured.resolve())]
        assert roots.asked == 0


async def test_client_without_roots_falls_back_to_workspace_then_cwd(
    connect: Connect, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = make_workspace(tmp_path / "configured")
    cwd = make_workspace(tmp_path / "cwd")
    monkeypatch.chdir(cwd)
    async with connect(workspaces=[configured, tmp_path / "missing"]) as client:
        assert await served_roots(client) == [str(configured.resolve())]
    async with connect() as client:
        assert await served_roots(client) == [str(cwd.resolve())]


async def test_several_roots_are_each_detected(connect: Connect, tmp_path: Path) -> None:
    first = make_workspace(tmp_path / "first")
    second = tmp_path / "second"
    second.mkdir()
    (second / "requirements.txt").write_text("flask==3.0.0\n", encoding="utf-8")
    async with connect(workspaces=[first, second]) as client:
        document = stack_document(text_of((await client.read_resource(STACK_URI)).contents[0]))
        detected = await client.call_tool("detect_stack", {})
    assert [(r["root"], [f["name"] for f in r["frameworks"]]) for r in document["roots"]] == [
        (str(first.resolve()), ["django", "httpx"]),
        (str(second.resolve()), ["flask"]),
    ]
    assert detected.structured_content is not None
    assert len(detected.structured_content["workspaces"]) == 2


async def test_changed_roots_are_re_detected_and_the_client_told(tmp_path: Path) -> None:
    django = make_workspace(tmp_path / "django-app")
    flask = tmp_path / "flask-app"
    flask.mkdir()
    (flask / "requirements.txt").write_text("flask==3.0.0\n", encoding="utf-8")
    roots = Roots(django)
    inbox = Inbox()
    # A long recheck interval: the new root is detected because the roots changed.
    server = build_server(recheck_seconds=3600)
    async with Client(
        server, mode="legacy", list_roots_callback=roots, message_handler=inbox
    ) as client:
        assert await served_roots(client) == [str(django.resolve())]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await client.subscribe_resource(STACK_URI)
            roots.folders = [flask]
            await client.send_roots_list_changed()
        await wait_for(inbox, CHANGES)
        assert roots.asked == 2
        assert await served_roots(client) == [str(flask.resolve())]
        listed = [r.uri for r in (await client.list_resources()).resources]
        detected = await client.call_tool("detect_stack", {})
    assert "skill://python-expert/sections/flask.application-factory.md" in listed[:20]
    assert first_text(detected.content).startswith(f"Workspace {flask.resolve()}")
    logs = [m.params.data for m in inbox.messages if m.method == "notifications/message"]
    assert f"detected {flask.resolve()}: python unknown; flask" in logs


async def test_same_roots_again_sends_no_change(tmp_path: Path) -> None:
    folder = make_workspace(tmp_path / "app")
    roots = Roots(folder)
    inbox = Inbox()
    async with Client(
        build_server(), mode="legacy", list_roots_callback=roots, message_handler=inbox
    ) as client:
        await served_roots(client)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await client.send_roots_list_changed()
        with anyio.fail_after(5):
            while roots.asked < 2:
                await anyio.sleep(0.01)
        await served_roots(client)
    assert not any(m in CHANGES for m in inbox.methods())


async def test_manifest_change_is_noticed_and_announced_in_the_handshake_era(
    workspace: Path,
) -> None:
    inbox = Inbox()
    async with Client(
        build_server([workspace], recheck_seconds=0), mode="legacy", message_handler=inbox
    ) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await client.subscribe_resource(STACK_URI)
        assert not any(m in CHANGES for m in inbox.methods())
        pyproject = workspace / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text().replace('"httpx>=0.27"', '"httpx>=0.27", "fastapi>=0.110"')
        )
        await client.list_tools()  # any request re-checks
        await client.list_resources()
        await wait_for(inbox, CHANGES)
        document = stack_document(text_of((await client.read_resource(STACK_URI)).contents[0]))
    assert [f["name"] for f in document["roots"][0]["frameworks"]] == [
        "django",
        "fastapi",
        "httpx",
    ]


async def test_unsubscribed_client_hears_list_changes_but_no_update(workspace: Path) -> None:
    inbox = Inbox()
    async with Client(
        build_server([workspace], recheck_seconds=0), mode="legacy", message_handler=inbox
    ) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await client.subscribe_resource(STACK_URI)
            await client.unsubscribe_resource(STACK_URI)
        (workspace / "requirements.txt").write_text("flask==3.0.0\n", encoding="utf-8")
        await client.list_resources()
        await wait_for(inbox, CHANGES[:2])
    assert "notifications/resources/updated" not in inbox.methods()


async def test_manifest_change_reaches_listeners_in_the_2026_era(workspace: Path) -> None:
    async with Client(build_server([workspace], recheck_seconds=0), mode="auto") as client:
        await client.read_resource(STACK_URI)
        async with client.listen(
            resources_list_changed=True,
            prompts_list_changed=True,
            resource_subscriptions=[STACK_URI],
        ) as subscription:
            (workspace / "requirements.txt").write_text("flask==3.0.0\n", encoding="utf-8")
            await client.list_resources()
            events: list[object] = []
            with anyio.fail_after(5):
                async for event in subscription:
                    events.append(event)
                    if len(events) == 3:
                        break
    assert events == [ResourcesListChanged(), PromptsListChanged(), ResourceUpdated(uri=STACK_URI)]


async def test_unchanged_workspace_sends_nothing(connect: Connect, workspace: Path) -> None:
    inbox = Inbox()
    async with connect(workspaces=[workspace], message_handler=inbox) as client:
        for _ in range(3):
            await client.read_resource(STACK_URI)
            await client.call_tool("list_sections", {"active_only": True})
    assert not any(m in CHANGES for m in inbox.methods())


async def test_roots_that_fail_or_are_not_local_folders_fall_back_to_the_workspace(
    workspace: Path,
) -> None:
    async def failing(context: Any) -> ErrorData:
        return ErrorData(code=INTERNAL_ERROR, message="no roots today")

    async def remote(context: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=FileUrl("file://build-host/srv/app"))])

    for callback, warning in (
        (failing, "roots/list failed (no roots today); using defaults"),
        (remote, "no client root is a local folder; using defaults"),
    ):
        logs = Logs()
        async with Client(
            build_server([workspace]),
            mode="legacy",
            list_roots_callback=callback,
            logging_callback=logs,
        ) as client:
            assert await served_roots(client) == [str(workspace.resolve())]
        assert logs.texts[0] == warning
