"""Prompts: review, stack-briefing and section, their arguments, and what they embed; in both
protocol eras."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, EmbeddedResource, GetPromptResult, TextContent

from stackskills.skills.tokens import estimate_tokens

from .conftest import Connect

pytestmark = pytest.mark.anyio

SNIPPET = """\
import httpx


async def load(client: httpx.AsyncClient) -> bytes:
    response = await client.get("/report", timeout=None)
    return response.content
"""

LEGACY_TEXT = "Calls to other services need deadlines.\n\nUse asyncio.wait_for.\n"


def embedded(result: GetPromptResult) -> list[tuple[str, str]]:
    """(uri, text) of every embedded resource, in order."""
    found = []
    for message in result.messages:
        content = message.content
        if isinstance(content, EmbeddedResource):
            resource = content.resource
            assert resource.mime_type == "text/markdown"
            found.append((resource.uri, getattr(resource, "text", "")))
    return found


def texts(result: GetPromptResult) -> list[str]:
    return [m.content.text for m in result.messages if isinstance(m.content, TextContent)]


async def test_prompts_are_listed_with_their_arguments(connect: Connect, workspace: Path) -> None:
    async with connect(workspaces=[workspace]) as client:
        prompts = (await client.list_prompts()).prompts
    assert [p.name for p in prompts] == ["review", "stack-briefing", "section"]
    arguments = {p.name: [(a.name, a.required) for a in p.arguments or []] for p in prompts}
    assert arguments == {
        "review": [("code", True), ("framework", False)],
        "stack-briefing": [("budget_tokens", False)],
        "section": [("id", True)],
    }
    for prompt in prompts:
        assert prompt.title and prompt.description
        assert all(a.description for a in prompt.arguments or [])


async def test_section_prompt_embeds_the_variant_that_applies_and_says_why(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        active = await client.get_prompt("section", {"id": "web.timeouts"})
        inactive = await client.get_prompt("section", {"id": "web.flask-only"})
    assert embedded(active) == [("skill://acme-web/sections/web.timeouts.md", LEGACY_TEXT)]
    assert [m.role for m in active.messages] == ["user", "user"]
    assert texts(active) == [
        "Guidance section web.timeouts (acme-web 2.0.0): Bound every outside call. Active in "
        "this workspace: python 3.9 meets python (pyproject.toml:4); variant 'legacy' because "
        "python 3.9 meets python<3.11. Apply it to the code we are working on."
    ]
    assert embedded(inactive) == [
        ("skill://acme-web/sections/web.flask-only.md", "Use blueprints.\n")
    ]
    assert texts(inactive)[0].endswith(
        "Not active: not active in this workspace; applies to flask. Apply it to the code we "
        "are working on."
    )


async def test_section_prompt_with_an_unknown_id_is_invalid_params(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("section", {"id": "web.flask"})
    assert caught.value.error.code == INVALID_PARAMS
    assert caught.value.error.message.startswith(
        "unknown section id 'web.flask'; did you mean web.flask-only"
    )


async def test_stack_briefing_fits_active_sections_in_the_budget(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        full = await client.get_prompt("stack-briefing", {})
        tight = await client.get_prompt("stack-briefing", {"budget_tokens": "300"})
    intro = texts(full)[0]
    assert intro.startswith("This is the stack of the workspace you are working in")
    assert f"Workspace {workspace.resolve()}\nPython: 3.9\n" in intro
    uris = [uri for uri, _ in embedded(full)]
    assert "skill://acme-web/sections/web.timeouts.md" in uris
    assert "skill://acme-web/sections/web.django-queries.md" in uris
    assert "skill://acme-web/sections/web.flask-only.md" not in uris
    assert dict(embedded(full))["skill://acme-web/sections/web.timeouts.md"] == LEGACY_TEXT
    tight_sections = embedded(tight)
    assert sum(estimate_tokens(text) for _, text in tight_sections) <= 300
    assert len(tight_sections) < len(uris)
    assert texts(tight)[-1].startswith("Also active, left out for the budget: skill://")


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("lots", "budget_tokens must be a whole number of tokens, got 'lots'"),
        ("50", "budget_tokens must be between 200 and 200000, got 50"),
    ],
)
async def test_stack_briefing_bad_budget_is_invalid_params(
    connect: Connect, workspace: Path, budget: str, message: str
) -> None:
    async with connect(workspaces=[workspace]) as client:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("stack-briefing", {"budget_tokens": budget})
    assert (caught.value.error.code, caught.value.error.message) == (INVALID_PARAMS, message)


async def test_review_prompt_embeds_the_cited_sections_first_and_the_checks_findings(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        result = await client.get_prompt("review", {"code": SNIPPET})
    uris = [uri for uri, _ in embedded(result)]
    assert uris[0] == "skill://python-expert/sections/async.timeouts.md"
    assert "skill://acme-web/sections/web.timeouts.md" in uris
    # Django is in the workspace but the code does not use it: no Django sections.
    assert not any("django" in uri for uri in uris)
    instructions = texts(result)[-1]
    assert instructions.startswith(
        f"Review the Python code below against the {len(uris)} guidance sections above, which "
        "fit this workspace (Python 3.9; frameworks: django, httpx)."
    )
    assert "- line 5: SKS405 " in instructions
    assert instructions.endswith(f"```python\n{SNIPPET}\n```")


async def test_review_prompt_framework_argument_adds_that_framework_sections(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        result = await client.get_prompt("review", {"code": "x = 1\n", "framework": "flask"})
    uris = [uri for uri, _ in embedded(result)]
    assert "skill://acme-web/sections/web.flask-only.md" in uris
    assert "skill://acme-web/sections/web.django-queries.md" not in uris
    assert "frameworks: django, flask, httpx" in texts(result)[-1]


async def test_review_prompt_refuses_code_over_one_megabyte(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("review", {"code": "x = 1\n" * 200_000})
    assert caught.value.error.message == "code is larger than 1 MB; send the part to review"
