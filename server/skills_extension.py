"""The MCP skills extension (SEP-2640, ``io.modelcontextprotocol/skills``): ``skills/list`` and
``skills/get`` return each skill in use with its verbatim front matter and every file's sha256
digest and size, so a host can verify what it reads with ``resources/read``.

The SEP requires a skill URI's last path segment to be the skill's name, so entries use the
unversioned ``skill://<name>/SKILL.md`` (the version in use); the versioned URIs stay ordinary
resources. The SDK has no skills support yet; the methods are added through its Extension API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mcp.server.context import HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, PaginatedRequestParams, RequestParams

from stackskills.server.resources import SkillFile, read_skill_bytes
from stackskills.server.workspace import Workspaces, WorkspaceView, section_uri, skill_uri

if TYPE_CHECKING:
    from stackskills.skills.model import Skill

IDENTIFIER = "io.modelcontextprotocol/skills"


class GetSkillParams(RequestParams):
    uri: str


def _front_matter(text: str) -> dict[str, Any]:
    """The SKILL.md front matter as JSON values (YAML dates and the like become strings)."""
    from stackskills.skills.frontmatter import split_front_matter

    data = split_front_matter(text).data
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded


def skill_entry(skill: Skill) -> dict[str, Any]:
    """One ``Skill`` entry: URI, front matter, and the complete file manifest with digests."""
    files = [SkillFile(skill, None), *(SkillFile(skill, section) for section in skill.sections)]
    resources = []
    front_matter: dict[str, Any] = {}
    for file in files:
        uri = (
            skill_uri(skill.name)
            if file.section is None
            else section_uri(skill.name, file.section.id)
        )
        data = read_skill_bytes(file, uri)
        if file.section is None:
            front_matter = _front_matter(data.decode("utf-8", "replace"))
        digest = hashlib.sha256(data).hexdigest()
        resources.append({"uri": uri, "digest": f"sha256:{digest}", "size": len(data)})
    return {"uri": skill_uri(skill.name), "frontmatter": front_matter, "resources": resources}


def _cacheable(result: dict[str, Any]) -> dict[str, Any]:
    # The skills depend on the workspace (its own .stackskills/skills), which can change.
    return {**result, "ttlMs": 0, "cacheScope": "private"}


class SkillsExtension(Extension):
    identifier = IDENTIFIER

    def __init__(self, workspaces: Workspaces) -> None:
        self._workspaces = workspaces

    def methods(self) -> Sequence[MethodBinding]:
        return (
            MethodBinding("skills/list", PaginatedRequestParams, self._list),
            MethodBinding("skills/get", GetSkillParams, self._get),
        )

    async def _view(self, ctx: ServerRequestContext[Any, Any]) -> WorkspaceView:
        return await self._workspaces.view(ctx)

    async def _list(
        self, ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams
    ) -> HandlerResult:
        view = await self._view(ctx)
        return _cacheable({"skills": [skill_entry(skill) for skill in view.skills_in_use()]})

    async def _get(
        self, ctx: ServerRequestContext[Any, Any], params: GetSkillParams
    ) -> HandlerResult:
        view = await self._view(ctx)
        for skill in view.skills_in_use():
            if params.uri == skill_uri(skill.name):
                return _cacheable({"skill": skill_entry(skill)})
        served = ", ".join(skill_uri(skill.name) for skill in view.skills_in_use())
        raise MCPError(
            code=INVALID_PARAMS,
            message=f"{params.uri!r} is not a skill this server serves; skills: {served} "
            "(a skill is named by its SKILL.md URI; versioned URIs are plain resources)",
            data={"uri": params.uri},
        )
