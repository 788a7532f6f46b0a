"""completion/complete for the resource templates (names, versions, section ids) and the prompt
arguments (frameworks, section ids, budgets); in both protocol eras."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_types import PromptReference, ResourceTemplateReference

from .conftest import Connect

pytestmark = pytest.mark.anyio


async def complete_template(
    connect: Connect,
    workspace: Path,
    demo_skills: list[Path],
    template: str,
    argument: str,
    value: str,
    context: dict[str, str] | None = None,
) -> list[str]:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        result = await client.complete(
            ResourceTemplateReference(uri=template), {"name": argument, "value": value}, context
        )
    return result.completion.values


async def test_skill_names_complete_from_what_was_typed(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    for template in ("skill://{name}/SKILL.md", "skill://{name}/{version}/sections/{id}.md"):
        assert await complete_template(connect, workspace, demo_skills, template, "name", "ac") == [
            "acme-web"
        ]
    assert await complete_template(
        connect, workspace, demo_skills, "skill://{name}/SKILL.md", "name", ""
    ) == ["acme-web", "python-expert"]


async def test_versions_complete_for_the_chosen_skill_newest_first(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    values = await complete_template(
        connect,
        workspace,
        demo_skills,
        "skill://{name}/{version}/SKILL.md",
        "version",
        "",
        {"name": "acme-web"},
    )
    assert values == ["2.0.0", "1.0.0"]
    assert await complete_template(
        connect,
        workspace,
        demo_skills,
        "skill://{name}/{version}/SKILL.md",
        "version",
        "1",
        {"name": "acme-web"},
    ) == ["1.0.0"]


async def test_section_ids_complete_active_first_for_the_chosen_version(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    in_use = await complete_template(
        connect,
        workspace,
        demo_skills,
        "skill://{name}/sections/{id}.md",
        "id",
        "web",
        {"name": "acme-web"},
    )
    assert in_use == ["web.django-queries", "web.timeouts", "web.flask-only"]
    old = await complete_template(
        connect,
        workspace,
        demo_skills,
        "skill://{name}/{version}/sections/{id}.md",
        "id",
        "",
        {"name": "acme-web", "version": "1.0.0"},
    )
    assert old == ["web.timeouts"]
    by_substring = await complete_template(
        connect,
        workspace,
        demo_skills,
        "skill://{name}/sections/{id}.md",
        "id",
        "flask-o",
        {"name": "acme-web"},
    )
    assert by_substring == ["web.flask-only"]


async def test_unknown_template_or_argument_completes_to_nothing(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    assert await complete_template(connect, workspace, demo_skills, "other://{x}", "x", "a") == []
    assert (
        await complete_template(
            connect, workspace, demo_skills, "skill://{name}/SKILL.md", "colour", "a"
        )
        == []
    )


async def test_prompt_arguments_complete(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        framework = await client.complete(
            PromptReference(name="review"), {"name": "framework", "value": "fla"}
        )
        detected_first = await client.complete(
            PromptReference(name="review"), {"name": "framework", "value": ""}
        )
        section = await client.complete(
            PromptReference(name="section"), {"name": "id", "value": "web.t"}
        )
        budget = await client.complete(
            PromptReference(name="stack-briefing"), {"name": "budget_tokens", "value": "1"}
        )
    assert framework.completion.values[0] == "flask"
    assert detected_first.completion.values[:1] == ["django"]
    assert "flask" in detected_first.completion.values
    assert section.completion.values == ["web.timeouts"]
    assert budget.completion.values == ["16000"]
    assert budget.completion.total == 1
    assert budget.completion.has_more is False
