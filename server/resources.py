"""The resources: the workspace stack and every skill file, versioned and as in use.

URIs (the contract clients and docs name):
- ``stackskills://workspace/stack``: the ``stackskills.workspace/1`` JSON document;
- ``skill://<name>/SKILL.md`` and ``skill://<name>/sections/<id>.md``: the version in use;
- ``skill://<name>/<version>/SKILL.md`` and ``.../sections/<id>.md``: any loaded version.

Skill files are served byte for byte as written (variant blocks included), so the sha256 the
skills extension publishes always matches what a read returns. Active sections are listed first
and rank higher; inactive ones stay listed and readable. The list depends on the client's roots,
so these are served by request handlers that see the request, not by static registrations.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    Annotations,
    EmptyResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    PaginatedRequestParams,
    ReadResourceRequestParams,
    ReadResourceResult,
    Resource,
    ResourceTemplate,
    SubscribeRequestParams,
    TextResourceContents,
    UnsubscribeRequestParams,
)

from stackskills.detectors.source import open_regular_file, within_root
from stackskills.server.workspace import (
    STACK_URI,
    Workspaces,
    WorkspaceView,
    section_uri,
    skill_uri,
)

if TYPE_CHECKING:
    from stackskills.skills.model import Section, Skill

MARKDOWN = "text/markdown"
MAX_SKILL_FILE_BYTES = 1024 * 1024
"""Skill files are prose; anything bigger is not one and is not served."""

TEMPLATE_SKILL = "skill://{name}/SKILL.md"
TEMPLATE_SECTION = "skill://{name}/sections/{id}.md"
TEMPLATE_VERSIONED_SKILL = "skill://{name}/{version}/SKILL.md"
TEMPLATE_VERSIONED_SECTION = "skill://{name}/{version}/sections/{id}.md"

_SKILL_URI = re.compile(
    r"^skill://(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)/(?:(?P<version>\d[0-9A-Za-z.+-]*)/)?"
    r"(?:(?P<skill_md>SKILL\.md)|sections/(?P<id>[a-z0-9]+(?:[.-][a-z0-9]+)*)\.md)$"
)

URI_HELP = (
    f"resources are {STACK_URI}, skill://<name>/SKILL.md, skill://<name>/sections/<id>.md "
    "and skill://<name>/<version>/... (resources/list shows every one)"
)

AUDIENCE_ASSISTANT: list[Any] = ["assistant"]
AUDIENCE_BOTH: list[Any] = ["user", "assistant"]


@dataclass(frozen=True)
class SkillFile:
    """One served skill file: which skill version, which section (None for SKILL.md)."""

    skill: Skill
    section: Section | None

    @property
    def path(self) -> Path:
        return self.skill.path / "SKILL.md" if self.section is None else self.section.path

    @property
    def relative(self) -> str:
        return "SKILL.md" if self.section is None else f"sections/{self.section.id}.md"


def not_found(uri: str, reason: str) -> MCPError:
    return MCPError(code=INVALID_PARAMS, message=f"{reason}; {URI_HELP}", data={"uri": uri})


def resolve_skill_uri(view: WorkspaceView, uri: str) -> SkillFile:
    """The skill file a ``skill://`` URI names; ``MCPError`` (invalid params) otherwise."""
    if "%" in uri or "/../" in uri or "/./" in uri or uri.endswith("/.."):
        raise not_found(
            uri, f"{uri!r} is not served: percent-encoding and dot segments are refused"
        )
    match = _SKILL_URI.match(uri)
    if match is None:
        raise not_found(uri, f"{uri!r} is not a stackskills resource")
    name, version = match["name"], match["version"]
    skill = view.catalog.find(name, version)
    if skill is None:
        versions = [s.version for s in view.catalog.versions(name)]
        if not versions:
            known = ", ".join(view.catalog.names()) or "none"
            raise not_found(uri, f"no skill named {name!r} (skills: {known})")
        raise not_found(uri, f"{name} has no version {version!r} (versions: {', '.join(versions)})")
    if match["skill_md"]:
        return SkillFile(skill, None)
    section = skill.section(match["id"])
    if section is None:
        raise not_found(uri, f"{skill.key} has no section {match['id']!r}")
    return SkillFile(skill, section)


