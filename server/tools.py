"""The tools: detect_stack, get_guidance, review_code, review_file, list_sections.

Each returns a readable text (what most clients show the model), ``resource_link``s to the
sections it cites, and ``structuredContent`` matching its output model. A bad argument is a
result with ``isError: true`` whose message says what to send instead; it never ends the session.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from stackskills.detectors.source import within_root
from stackskills.server.models import (
    DetectedWorkspace,
    DetectStackResult,
    GuidanceResult,
    GuidanceSection,
    LeftOutSection,
    ListSectionsResult,
    ReviewOutput,
    SectionListing,
)
from stackskills.server.paths import PathRefused, resolve_in_roots
from stackskills.server.results import (
    MAX_CODE_BYTES,
    activate_in,
    active_info,
    describe_stack,
    detect_folder,
    error,
    link,
    result,
    review_result,
    with_frameworks,
)
from stackskills.server.sections import SelectionError, read_section, select_guidance
from stackskills.server.workspace import Workspaces, WorkspaceView
from stackskills.skills.bundle import DEFAULT_BUDGET_TOKENS

INLINE_REVIEW_CHARS = 50_000
"""Below this a review takes milliseconds and runs on the event loop; above, in a thread, so a
long module does not hold up other requests."""

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

Budget = Annotated[
    int,
    Field(
        ge=200,
        le=200_000,
        description="Most tokens of section text to return (about 4 characters per token).",
    ),
]


def register(server: MCPServer, workspaces: Workspaces) -> None:
    """Add the tools to ``server``; each reads the workspace through ``workspaces``."""
    reviewers: dict[tuple[str, str | None, str | None], Any] = {}

    async def view_of(ctx: Context) -> WorkspaceView:
        return await workspaces.view(ctx.request_context)

    @server.tool(annotations=READ_ONLY, title="Detect the workspace's stack")
    async def detect_stack(
        ctx: Context,
        path: Annotated[
            str | None,
            Field(
                description="A folder inside the workspace (e.g. 'services/api' of a monorepo), "
                "relative to the workspace root or absolute; omit for every workspace root."
            ),
        ] = None,
    ) -> Annotated[CallToolResult, DetectStackResult]:
        """Detect what the Python workspace uses: frameworks with their versions (each with the
        file and line it rests on), the target Python version, sub-projects, and which guidance
        sections apply and why. Call it before giving version-specific advice."""
        view = await view_of(ctx)
        if path is None:
            pairs = list(zip(view.roots, view.active_by_root, strict=True))
            stacks = [(snapshot.stack, list(active)) for snapshot, active in pairs]
        else:
            try:
                folder = resolve_in_roots(path, view.root_paths)
            except (PathRefused, FileNotFoundError) as exc:
                return error(str(exc))
            if not folder.is_dir():
                return error(f"{path!r} is a file; detect_stack takes a folder")
            stack = await detect_folder(view, folder)
            stacks = [(stack, activate_in(view, stack))]
        workspaces_found = [
            DetectedWorkspace(
                root=stack.root,
                python=stack.python,
                frameworks=stack.frameworks,
                projects=stack.projects,
                sections=[active_info(active) for active in active_sections],
                errors=stack.errors,
            )
            for stack, active_sections in stacks
        ]
        text = "\n\n".join(describe_stack(stack, active) for stack, active in stacks)
        return result(DetectStackResult(workspaces=workspaces_found), text)

    @server.tool(annotations=READ_ONLY, title="Get guidance for this workspace")
    async def get_guidance(
        ctx: Context,
        topic: Annotated[
            str | None,
            Field(
                description="What you are working on, in your own words, e.g. 'timeouts on "
                "httpx calls', 'N+1 queries', 'mocking in tests'."
            ),
        ] = None,
        frameworks: Annotated[
            list[str] | None,
            Field(description="Frameworks to get guidance for, e.g. ['django', 'pydantic']."),
        ] = None,
        section_ids: Annotated[
            list[str] | None,
            Field(description="Exact section ids, e.g. ['async.timeouts'] (see list_sections)."),
        ] = None,
        budget_tokens: Budget = DEFAULT_BUDGET_TOKENS,
    ) -> Annotated[CallToolResult, GuidanceResult]:
        """Get the best practices, pitfalls and bad/good examples to follow before writing or
        changing code in this workspace. Give a topic in your own words, or frameworks, or exact
        section ids; with none of them you get the sections active here, most important first.
        Text is rendered for the workspace's versions (e.g. Python 3.8 gets the
        asyncio.wait_for variant, 3.11+ asyncio.timeout). Sections that do not fit
        budget_tokens are listed with links to read later."""
        view = await view_of(ctx)
        try:
            selection = select_guidance(
                view,
                topic=topic,
                frameworks=frameworks,
                section_ids=section_ids,
                budget_tokens=budget_tokens,
            )
        except SelectionError as exc:
            return error(str(exc))
        sections = [
            GuidanceSection(
                id=r.section.id,
                skill=r.section.skill,
                version=r.section.skill_version,
                title=r.section.title,
                uri=r.uri,
                active=r.active,
                reason=r.reason,
                variant=r.variant,
                tokens=r.tokens,
                text=r.text,
            )
            for r in selection.readings
        ]
        left_out = [
            LeftOutSection(id=r.section.id, title=r.section.title, uri=r.uri, tokens=r.tokens)
            for r in selection.left_out
        ]
        model = GuidanceResult(
            selected_by=selection.selected_by,
            sections=sections,
            left_out=left_out,
            tokens=sum(s.tokens for s in sections),
            budget_tokens=budget_tokens,
        )
        parts = [f"# {s.title} ({s.id})\n\n_{s.reason}_\n\n{s.text}" for s in sections]
        if not parts:
            parts.append(f"No section fits in {budget_tokens} tokens; raise budget_tokens.")
        if left_out:
            parts.append(
                "Left out (over budget_tokens; read by uri): "
                + ", ".join(f"{s.id} ({s.uri}, {s.tokens} tokens)" for s in left_out)
            )
        links = [
            link(r.uri, r.section.id, r.section.title, r.reason)
            for r in (*selection.readings, *selection.left_out)
        ]
        return result(model, "\n\n".join(parts), links)

    @server.tool(annotations=READ_ONLY, title="Review Python code")
    async def review_code(
        ctx: Context,
        code: Annotated[str, Field(description="The Python source to review (at most 1 MB).")],
        filename: Annotated[
            str,
            Field(description="Name shown in findings, e.g. 'app/views.py'; not read from disk."),
        ] = "<snippet>",
        framework: Annotated[
            str | None,
            Field(
                description="Frameworks to judge against, adding to or pinning the detected "
                "ones, e.g. 'django' or 'fastapi,pydantic==1.10'."
            ),
        ] = None,
        python: Annotated[
            str | None,
            Field(description="Target Python version, e.g. '3.12'; default: the workspace's."),
        ] = None,
    ) -> Annotated[CallToolResult, ReviewOutput]:
        """Check Python code with deterministic rules derived from the guidance active for this
        workspace (e.g. Django N+1 queries, missing timeouts, outdated typing for the target
        Python). Each finding gives line, column, rule code, message, a fix and a link to the
        section that explains it. Use it on code you wrote or were given before presenting it;
        the workspace's detected stack and the code's own imports decide which rules run."""
        size = len(code.encode("utf-8", "surrogatepass"))
        if size > MAX_CODE_BYTES:
            return error(
                f"code is {size / 2**20:.1f} MB; review_code takes at most 1 MB. Send the part "
                "you changed, or call review_file with the file's path in the workspace."
            )
        from stackskills.review.target import StackSpecError, parse_python

        view = await view_of(ctx)
        try:
            version = parse_python(python)
            stack = with_frameworks(view.primary.stack, framework)
        except StackSpecError as exc:
            message = str(exc).replace("--python", "python").replace("--stack", "framework")
            return error(message)
        key = (view.fingerprint, framework, python)
        reviewer = reviewers.get(key)
        if reviewer is None:
            from stackskills.review.engine import Reviewer

            reviewer = Reviewer(stack=stack, python=version)
            if len(reviewers) > 16:
                reviewers.clear()
            reviewers[key] = reviewer
        if len(code) < INLINE_REVIEW_CHARS:
            outcome = reviewer.review_source(code, filename)
        else:
            outcome = await anyio.to_thread.run_sync(reviewer.review_source, code, filename)
        return review_result(view, outcome, stack)

    @server.tool(annotations=READ_ONLY, title="Review a workspace file")
    async def review_file(
        ctx: Context,
        path: Annotated[
            str,
            Field(
                description="A Python file inside the workspace: relative to the workspace root "
                "(e.g. 'app/views.py') or absolute inside it."
            ),
        ],
    ) -> Annotated[CallToolResult, ReviewOutput]:
        """Review a Python file of the workspace against the guidance active for its project
        (the nearest folder with a manifest); same findings as review_code. Only files inside
        the workspace roots can be read."""
        from stackskills.review.engine import Reviewer
        from stackskills.review.files import project_root, read_source
        from stackskills.review.findings import ReviewResult

        view = await view_of(ctx)
        try:
            file = resolve_in_roots(path, view.root_paths)
        except (PathRefused, FileNotFoundError) as exc:
            return error(str(exc))
        if file.is_dir():
            return error(f"{path!r} is a folder; review_file takes one Python file")
        if not file.is_file():
            return error(
                f"{path!r} is not a regular file (a FIFO, socket or device); review_file "
                "takes one Python file"
            )
        root = next(r for r in view.root_paths if within_root(file, r))
        project = project_root(file)
        if project is None or project == root or not within_root(project, root):
            stack = next(s.stack for s in view.roots if s.root == root)
        else:
            stack = await detect_folder(view, project)
        shown = file.relative_to(root).as_posix()
        source = await anyio.to_thread.run_sync(read_source, file, shown)
        reviewer = Reviewer(stack=stack)
        if isinstance(source, str):
            outcome = await anyio.to_thread.run_sync(reviewer.review_source, source, shown)
        else:
            outcome = ReviewResult(python=reviewer.python_text(), errors=[source])
        return review_result(view, outcome, stack)

    @server.tool(annotations=READ_ONLY, title="List guidance sections")
    async def list_sections(
        ctx: Context,
        framework: Annotated[
            str | None,
            Field(
                description="Keep sections for this framework, e.g. 'fastapi'; 'python' keeps "
                "the general Python ones."
            ),
        ] = None,
        active_only: Annotated[
            bool, Field(description="Keep only the sections that apply to this workspace.")
        ] = False,
    ) -> Annotated[CallToolResult, ListSectionsResult]:
        """List the guidance sections: id, title, one-line summary, which frameworks and
        Python versions each applies to, and whether it applies to this workspace and why.
        Use it to find section ids for get_guidance or the section prompt."""
        from stackskills.skills.search import sections_for_frameworks

        view = await view_of(ctx)
        sections = view.sections_in_use()
        if framework:
            sections = sections_for_frameworks(sections, [framework])
        readings = [read_section(view, section) for section in sections]
        if active_only:
            readings = [r for r in readings if r.active]
        readings.sort(key=lambda r: (not r.active, r.section.id))
        listing = [
            SectionListing(
                id=r.section.id,
                skill=r.section.skill,
                version=r.section.skill_version,
                title=r.section.title,
                summary=r.section.summary,
                applies_to=r.section.gate_text,
                tags=list(r.section.tags),
                rules=list(r.section.rules),
                priority=r.section.priority,
                active=r.active,
                reason=r.reason if r.active else None,
                variant=r.variant,
                uri=r.uri,
            )
            for r in readings
        ]
        lines = [
            f"{'*' if r.active else ' '} {r.section.id}: {r.section.title} [{r.section.gate_text}]"
            for r in readings
        ]
        header = f"{len(listing)} sections (* = active in this workspace)"
        if not listing:
            header = "No section matches; call list_sections without filters to see every one."
        return result(ListSectionsResult(sections=listing), "\n".join([header, *lines]))
