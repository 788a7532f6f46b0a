"""``completion/complete``: skill names, versions and section ids for the resource templates,
frameworks and section ids for the prompts, so a client can offer them as the user types."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp_types import (
    CompleteRequestParams,
    CompleteResult,
    Completion,
    PromptReference,
    ResourceTemplateReference,
)

from stackskills.server.resources import (
    TEMPLATE_SECTION,
    TEMPLATE_SKILL,
    TEMPLATE_VERSIONED_SECTION,
    TEMPLATE_VERSIONED_SKILL,
)
from stackskills.server.workspace import Workspaces, WorkspaceView

MAX_VALUES = 100
"""The protocol's cap on values in one completion."""

BUDGET_CHOICES = ("2000", "4000", "8000", "16000", "32000")


def matching(candidates: Iterable[str], typed: str) -> Completion:
    """Candidates starting with what was typed, then those containing it; order kept."""
    unique = list(dict.fromkeys(candidates))
    needle = typed.lower()
    starts = [c for c in unique if c.lower().startswith(needle)]
    contains = [c for c in unique if needle in c.lower() and c not in starts]
    found = starts + contains
    return Completion(values=found[:MAX_VALUES], total=len(found), has_more=len(found) > MAX_VALUES)


def section_ids(view: WorkspaceView, name: str | None, version: str | None) -> list[str]:
    """Active sections first, so the likely answer is on top."""
    if name is None:
        sections = view.sections_in_use()
    else:
        skill = view.catalog.find(name, version)
        sections = list(skill.sections) if skill is not None else []
    active = {a.id for a in view.active}
    return [s.id for s in sections if s.id in active] + [
        s.id for s in sections if s.id not in active
    ]


def frameworks(view: WorkspaceView) -> list[str]:
    """Detected frameworks first, then every framework a section is written for."""
    from stackskills.skills.requirements import PYTHON

    detected = [f.name for snapshot in view.roots for f in snapshot.stack.frameworks]
    written_for = sorted(
        {
            gate.name
            for section in view.sections_in_use()
            for condition in section.applies_to
            for gate in condition
            if gate.name != PYTHON
        }
    )
    return [name for name in detected if name in written_for] + written_for


def complete(view: WorkspaceView, params: CompleteRequestParams) -> Completion:
    ref, argument = params.ref, params.argument
    given = (params.context.arguments if params.context else None) or {}
    if isinstance(ref, ResourceTemplateReference):
        if ref.uri not in (
            TEMPLATE_SKILL,
            TEMPLATE_SECTION,
            TEMPLATE_VERSIONED_SKILL,
            TEMPLATE_VERSIONED_SECTION,
        ):
            return Completion(values=[])
        if argument.name == "name":
            return matching(view.catalog.names(), argument.value)
        if argument.name == "version":
            name = given.get("name")
            names = [name] if name else view.catalog.names()
            versions = [s.version for n in names for s in view.catalog.versions(n)]
            return matching(versions, argument.value)
        if argument.name == "id":
            version = given.get("version") if ref.uri == TEMPLATE_VERSIONED_SECTION else None
            return matching(section_ids(view, given.get("name"), version), argument.value)
        return Completion(values=[])
    if isinstance(ref, PromptReference):
        if ref.name == "review" and argument.name == "framework":
            return matching(frameworks(view), argument.value)
        if ref.name == "section" and argument.name == "id":
            return matching(section_ids(view, None, None), argument.value)
        if ref.name == "stack-briefing" and argument.name == "budget_tokens":
            return matching(BUDGET_CHOICES, argument.value)
    return Completion(values=[])


def register(lowlevel: Server[Any], workspaces: Workspaces) -> None:
    async def on_complete(
        ctx: ServerRequestContext[Any, Any], params: CompleteRequestParams
    ) -> CompleteResult:
        view = await workspaces.view(ctx)
        return CompleteResult(completion=complete(view, params))

    lowlevel.add_request_handler("completion/complete", CompleteRequestParams, on_complete)
