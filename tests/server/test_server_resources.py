"""Resources: the stack document, every skill file under versioned and in-use URIs, ordering,
annotations and the templates; in both protocol eras."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from .conftest import Connect, stack_document, text_of

pytestmark = pytest.mark.anyio

STACK_URI = "stackskills://workspace/stack"


async def test_resources_list_active_sections_first_then_stack_overview_inactive_versions(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        resources = (await client.list_resources()).resources
    uris = [r.uri for r in resources]
    demo = [uri for uri in uris if uri.startswith("skill://acme-web/") or uri == STACK_URI]
    assert demo == [
        "skill://acme-web/sections/web.timeouts.md",
        "skill://acme-web/sections/web.django-queries.md",
        STACK_URI,
        "skill://acme-web/SKILL.md",
        "skill://acme-web/sections/web.flask-only.md",
        "skill://acme-web/2.0.0/SKILL.md",
        "skill://acme-web/2.0.0/sections/web.django-queries.md",
        "skill://acme-web/2.0.0/sections/web.flask-only.md",
        "skill://acme-web/2.0.0/sections/web.timeouts.md",
        "skill://acme-web/1.0.0/SKILL.md",
        "skill://acme-web/1.0.0/sections/web.timeouts.md",
    ]
    first_inactive = uris.index("skill://acme-web/SKILL.md")
    # Every section listed before the stack is active (higher priority than any inactive one).
    assert all("Active here" in (r.description or "") for r in resources[: uris.index(STACK_URI)])
    assert uris.index(STACK_URI) < first_inactive


async def test_each_resource_has_title_description_size_and_annotations(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        resources = {r.uri: r for r in (await client.list_resources()).resources}
        stack_text = text_of((await client.read_resource(STACK_URI)).contents[0])
    timeouts = resources["skill://acme-web/sections/web.timeouts.md"]
    assert timeouts.name == "web.timeouts"
    assert timeouts.title == "Bound every outside call"
    assert timeouts.mime_type == "text/markdown"
    assert timeouts.description == (
        "Give each call to another service a deadline. Active here (variant legacy): python 3.9 "
        "meets python (pyproject.toml:4); variant 'legacy' because python 3.9 meets "
        "python<3.11."
    )
    section_file = demo_skills[1] / "acme-web" / "sections" / "web.timeouts.md"
    assert timeouts.size == section_file.stat().st_size
    assert timeouts.annotations is not None
    assert timeouts.annotations.audience == ["assistant"]
    assert timeouts.annotations.priority == 0.92  # 0.6 + 0.4 * 80/100
    flask = resources["skill://acme-web/sections/web.flask-only.md"]
    assert flask.description == ("Register views on blueprints. Not active here; applies to flask.")
    assert flask.annotations is not None and flask.annotations.priority == 0.18
    queries = resources["skill://acme-web/sections/web.django-queries.md"]
    assert queries.annotations is not None and queries.annotations.priority == 0.88
    stack = resources[STACK_URI]
    assert (stack.title, stack.mime_type) == ("Workspace stack", "application/json")
    assert stack.size == len(stack_text.encode())
    assert stack.annotations is not None
    assert (stack.annotations.audience, stack.annotations.priority) == (["user", "assistant"], 1.0)
    overview = resources["skill://acme-web/SKILL.md"]
    assert overview.title == "acme-web 2.0.0 (skill overview)"
    assert overview.description == (
        "Acme's web service conventions; use it when writing Acme services."
    )
    old = resources["skill://acme-web/1.0.0/sections/web.timeouts.md"]
    assert old.annotations is not None and old.annotations.priority == 0.1
    assert old.description == (
        "Give each call to another service a deadline. (acme-web 1.0.0; applies to python.)"
    )


async def test_stack_resource_is_the_detection_with_active_sections_and_why(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        result = await client.read_resource(STACK_URI)
    content = result.contents[0]
    assert content.mime_type == "application/json"
    document = stack_document(text_of(content))
    assert document["schema"] == "stackskills.workspace/1"
    (root,) = document["roots"]
    assert root["schema"] == "stackskills.detect/1"
    assert root["root"] == str(workspace.resolve())
    assert root["python"]["target"] == "3.9"
    assert [f["name"] for f in root["frameworks"]] == ["django", "httpx"]
    demo = [s for s in root["sections"] if s["skill"] == "acme-web"]
    assert demo == [
        {
            "id": "web.django-queries",
            "skill": "acme-web",
            "version": "2.0.0",
            "reason": "django (>=4.2,<5, no exact version) meets django>=4.2 (pyproject.toml:5) "
            "(version not known exactly: the newest fitting advice is used)",
            "title": "Query Django models in bulk",
            "variant": None,
            "uri": "skill://acme-web/sections/web.django-queries.md",
        },
        {
            "id": "web.timeouts",
            "skill": "acme-web",
            "version": "2.0.0",
            "reason": "python 3.9 meets python (pyproject.toml:4); variant 'legacy' because "
            "python 3.9 meets python<3.11",
            "title": "Bound every outside call",
            "variant": "legacy",
            "uri": "skill://acme-web/sections/web.timeouts.md",
        },
    ]


@pytest.mark.parametrize(
    ("uri", "folder", "relative"),
    [
        ("skill://acme-web/SKILL.md", 1, "SKILL.md"),
        ("skill://acme-web/sections/web.timeouts.md", 1, "sections/web.timeouts.md"),
        ("skill://acme-web/sections/web.flask-only.md", 1, "sections/web.flask-only.md"),
        ("skill://acme-web/2.0.0/SKILL.md", 1, "SKILL.md"),
        ("skill://acme-web/2.0.0/sections/web.timeouts.md", 1, "sections/web.timeouts.md"),
        ("skill://acme-web/1.0.0/SKILL.md", 0, "SKILL.md"),
        ("skill://acme-web/1.0.0/sections/web.timeouts.md", 0, "sections/web.timeouts.md"),
    ],
)
async def test_skill_files_are_served_byte_for_byte_in_use_or_by_version(
    connect: Connect,
    workspace: Path,
    demo_skills: list[Path],
    uri: str,
    folder: int,
    relative: str,
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        result = await client.read_resource(uri)
    (content,) = result.contents
    assert content.uri == uri
    assert content.mime_type == "text/markdown"
    expected = (demo_skills[folder] / "acme-web" / relative).read_text(encoding="utf-8")
    assert text_of(content) == expected


async def test_built_in_skill_is_served_under_its_name(connect: Connect, workspace: Path) -> None:
    from stackskills.skills.places import BUILT_IN_DIR

    async with connect(workspaces=[workspace]) as client:
        result = await client.read_resource("skill://python-expert/sections/async.timeouts.md")
    expected = (BUILT_IN_DIR / "python-expert" / "sections" / "async.timeouts.md").read_text()
    assert text_of(result.contents[0]) == expected


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (
            "skill://nope/SKILL.md",
            "no skill named 'nope' (skills: acme-web, python-expert)",
        ),
        (
            "skill://acme-web/9.9.9/SKILL.md",
            "acme-web has no version '9.9.9' (versions: 2.0.0, 1.0.0)",
        ),
        (
            "skill://acme-web/1.0.0/sections/web.flask-only.md",
            "acme-web@1.0.0 has no section 'web.flask-only'",
        ),
        (
            "skill://acme-web/notes.txt",
            "'skill://acme-web/notes.txt' is not a stackskills resource",
        ),
        ("stackskills://workspace/other", "'stackskills://workspace/other' is not a stackskills"),
    ],
)
async def test_unknown_resources_are_invalid_params_saying_what_exists(
    connect: Connect, workspace: Path, demo_skills: list[Path], uri: str, message: str
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource(uri)
    assert caught.value.error.code == INVALID_PARAMS
    assert caught.value.error.message.startswith(message)
    assert "resources/list shows every one" in caught.value.error.message


async def test_templates_for_versioned_and_in_use_skill_files(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        templates = (await client.list_resource_templates()).resource_templates
    assert [(t.uri_template, t.name, t.mime_type) for t in templates] == [
        ("skill://{name}/SKILL.md", "skill", "text/markdown"),
        ("skill://{name}/sections/{id}.md", "skill-section", "text/markdown"),
        ("skill://{name}/{version}/SKILL.md", "skill-version", "text/markdown"),
        ("skill://{name}/{version}/sections/{id}.md", "skill-version-section", "text/markdown"),
    ]
    assert all(t.title and t.description for t in templates)


async def test_capabilities_advertise_subscribe_and_list_changed(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        capabilities = client.server_capabilities
    assert capabilities.resources is not None
    assert capabilities.resources.subscribe is True
    assert capabilities.resources.list_changed is True
    assert capabilities.prompts is not None and capabilities.prompts.list_changed is True
    assert capabilities.completions is not None
