"""How tool results are shaped: readable text for the model, ``resource_link``s to the sections
cited, and ``structuredContent`` matching the tool's output model; plus the small stack helpers
the tools and prompts share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from mcp_types import CallToolResult, ContentBlock, ResourceLink, TextContent
from pydantic import BaseModel

from stackskills.detectors.models import Stack
from stackskills.server.models import ActiveSectionInfo, ReviewFinding, ReviewOutput, ReviewProblem
from stackskills.server.workspace import WorkspaceView, section_uri

if TYPE_CHECKING:
    from stackskills.skills.activation import ActiveSection

MAX_CODE_BYTES = 1024 * 1024
"""review_code and the review prompt take a snippet or a module, not a dump: above 1 MB they
refuse."""


def error(message: str) -> CallToolResult:
    """A failed call the model can act on."""
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def result(model: BaseModel, text: str, links: Sequence[ResourceLink] = ()) -> CallToolResult:
    content: list[ContentBlock] = [TextContent(type="text", text=text), *links]
    return CallToolResult(content=content, structured_content=model.model_dump(mode="json"))


def link(uri: str, name: str, title: str, description: str) -> ResourceLink:
    return ResourceLink(
        type="resource_link",
        uri=uri,
        name=name,
        title=title,
        description=description,
        mime_type="text/markdown",
    )


def active_info(active: ActiveSection) -> ActiveSectionInfo:
    return ActiveSectionInfo(
        id=active.id,
        skill=active.section.skill,
        version=active.section.skill_version,
        title=active.section.title,
        reason=active.reason,
        variant=None if active.variant is None else active.variant.name,
        uri=section_uri(active.section.skill, active.id),
    )


async def detect_folder(view: WorkspaceView, folder: Path) -> Stack:
    from stackskills.detectors.detect import detect

    known = next((s.stack for s in view.roots if s.root == folder), None)
    if known is not None:
        return known
    stack: Stack = await anyio.to_thread.run_sync(detect, folder)
    return stack


def activate_in(view: WorkspaceView, stack: Stack) -> list[ActiveSection]:
    from stackskills.skills.activation import activate

    return activate(stack, view.catalog.in_use())


def with_frameworks(stack: Stack, spec: str | None) -> Stack:
    """The workspace stack with ``spec``'s frameworks added (a named one replaces the
    detected entry, so ``pydantic==1.10`` pins the version)."""
    if not spec:
        return stack
    from dataclasses import replace

    from stackskills.review.target import stack_from_spec

    given = stack_from_spec(spec, root=stack.root).frameworks
    names = {framework.name for framework in given}
    kept = [framework for framework in stack.frameworks if framework.name not in names]
    return replace(stack, frameworks=[*kept, *given])


def review_result(view: WorkspaceView, outcome: Any, stack: Stack) -> CallToolResult:
    """Findings with links to their sections, as text and as ``ReviewOutput``."""
    skills_of = {s.id: s.skill for s in view.sections_in_use()}
    findings = [
        ReviewFinding(
            file=f.file,
            line=f.line,
            column=f.column,
            end_line=f.end_line,
            end_column=f.end_column,
            rule=f.rule,
            severity=f.severity,
            message=f.message,
            fix=f.fix,
            section=f.section,
            section_uri=section_uri(skills_of.get(f.section, "python-expert"), f.section),
        )
        for f in outcome.findings
    ]
    problems = [
        ReviewProblem(file=e.file, line=e.line, column=e.column, message=e.message)
        for e in outcome.errors
    ]
    model = ReviewOutput(
        python=outcome.python,
        frameworks=sorted(f.name for f in stack.frameworks),
        findings=findings,
        errors=problems,
    )
    lines = [
        f"{len(findings)} finding{'s' if len(findings) != 1 else ''} "
        f"(judged as Python {outcome.python})"
    ]
    for f in findings:
        fix = f" Fix: {f.fix}" if f.fix else ""
        lines.append(
            f"{f.file}:{f.line}:{f.column}: {f.rule} [{f.severity}] {f.message}.{fix} "
            f"(see {f.section})"
        )
    lines.extend(f"error: {p.file}{f':{p.line}' if p.line else ''}: {p.message}" for p in problems)
    links = [
        link(f.section_uri, f.section, f.section, f"{f.rule} at line {f.line}: {f.message}")
        for f in findings
    ]
    return result(model, "\n".join(lines), links)


def describe_stack(stack: Stack, active: Sequence[ActiveSection]) -> str:
    frameworks = ", ".join(
        f"{f.name} {f.version or f.specifier or '(version unknown)'}" for f in stack.frameworks
    )
    lines = [
        f"Workspace {stack.root}",
        f"Python: {stack.python.target or 'unknown'}",
        f"Frameworks: {frameworks or 'none detected'}",
        f"Active sections ({len(active)}):",
        *(f"- {a.id}: {a.reason}" for a in active),
    ]
    lines.extend(
        f"error: {e.file}{f':{e.line}' if e.line else ''}: {e.message}" for e in stack.errors
    )
    return "\n".join(lines)
