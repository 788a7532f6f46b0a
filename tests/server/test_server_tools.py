"""Tools: schemas and annotations, and what each returns (text, resource links, structured
content) for good and bad arguments; in both protocol eras."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp_types import CallToolResult, ResourceLink

from stackskills.skills.tokens import estimate_tokens

from .conftest import Connect, first_text

pytestmark = pytest.mark.anyio

LEGACY_TEXT = "Calls to other services need deadlines.\n\nUse asyncio.wait_for.\n"

TOOLS = ["detect_stack", "get_guidance", "review_code", "review_file", "list_sections"]

TIMEOUT_NONE = """\
import httpx


async def load(client: httpx.AsyncClient) -> bytes:
    response = await client.get("/report", timeout=None)
    return response.content
"""


def structured(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error is not True, first_text(result.content)
    data: dict[str, Any] | None = result.structured_content
    assert data is not None
    return data


def links(result: CallToolResult) -> list[tuple[str, str | None]]:
    return [(b.uri, b.description) for b in result.content if isinstance(b, ResourceLink)]


async def test_tools_are_read_only_with_input_and_output_schemas(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        tools = (await client.list_tools()).tools
    assert [tool.name for tool in tools] == TOOLS
    for tool in tools:
        assert tool.description and len(tool.description) > 80
        assert tool.title
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.idempotent_hint is True
        assert tool.annotations.open_world_hint is False
        assert tool.annotations.destructive_hint is False
    schemas = {tool.name: tool.input_schema for tool in tools}
    assert schemas["review_code"]["required"] == ["code"]
    assert sorted(schemas["review_code"]["properties"]) == [
        "code",
        "filename",
        "framework",
        "python",
    ]
    assert schemas["review_file"]["required"] == ["path"]
    assert sorted(schemas["get_guidance"]["properties"]) == [
        "budget_tokens",
        "frameworks",
        "section_ids",
        "topic",
    ]
    assert "required" not in schemas["get_guidance"]
    assert sorted(schemas["list_sections"]["properties"]) == ["active_only", "framework"]
    assert sorted(schemas["detect_stack"]["properties"]) == ["path"]
    outputs = {tool.name: tool.output_schema for tool in tools}
    assert outputs["review_code"] is not None
    assert sorted(outputs["review_code"]["properties"]) == [
        "errors",
        "findings",
        "frameworks",
        "python",
    ]


async def test_detect_stack_reports_frameworks_python_and_active_sections(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        result = await client.call_tool("detect_stack", {})
    data = structured(result)
    (found,) = data["workspaces"]
    assert found["root"] == str(workspace.resolve())
    assert found["python"]["target"] == "3.9"
    assert [(f["name"], f["specifier"], f["scope"]) for f in found["frameworks"]] == [
        ("django", ">=4.2,<5", "runtime"),
        ("httpx", ">=0.27", "runtime"),
    ]
    demo = [s for s in found["sections"] if s["skill"] == "acme-web"]
    assert [(s["id"], s["variant"], s["uri"]) for s in demo] == [
        ("web.django-queries", None, "skill://acme-web/sections/web.django-queries.md"),
        ("web.timeouts", "legacy", "skill://acme-web/sections/web.timeouts.md"),
    ]
    text = first_text(result.content)
    assert text.startswith(
        f"Workspace {workspace.resolve()}\nPython: 3.9\nFrameworks: django >=4.2,<5, httpx >=0.27\n"
    )
    assert "- web.timeouts: python 3.9 meets python (pyproject.toml:4); variant 'legacy'" in text


async def test_detect_stack_of_a_sub_project_folder(connect: Connect, workspace: Path) -> None:
    api = workspace / "services" / "api"
    api.mkdir(parents=True)
    (api / "requirements.txt").write_text("fastapi==0.110.0\n", encoding="utf-8")
    async with connect(workspaces=[workspace]) as client:
        result = await client.call_tool("detect_stack", {"path": "services/api"})
        outside = await client.call_tool("detect_stack", {"path": "/"})
        a_file = await client.call_tool("detect_stack", {"path": "shop/views.py"})
    (found,) = structured(result)["workspaces"]
    assert found["root"] == str(api.resolve())
    assert [(f["name"], f["version"]) for f in found["frameworks"]] == [("fastapi", "0.110.0")]
    assert outside.is_error is True
    assert first_text(outside.content).startswith("'/' is outside the workspace roots")
    assert a_file.is_error is True
    assert first_text(a_file.content) == "'shop/views.py' is a file; detect_stack takes a folder"


async def test_get_guidance_by_section_ids_renders_the_workspace_variant_within_budget(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        both = await client.call_tool(
            "get_guidance", {"section_ids": ["web.timeouts", "web.flask-only"]}
        )
        tight = await client.call_tool(
            "get_guidance",
            {"section_ids": ["web.timeouts", "web.django-queries"], "budget_tokens": 200},
        )
    data = structured(both)
    assert data["selected_by"] == "section_ids"
    timeouts, flask = data["sections"]
    assert timeouts == {
        "id": "web.timeouts",
        "skill": "acme-web",
        "version": "2.0.0",
        "title": "Bound every outside call",
        "uri": "skill://acme-web/sections/web.timeouts.md",
        "active": True,
        "reason": "python 3.9 meets python (pyproject.toml:4); variant 'legacy' because python "
        "3.9 meets python<3.11",
        "variant": "legacy",
        "tokens": estimate_tokens(LEGACY_TEXT),
        "text": LEGACY_TEXT,
    }
    assert (flask["active"], flask["reason"], flask["text"]) == (
        False,
        "not active in this workspace; applies to flask",
        "Use blueprints.\n",
    )
    assert data["left_out"] == []
    assert data["tokens"] == timeouts["tokens"] + flask["tokens"]
    assert links(both) == [
        ("skill://acme-web/sections/web.timeouts.md", timeouts["reason"]),
        ("skill://acme-web/sections/web.flask-only.md", flask["reason"]),
    ]
    assert first_text(both.content).startswith(
        "# Bound every outside call (web.timeouts)\n\n_python 3.9 meets python"
    )
    squeezed = structured(tight)
    assert [s["id"] for s in squeezed["sections"]] == ["web.timeouts", "web.django-queries"]
    assert squeezed["budget_tokens"] == 200


async def test_get_guidance_leaves_out_what_does_not_fit_and_says_where_to_read_it(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        result = await client.call_tool(
            "get_guidance",
            {"section_ids": ["checklist", "web.timeouts"], "budget_tokens": 200},
        )
    data = structured(result)
    assert [s["id"] for s in data["sections"]] == ["web.timeouts"]
    (left,) = data["left_out"]
    assert (left["id"], left["uri"]) == ("checklist", "skill://python-expert/sections/checklist.md")
    assert left["tokens"] > 200
    assert "Left out (over budget_tokens; read by uri): checklist" in first_text(result.content)


async def test_get_guidance_by_topic_and_by_framework(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        topic = structured(
            await client.call_tool("get_guidance", {"topic": "calls to other services"})
        )
        flask = structured(await client.call_tool("get_guidance", {"frameworks": ["flask"]}))
        active = structured(await client.call_tool("get_guidance", {}))
    assert topic["selected_by"] == "topic"
    assert [s["id"] for s in topic["sections"]][:1] == ["web.timeouts"]
    assert flask["selected_by"] == "frameworks"
    assert "web.flask-only" in [s["id"] for s in flask["sections"]]
    assert all(not s["active"] for s in flask["sections"])
    assert active["selected_by"] == "active"
    assert all(s["active"] for s in active["sections"])
    demo = [s["id"] for s in active["sections"] if s["skill"] == "acme-web"]
    assert demo == ["web.timeouts", "web.django-queries"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"section_ids": ["web.timeout"]},
            "unknown section id 'web.timeout'; did you mean web.timeouts",
        ),
        (
            {"topic": "xylophone"},
            "no section mentions 'xylophone'; try other words, or list_sections for every title",
        ),
        ({"frameworks": ["cobol"]}, "no section applies to cobol; sections exist for "),
    ],
)
async def test_get_guidance_errors_say_what_to_send_instead(
    connect: Connect,
    workspace: Path,
    demo_skills: list[Path],
    arguments: dict[str, Any],
    message: str,
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        result = await client.call_tool("get_guidance", arguments)
    assert result.is_error is True
    assert first_text(result.content).startswith(message)


async def test_review_code_returns_findings_with_links_to_their_sections(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        result = await client.call_tool(
            "review_code", {"code": TIMEOUT_NONE, "filename": "app/report.py"}
        )
    data = structured(result)
    assert data["python"] == "3.9"
    assert data["frameworks"] == ["django", "httpx"]
    (finding,) = data["findings"]
    assert finding["file"] == "app/report.py"
    assert (finding["line"], finding["rule"], finding["severity"]) == (5, "SKS405", "warning")
    assert finding["section"] == "async.timeouts"
    assert finding["section_uri"] == "skill://python-expert/sections/async.timeouts.md"
    assert data["errors"] == []
    assert links(result) == [
        (
            "skill://python-expert/sections/async.timeouts.md",
            f"SKS405 at line 5: {finding['message']}",
        )
    ]
    text = first_text(result.content)
    assert text.startswith("1 finding (judged as Python 3.9)\napp/report.py:5:")
    assert "(see async.timeouts)" in text


async def test_review_code_takes_python_and_framework_and_reports_syntax_errors(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        pinned = structured(
            await client.call_tool(
                "review_code",
                {"code": "x = 1\n", "python": "3.12", "framework": "fastapi,pydantic==1.10"},
            )
        )
        broken = structured(await client.call_tool("review_code", {"code": "def f(:\n"}))
    assert pinned["python"] == "3.12"
    assert pinned["frameworks"] == ["django", "fastapi", "httpx", "pydantic"]
    assert pinned["findings"] == []
    assert broken["findings"] == []
    (problem,) = broken["errors"]
    assert (problem["file"], problem["line"]) == ("<snippet>", 1)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"code": "x = 1\n", "python": "twelve"},
            "python expects a version like 3.12, got 'twelve'",
        ),
        ({"code": "x = 1\n", "framework": "django>="}, "framework: bad entry 'django>='"),
    ],
)
async def test_review_code_bad_arguments_are_tool_errors(
    connect: Connect, workspace: Path, arguments: dict[str, Any], message: str
) -> None:
    async with connect(workspaces=[workspace]) as client:
        result = await client.call_tool("review_code", arguments)
        still_alive = await client.call_tool("review_code", {"code": "x = 1\n"})
    assert result.is_error is True
    assert first_text(result.content).startswith(message)
    assert still_alive.is_error is not True


async def test_review_file_reviews_a_workspace_file_by_relative_or_absolute_path(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        relative = structured(await client.call_tool("review_file", {"path": "shop/views.py"}))
        absolute = structured(
            await client.call_tool("review_file", {"path": str(workspace / "shop" / "views.py")})
        )
    assert relative == absolute
    (finding,) = relative["findings"]
    assert (finding["file"], finding["line"], finding["rule"]) == ("shop/views.py", 5, "SKS405")


async def test_review_file_of_a_sub_project_uses_that_project_stack(
    connect: Connect, workspace: Path
) -> None:
    legacy = workspace / "legacy"
    legacy.mkdir()
    (legacy / "setup.cfg").write_text(
        "[options]\npython_requires = >=3.12\ninstall_requires =\n    flask\n", encoding="utf-8"
    )
    (legacy / "app.py").write_text("x = 1\n", encoding="utf-8")
    async with connect(workspaces=[workspace]) as client:
        data = structured(await client.call_tool("review_file", {"path": "legacy/app.py"}))
    assert (data["python"], data["frameworks"]) == ("3.12", ["flask"])


async def test_review_file_refuses_a_folder_and_a_missing_file(
    connect: Connect, workspace: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        folder = await client.call_tool("review_file", {"path": "shop"})
        missing = await client.call_tool("review_file", {"path": "shop/nope.py"})
    assert first_text(folder.content) == "'shop' is a folder; review_file takes one Python file"
    assert first_text(missing.content) == (
        f"'shop/nope.py': no such file in the workspace ({workspace / 'shop' / 'nope.py'})"
    )
    assert folder.is_error is True and missing.is_error is True


async def test_list_sections_filters_by_framework_and_activity(
    connect: Connect, workspace: Path, demo_skills: list[Path]
) -> None:
    async with connect(workspaces=[workspace], skills_dirs=demo_skills) as client:
        every = structured(await client.call_tool("list_sections", {}))
        flask = await client.call_tool("list_sections", {"framework": "flask"})
        active = structured(await client.call_tool("list_sections", {"active_only": True}))
        none = await client.call_tool("list_sections", {"framework": "cobol"})
    demo = {s["id"]: s for s in every["sections"] if s["skill"] == "acme-web"}
    assert demo["web.flask-only"] == {
        "id": "web.flask-only",
        "skill": "acme-web",
        "version": "2.0.0",
        "title": "Flask blueprints",
        "summary": "Register views on blueprints.",
        "applies_to": "flask",
        "tags": [],
        "rules": [],
        "priority": 90,
        "active": False,
        "reason": None,
        "variant": None,
        "uri": "skill://acme-web/sections/web.flask-only.md",
    }
    assert (demo["web.timeouts"]["active"], demo["web.timeouts"]["variant"]) == (True, "legacy")
    ids = [s["id"] for s in every["sections"]]
    first_inactive = next(i for i, s in enumerate(every["sections"]) if not s["active"])
    assert all(not s["active"] for s in every["sections"][first_inactive:])
    assert ids.index("web.timeouts") < first_inactive
    flask_ids = [s["id"] for s in structured(flask)["sections"]]
    assert "web.flask-only" in flask_ids and "web.timeouts" not in flask_ids
    assert "  web.flask-only: Flask blueprints [flask]" in first_text(flask.content)
    assert all(s["active"] for s in active["sections"])
    assert "web.flask-only" not in [s["id"] for s in active["sections"]]
    assert structured(none)["sections"] == []
    assert first_text(none.content).startswith("No section matches")
