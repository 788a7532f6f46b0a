"""The skills extension (SEP-2640): advertised in both eras, skills/list and skills/get return
each skill in use with verbatim front matter and per-file sha256 digests that match what
resources/read returns."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, PaginatedRequestParams, Request
from pydantic import BaseModel, ConfigDict

from stackskills.server.skills_extension import GetSkillParams

from .conftest import Connect, text_of

pytestmark = pytest.mark.anyio

EXTENSION = "io.modelcontextprotocol/skills"


class Raw(BaseModel):
    """Any result, fields kept as sent."""

    model_config = ConfigDict(extra="allow")


async def call(client: Client, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """Send an extension request and return the raw result."""
    typed = GetSkillParams(**params) if method == "skills/get" else PaginatedRequestParams()
    request: Request[Any, Any] = Request(method=method, params=typed)
    result = await client.session.send_request(request, Raw)
    return result.model_dump()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


async def test_extension_is_advertised_where_each_era_looks(
    connect: Connect, mode: str, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        capabilities = client.server_capabilities
    if mode == "legacy":  # 2025-11-25 capabilities have no `extensions` field
        assert capabilities.experimental == {EXTENSION: {}}
    else:
        assert capabilities.extensions == {EXTENSION: {}}


async def test_skills_list_gives_front_matter_and_complete_digests(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        listing = await call(client, "skills/list", {})
        reads = {}
        for entry in listing["skills"]:
            for resource in entry["resources"]:
                result = await client.read_resource(resource["uri"])
                reads[resource["uri"]] = text_of(result.contents[0]).encode()
    assert (listing["ttlMs"], listing["cacheScope"]) == (0, "private")
    entries = {entry["uri"]: entry for entry in listing["skills"]}
    assert sorted(entries) == ["skill://acme-web/SKILL.md", "skill://python-expert/SKILL.md"]
    acme = entries["skill://acme-web/SKILL.md"]
    assert acme["frontmatter"] == {
        "name": "acme-web",
        "description": "Acme's web service conventions; use it when writing Acme services.",
        "version": "2.0.0",
        "license": "MIT",
    }
    folder = demo_skills[1] / "acme-web"
    files = [
        "SKILL.md",
        *(f"sections/web.{s}.md" for s in ("django-queries", "flask-only", "timeouts")),
    ]
    assert acme["resources"] == [
        {
            "uri": f"skill://acme-web/{name}",
            "digest": digest((folder / name).read_bytes()),
            "size": (folder / name).stat().st_size,
        }
        for name in files
    ]
    for entry in listing["skills"]:
        assert entry["uri"].rsplit("/", 2)[-2] == entry["frontmatter"]["name"]
        for resource in entry["resources"]:
            data = reads[resource["uri"]]
            assert (digest(data), len(data)) == (resource["digest"], resource["size"])


async def test_skills_get_returns_one_entry_or_invalid_params(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        listing = await call(client, "skills/list", {})
        got = await call(client, "skills/get", {"uri": "skill://acme-web/SKILL.md"})
        with pytest.raises(MCPError) as versioned:
            await call(client, "skills/get", {"uri": "skill://acme-web/1.0.0/SKILL.md"})
        with pytest.raises(MCPError) as unknown:
            await call(client, "skills/get", {"uri": "skill://nope/SKILL.md"})
    listed = next(e for e in listing["skills"] if e["uri"] == "skill://acme-web/SKILL.md")
    assert got["skill"] == listed
    assert (got["ttlMs"], got["cacheScope"]) == (0, "private")
    assert versioned.value.error.code == INVALID_PARAMS
    assert versioned.value.error.message == (
        "'skill://acme-web/1.0.0/SKILL.md' is not a skill this server serves; skills: "
        "skill://acme-web/SKILL.md, skill://python-expert/SKILL.md (a skill is named by its "
        "SKILL.md URI; versioned URIs are plain resources)"
    )
    assert unknown.value.error.code == INVALID_PARAMS
