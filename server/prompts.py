"""The prompts: review (code against the sections that fit it), stack-briefing (the active
sections under a token budget) and section (one section as it applies here).

Sections travel as embedded ``skill://`` resources, so a client can show where the guidance came
from and a model can cite it; the instructions come last, after the material they refer to.
"""

from __future__ import annotations

import ast
from typing import Annotated

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.prompts.base import Message, UserMessage
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, EmbeddedResource, TextResourceContents
from pydantic import Field

from stackskills.server.results import MAX_CODE_BYTES, describe_stack, with_frameworks
from stackskills.server.sections import (
    SectionReading,
    find_section,
    read_section,
    unknown_section_message,
)
from stackskills.server.workspace import Workspaces, WorkspaceView
from stackskills.skills.bundle import DEFAULT_BUDGET_TOKENS, bundle, priority_key
from stackskills.skills.requirements import PYTHON
from stackskills.skills.search import take_within_budget

REVIEW_BUDGET_TOKENS = DEFAULT_BUDGET_TOKENS


def invalid(message: str) -> MCPError:
    return MCPError(code=INVALID_PARAMS, message=message)


def embed(reading: SectionReading) -> UserMessage:
    return UserMessage(
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(
                uri=reading.uri, text=reading.text, mime_type="text/markdown"
            ),
        )
    )


def parse_budget(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return DEFAULT_BUDGET_TOKENS
    try:
        value = int(raw.strip())
    except ValueError:
        raise invalid(f"budget_tokens must be a whole number of tokens, got {raw!r}") from None
    if not 200 <= value <= 200_000:
        raise invalid(f"budget_tokens must be between 200 and 200000, got {value}")
    return value


def register(server: MCPServer, workspaces: Workspaces) -> None:
    """Add the prompts to ``server``."""

    async def view_of(ctx: Context) -> WorkspaceView:
        return await workspaces.view(ctx.request_context)

    @server.prompt(name="review", title="Review code against this workspace's guidance")
    async def review(
        ctx: Context,
        code: Annotated[str, Field(description="The Python code to review.")],
        framework: Annotated[
            str | None,
            Field(description="Framework the code is for, e.g. 'django' (completion offers them)."),
        ] = None,
    ) -> list[Message]:
        """Review code against the guidance sections that fit this workspace and the code:
        embeds those sections and the findings of stackskills' deterministic checks, then asks
        for a review that cites them."""
        if len(code.encode("utf-8", "surrogatepass")) > MAX_CODE_BYTES:
            raise invalid("code is larger than 1 MB; send the part to review")
        from stackskills.review.engine import Reviewer
        from stackskills.review.target import (
            StackSpecError,
            imported_distributions,
            stack_from_spec,
            with_imports,
        )
        from stackskills.skills.activation import activate

        view = await view_of(ctx)
        try:
            stack = with_frameworks(view.primary.stack, framework)
        except StackSpecError as exc:
            raise invalid(str(exc).replace("--stack", "framework")) from None
        try:
            imported = imported_distributions(ast.parse(code))
        except (SyntaxError, ValueError):
            imported = set()
        reviewer = Reviewer(stack=stack)
        findings = (await anyio.to_thread.run_sync(reviewer.review_source, code)).findings
        judged = with_imports(stack, imported, None)
        named = {f.name for f in stack_from_spec(framework).frameworks} if framework else set()
        wanted = imported | named
        cited = {finding.section for finding in findings}
        relevant = [
            active
            for active in sorted(activate(judged, view.catalog.in_use()), key=priority_key)
            if active.id in cited
            or all(match.name == PYTHON or match.name in wanted for match in active.matches)
        ]
        relevant.sort(key=lambda active: active.id not in cited)
        readings = [
            SectionReading(
                active.section,
                True,
                active.reason,
                None if active.variant is None else active.variant.name,
                active.text,
            )
            for active in relevant
        ]
        taken, _left_out = take_within_budget(readings, lambda r: r.tokens, REVIEW_BUDGET_TOKENS)
        checks = (
            "\n".join(
                f"- line {f.line}: {f.rule} {f.message} (section {f.section})" for f in findings
            )
            or "- nothing"
        )
        frameworks = ", ".join(sorted({f.name for f in judged.frameworks})) or "none"
        instructions = (
            f"Review the Python code below against the {len(taken)} guidance sections above, "
            f"which fit this workspace (Python {judged.python.target or 'unknown'}; frameworks: "
            f"{frameworks}).\n\nstackskills' deterministic checks found:\n{checks}\n\n"
            "Confirm or refute each of those, then look for what the checks cannot see. For "
            "every problem give the line, what is wrong, the section id it breaks, and the "
            "corrected code. Do not flag what the sections do not support.\n\n"
            f"```python\n{code}\n```"
        )
        return [*(embed(r) for r in taken), UserMessage(instructions)]

    @server.prompt(name="stack-briefing", title="Brief me on this workspace's stack")
    async def stack_briefing(
        ctx: Context,
        budget_tokens: Annotated[
            str | None,
            Field(
                description=f"Most tokens of guidance to include (default "
                f"{DEFAULT_BUDGET_TOKENS}, about a twentieth of a typical context)."
            ),
        ] = None,
    ) -> list[Message]:
        """The workspace's stack and every active guidance section that fits the token budget,
        most important first, to read before working in this codebase."""
        budget = parse_budget(budget_tokens)
        view = await view_of(ctx)
        chosen = bundle(view.active, budget)
        stacks = "\n\n".join(
            describe_stack(s.stack, a) for s, a in zip(view.roots, view.active_by_root, strict=True)
        )
        intro = (
            f"This is the stack of the workspace you are working in, and the guidance that "
            f"applies to it ({len(chosen.sections)} sections, about {chosen.tokens} tokens). "
            f"Follow it when writing or reviewing code here.\n\n{stacks}"
        )
        messages: list[Message] = [UserMessage(intro)]
        messages.extend(embed(read_section(view, active.section)) for active in chosen.sections)
        if chosen.omitted:
            left = ", ".join(
                f"{read_section(view, a.section).uri} ({a.tokens} tokens)" for a in chosen.omitted
            )
            messages.append(UserMessage(f"Also active, left out for the budget: {left}"))
        return messages

    @server.prompt(name="section", title="One guidance section")
    async def section(
        ctx: Context,
        id: Annotated[
            str, Field(description="Section id, e.g. 'async.timeouts' (completion offers them).")
        ],
    ) -> list[Message]:
        """One guidance section as it applies to this workspace (the variant for its versions),
        and whether and why it applies here."""
        view = await view_of(ctx)
        found = find_section(view, id.strip())
        if found is None:
            raise invalid(unknown_section_message(view, id))
        reading = read_section(view, found)
        status = "Active in this workspace" if reading.active else "Not active"
        note = (
            f"Guidance section {found.id} ({found.skill} {found.skill_version}): {found.title}. "
            f"{status}: {reading.reason}. Apply it to the code we are working on."
        )
        return [embed(reading), UserMessage(note)]
