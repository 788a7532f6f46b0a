"""Nothing outside the workspace roots is read: review_file and resource reads refuse ``..``,
absolute paths outside, URIs, percent-encoded traversal and symlinks out of a root, each with a
message that says what to send instead; oversized code is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from .conftest import DEMO_FLASK, Connect, first_text, write_demo_skill

pytestmark = pytest.mark.anyio

SECRET = "API_KEY = 'do-not-read'\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A Python file next to (not inside) the workspace."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    secret = folder / "secret.py"
    secret.write_text(SECRET, encoding="utf-8")
    return secret


def hint(workspace: Path) -> str:
    return (
        f"give a path relative to {workspace.resolve()} (e.g. 'app/models.py') or an absolute "
        "path inside it"
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../elsewhere/secret.py", "contains '..'; paths must stay inside the workspace"),
        ("shop/../../elsewhere/secret.py", "contains '..'; paths must stay inside the workspace"),
        (
            "shop\\..\\..\\elsewhere\\secret.py",
            "contains '..'; paths must stay inside the workspace",
        ),
        ("%2e%2e/elsewhere/secret.py", "contains percent-encoding; send the plain path"),
        ("shop%2F..%2F..%2Felsewhere/secret.py", "contains percent-encoding; send the plain path"),
        ("file:///etc/passwd", "is a URI, not a path"),
        ("https://example.com/x.py", "is a URI, not a path"),
    ],
)
async def test_review_file_refuses_traversal_and_uris_before_touching_the_disk(
    connect: Connect, workspace: Path, outside: Path, path: str, reason: str
) -> None:
    async with connect(workspaces=[workspace]) as client:
        result = await client.call_tool("review_file", {"path": path})
    assert result.is_error is True
    assert first_text(result.content) == f"{path!r} {reason}; {hint(workspace)}"
    assert result.structured_content is None


async def test_review_file_refuses_an_absolute_path_outside_the_roots(
    connect: Connect, workspace: Path, outside: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        result = await client.call_tool("review_file", {"path": str(outside)})
    assert result.is_error is True
    assert first_text(result.content) == (
        f"{str(outside)!r} is outside the workspace roots ({workspace.resolve()}); "
        f"{hint(workspace)}"
    )


async def test_review_file_refuses_symlinks_that_lead_out_of_the_root(
    connect: Connect, workspace: Path, outside: Path
) -> None:
    (workspace / "shop" / "linked.py").symlink_to(outside)
    (workspace / "vendor").symlink_to(outside.parent, target_is_directory=True)
    async with connect(workspaces=[workspace]) as client:
        file_link = await client.call_tool("review_file", {"path": "shop/linked.py"})
        folder_link = await client.call_tool("review_file", {"path": "vendor/secret.py"})
    for result, path in ((file_link, "shop/linked.py"), (folder_link, "vendor/secret.py")):
        assert result.is_error is True
        assert first_text(result.content) == (
            f"{path!r} is a symlink (or inside one) that leads to {outside.resolve()}, outside "
            "the workspace roots; only files inside the roots are read"
        )


async def test_review_file_follows_symlinks_that_stay_inside(
    connect: Connect, workspace: Path
) -> None:
    (workspace / "alias.py").symlink_to(workspace / "shop" / "views.py")
    async with connect(workspaces=[workspace]) as client:
        result = await client.call_tool("review_file", {"path": "alias.py"})
    assert result.is_error is not True
    assert result.structured_content is not None
    assert [f["rule"] for f in result.structured_content["findings"]] == ["SKS405"]


async def test_detect_stack_refuses_folders_outside_the_roots(
    connect: Connect, workspace: Path, outside: Path
) -> None:
    async with connect(workspaces=[workspace]) as client:
        dots = await client.call_tool("detect_stack", {"path": ".."})
        absolute = await client.call_tool("detect_stack", {"path": str(outside.parent)})
    assert (
        first_text(dots.content)
        == f"'..' contains '..'; paths must stay inside the workspace; {hint(workspace)}"
    )
    assert first_text(absolute.content).startswith(f"{str(outside.parent)!r} is outside")


async def test_review_code_refuses_more_than_one_megabyte(
    connect: Connect, workspace: Path
) -> None:
    code = "x = 1\n" * 200_000  # 1.14 MB
    async with connect(workspaces=[workspace]) as client:
        result = await client.call_tool("review_code", {"code": code})
        just_under = await client.call_tool("review_code", {"code": "x = 1\n" * 170_000})
    assert result.is_error is True
    assert first_text(result.content) == (
        "code is 1.1 MB; review_code takes at most 1 MB. Send the part you changed, or call "
        "review_file with the file's path in the workspace."
    )
    assert just_under.is_error is not True


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        (
            "skill://python-expert/../../etc/passwd",
            "'skill://python-expert/../../etc/passwd' is not served: percent-encoding and dot "
            "segments are refused",
        ),
        (
            "skill://python-expert/sections/..%2F..%2Fetc%2Fpasswd.md",
            "'skill://python-expert/sections/..%2F..%2Fetc%2Fpasswd.md' is not served: "
            "percent-encoding and dot segments are refused",
        ),
        (
            "skill://python-expert/sections/../SKILL.md",
            "'skill://python-expert/sections/../SKILL.md' is not served: percent-encoding and "
            "dot segments are refused",
        ),
        (
            "file:///etc/passwd",
            "'file:///etc/passwd' is not served (files are read with review_file)",
        ),
    ],
)
async def test_resource_reads_refuse_traversal_and_other_schemes(
    connect: Connect, workspace: Path, uri: str, reason: str
) -> None:
    async with connect(workspaces=[workspace]) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource(uri)
    assert caught.value.error.code == INVALID_PARAMS
    assert caught.value.error.message.startswith(f"{reason}; resources are ")


async def test_a_skill_section_symlinked_out_of_its_folder_is_not_served(
    connect: Connect, workspace: Path, tmp_path: Path
) -> None:
    skills = write_demo_skill(tmp_path / "skills", "2.0.0", {})
    elsewhere = tmp_path / "elsewhere-section.md"
    elsewhere.write_text(DEMO_FLASK, encoding="utf-8")
    (skills / "acme-web" / "sections" / "web.flask-only.md").symlink_to(elsewhere)
    uri = "skill://acme-web/sections/web.flask-only.md"
    async with connect(workspaces=[workspace], skills_dirs=[skills]) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource(uri)
    assert caught.value.error.message.startswith(
        f"{uri!r} resolves outside its skill folder and is not served"
    )


async def test_workspace_skills_linked_from_outside_the_workspace_are_not_loaded(
    connect: Connect, workspace: Path, tmp_path: Path
) -> None:
    foreign = write_demo_skill(tmp_path / "foreign", "3.0.0", {})
    (workspace / ".stackskills").mkdir()
    (workspace / ".stackskills" / "skills").mkdir()
    (workspace / ".stackskills" / "skills" / "acme-web").symlink_to(foreign / "acme-web")
    async with connect(workspaces=[workspace]) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource("skill://acme-web/SKILL.md")
    assert caught.value.error.message.startswith("no skill named 'acme-web'")