def read_skill_bytes(file: SkillFile, uri: str) -> bytes:
    """The file's bytes, only if it really lies inside its skill folder (a symlinked section
    could point anywhere on disk)."""
    folder = Path(os.path.realpath(file.skill.path))
    real = Path(os.path.realpath(file.path))
    if not within_root(real, folder):
        raise not_found(uri, f"{uri!r} resolves outside its skill folder and is not served")
    try:
        with open_regular_file(real) as handle:  # a FIFO swapped in must not block the server
            data = handle.read(MAX_SKILL_FILE_BYTES + 1)
    except OSError as exc:
        raise MCPError(
            code=INVALID_PARAMS, message=f"cannot read {uri}: {exc.strerror or exc}"
        ) from None
    if len(data) > MAX_SKILL_FILE_BYTES:
        raise not_found(uri, f"{uri!r} is larger than 1 MB and is not served")
    return data


def stack_json(view: WorkspaceView) -> str:
    return json.dumps(view.stack_document(), indent=2) + "\n"


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def list_resources(view: WorkspaceView) -> list[Resource]:
    """Active sections first (most important first), then the stack, the skills' SKILL.md,
    inactive sections, and last every version's files under versioned URIs."""
    active_ids = {(a.section.skill, a.id): a for a in view.active}
    in_use = view.skills_in_use()
    active: list[tuple[int, Resource]] = []
    inactive: list[Resource] = []
    overviews: list[Resource] = []
    for skill in in_use:
        overviews.append(
            Resource(
                uri=skill_uri(skill.name),
                name=skill.name,
                title=f"{skill.name} {skill.version} (skill overview)",
                description=skill.description,
                mime_type=MARKDOWN,
                size=_size(skill.path / "SKILL.md"),
                annotations=Annotations(audience=AUDIENCE_ASSISTANT, priority=0.5),
            )
        )
        for section in skill.sections:
            applied = active_ids.get((skill.name, section.id))
            if applied is not None:
                variant = "" if applied.variant is None else f" (variant {applied.variant.name})"
                description = f"{section.summary} Active here{variant}: {applied.reason}."
                priority = round(0.6 + 0.4 * section.priority / 100, 3)
            else:
                description = f"{section.summary} Not active here; applies to {section.gate_text}."
                priority = round(0.2 * section.priority / 100, 3)
            resource = Resource(
                uri=section_uri(skill.name, section.id),
                name=section.id,
                title=section.title,
                description=description,
                mime_type=MARKDOWN,
                size=_size(section.path),
                annotations=Annotations(audience=AUDIENCE_ASSISTANT, priority=priority),
            )
            if applied is not None:
                active.append((section.priority, resource))
            else:
                inactive.append(resource)
    active.sort(key=lambda pair: (-pair[0], pair[1].name))
    stack = Resource(
        uri=STACK_URI,
        name="workspace-stack",
        title="Workspace stack",
        description="What the workspace uses (frameworks with versions and evidence, target "
        "Python) and which guidance sections apply and why, per workspace root.",
        mime_type="application/json",
        size=len(stack_json(view).encode()),
        annotations=Annotations(audience=AUDIENCE_BOTH, priority=1.0),
    )
    versioned: list[Resource] = []
    for name in view.catalog.names():
        for skill in view.catalog.versions(name):
            versioned.append(
                Resource(
                    uri=skill_uri(name, skill.version),
                    name=f"{name}@{skill.version}",
                    title=f"{name} {skill.version} (skill overview)",
                    description=skill.description,
                    mime_type=MARKDOWN,
                    size=_size(skill.path / "SKILL.md"),
                    annotations=Annotations(audience=AUDIENCE_ASSISTANT, priority=0.1),
                )
            )
            versioned.extend(
                Resource(
                    uri=section_uri(name, section.id, skill.version),
                    name=f"{name}@{skill.version}:{section.id}",
                    title=section.title,
                    description=f"{section.summary} ({name} {skill.version}; applies to "
                    f"{section.gate_text}.)",
                    mime_type=MARKDOWN,
                    size=_size(section.path),
                    annotations=Annotations(audience=AUDIENCE_ASSISTANT, priority=0.1),
                )
                for section in skill.sections
            )
    return [*(r for _, r in active), stack, *overviews, *inactive, *versioned]


