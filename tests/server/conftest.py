"""Shared pieces of the server tests: a small Django + httpx workspace on disk, the two protocol
eras every scenario runs in, and a client connected in process to a freshly built server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.session import IncomingMessage
from mcp_types import TextContent, TextResourceContents

from stackskills.server.app import build_server

PYPROJECT = """\
[project]
name = "shop"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["django>=4.2,<5", "httpx>=0.27"]
"""

VIEWS = """\
import httpx


async def fetch_report(client: httpx.AsyncClient, report_id: str) -> bytes:
    response = await client.get(f"/reports/{report_id}", timeout=None)
    return response.content
"""

MODES = ["legacy", "auto"]
"""``legacy``: the 2025-11-25 initialize handshake; ``auto`` negotiates 2026-07-28 in process."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def make_workspace(root: Path, pyproject: str = PYPROJECT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "shop").mkdir(exist_ok=True)
    (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shop" / "views.py").write_text(VIEWS, encoding="utf-8")
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A Django 4.2 + httpx project targeting Python 3.9."""
    return make_workspace(tmp_path / "shop-project")


Connect = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def connect(mode: str) -> Connect:
    """``async with connect(workspaces=[...], **client_kwargs) as client``, in this test's era."""

    @asynccontextmanager
    async def open_client(
        workspaces: list[Path] | None = None,
        skills_dirs: list[Path] | None = None,
        recheck_seconds: float = 0.0,
        **client_kwargs: Any,
    ) -> AsyncIterator[Client]:
        server = build_server(workspaces or [], skills_dirs or [], recheck_seconds=recheck_seconds)
        async with Client(server, mode=mode, **client_kwargs) as client:
            yield client

    return open_client


def text_of(contents: object) -> str:
    """The text of a resource read's single content."""
    assert isinstance(contents, TextResourceContents)
    return contents.text


def first_text(blocks: list[Any]) -> str:
    block = blocks[0]
    assert isinstance(block, TextContent)
    return block.text


def stack_document(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data


class Inbox:
    """Notifications the client received, in order."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def __call__(self, message: IncomingMessage) -> None:
        self.messages.append(message)

    def methods(self) -> list[str]:
        return [getattr(m, "method", type(m).__name__) for m in self.messages]


DEMO_SKILL = """\
---
name: acme-web
description: Acme's web service conventions; use it when writing Acme services.
version: {version}
license: MIT
---

# Acme web

- [Timeouts](sections/web.timeouts.md)
"""

DEMO_TIMEOUTS = """\
---
id: web.timeouts
title: Bound every outside call
summary: Give each call to another service a deadline.
applies_to: [python]
variants:
  - name: modern
    applies_to: ["python>=3.11"]
  - name: legacy
    applies_to: ["python<3.11"]
tags: [timeouts, httpx]
priority: 80
---

Calls to other services need deadlines{suffix}.

<!-- variant: modern -->
Use asyncio.timeout.
<!-- /variant -->

<!-- variant: legacy -->
Use asyncio.wait_for.
<!-- /variant -->
"""

DEMO_QUERIES = """\
---
id: web.django-queries
title: Query Django models in bulk
summary: Load related rows up front instead of one query per row.
applies_to: ["django>=4.2"]
tags: [django, queries]
priority: 70
---

Use select_related for foreign keys.
"""

DEMO_FLASK = """\
---
id: web.flask-only
title: Flask blueprints
summary: Register views on blueprints.
applies_to: [flask]
priority: 90
---

Use blueprints.
"""


def write_demo_skill(folder: Path, version: str, sections: dict[str, str]) -> Path:
    """``folder/acme-web`` at ``version`` with the given ``{id: markdown}`` sections."""
    skill = folder / "acme-web"
    (skill / "sections").mkdir(parents=True)
    (skill / "SKILL.md").write_text(DEMO_SKILL.format(version=version), encoding="utf-8")
    for section_id, text in sections.items():
        (skill / "sections" / f"{section_id}.md").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def demo_skills(tmp_path: Path) -> list[Path]:
    """Two skill folders: acme-web 1.0.0 (one section) and 2.0.0 (three; 2.0.0 is in use)."""
    old = write_demo_skill(
        tmp_path / "skills-v1", "1.0.0", {"web.timeouts": DEMO_TIMEOUTS.format(suffix=" (v1)")}
    )
    new = write_demo_skill(
        tmp_path / "skills-v2",
        "2.0.0",
        {
            "web.timeouts": DEMO_TIMEOUTS.format(suffix=""),
            "web.django-queries": DEMO_QUERIES,
            "web.flask-only": DEMO_FLASK,
        },
    )
    return [old, new]