TEMPLATES = [
    ResourceTemplate(
        uri_template=TEMPLATE_SKILL,
        name="skill",
        title="Skill overview (version in use)",
        description="A skill's SKILL.md, in the version this server uses; complete {name}.",
        mime_type=MARKDOWN,
    ),
    ResourceTemplate(
        uri_template=TEMPLATE_SECTION,
        name="skill-section",
        title="Skill section (version in use)",
        description="One guidance section of the skill version in use, as written (all "
        "variants); complete {name}, then {id}.",
        mime_type=MARKDOWN,
    ),
    ResourceTemplate(
        uri_template=TEMPLATE_VERSIONED_SKILL,
        name="skill-version",
        title="Skill overview (a given version)",
        description="SKILL.md of one skill version; complete {name}, then {version}.",
        mime_type=MARKDOWN,
    ),
    ResourceTemplate(
        uri_template=TEMPLATE_VERSIONED_SECTION,
        name="skill-version-section",
        title="Skill section (a given version)",
        description="One section of one skill version; complete {name}, {version}, then {id}.",
        mime_type=MARKDOWN,
    ),
]


def register(lowlevel: Server[Any], workspaces: Workspaces) -> None:
    """Serve resources/list, templates, read, subscribe and unsubscribe."""

    async def on_list(
        ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams
    ) -> ListResourcesResult:
        view = await workspaces.view(ctx)
        return ListResourcesResult(resources=list_resources(view))

    async def on_templates(
        ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams
    ) -> ListResourceTemplatesResult:
        return ListResourceTemplatesResult(resource_templates=TEMPLATES)

    async def on_read(
        ctx: ServerRequestContext[Any, Any], params: ReadResourceRequestParams
    ) -> ReadResourceResult:
        uri = str(params.uri)
        if not uri.startswith(("skill://", "stackskills://")):
            raise not_found(uri, f"{uri!r} is not served (files are read with review_file)")
        view = await workspaces.view(ctx)
        if uri == STACK_URI:
            text = stack_json(view)
            mime = "application/json"
        elif uri.startswith("skill://"):
            file = resolve_skill_uri(view, uri)
            text = read_skill_bytes(file, uri).decode("utf-8", "replace")
            mime = MARKDOWN
        else:
            raise not_found(uri, f"{uri!r} is not a stackskills resource")
        return ReadResourceResult(
            contents=[TextResourceContents(uri=uri, text=text, mime_type=mime)]
        )

    async def on_subscribe(
        ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams
    ) -> EmptyResult:
        # Any URI is accepted (clients and the conformance suite subscribe before they list);
        # updates are sent for the stack resource, other changes come as list_changed.
        state = workspaces.clients.state(ctx)
        state.subscriptions.add(str(params.uri))
        await workspaces.view(ctx)  # the baseline a later change is compared with
        return EmptyResult()

    async def on_unsubscribe(
        ctx: ServerRequestContext[Any, Any], params: UnsubscribeRequestParams
    ) -> EmptyResult:
        workspaces.clients.state(ctx).subscriptions.discard(str(params.uri))
        return EmptyResult()

    lowlevel.add_request_handler("resources/list", PaginatedRequestParams, on_list)
    lowlevel.add_request_handler("resources/templates/list", PaginatedRequestParams, on_templates)
    lowlevel.add_request_handler("resources/read", ReadResourceRequestParams, on_read)
    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, on_subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, on_unsubscribe)
