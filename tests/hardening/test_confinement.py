"""Confinement everywhere: whatever path a client, a model or a workspace file names, nothing
outside the workspace roots is opened. One rule decides (``within_root`` in
``detectors/source.py``); these tables drive it through ``resolve_in_roots``, the real
server tools and resources over an in-memory MCP session, requirement includes, workspace
skills and the ``detect`` / ``review`` CLI, and prove with an audit hook that no file outside
was even opened. ``tests/server/test_server_security.py`` pins the server's messages for the
first few cases; this goes wider (case, double encoding, NUL, Windows forms, ``/proc``
links, symlink chains, loops, FIFOs, long paths, several roots).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, TextContent

from stackskills.detectors.detect import detect
from stackskills.review_command import run_review
from stackskills.server.app import build_server
from stackskills.server.paths import PathRefused, resolve_in_roots

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks and FIFOs")

RecordOpened = Callable[[], AbstractContextManager[list[str]]]
EXE = Path(sys.executable).parent / "stackskills"
SECRET = "confinement-secret-7f3a"
"""In every file outside the workspace: it must never come back in any answer or output."""

VIEWS = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
"""A blocking call in a coroutine (SKS401, line 5): a finding whatever the stack."""

SKILL_MD = """\
---
name: {name}
description: Outside guidance that must never be loaded from a workspace link.
version: 9.0.0
license: MIT
---

# {name}

- [Leak](sections/web.leak.md)
"""

SECTION_MD = f"""\
---
id: web.leak
title: Leaked section
summary: {SECRET}
applies_to: [python]
---

{SECRET}
"""


@dataclass(frozen=True)
class World:
    """A workspace, a second root beside it, and a folder outside both."""

    root: Path
    second: Path
    outside: Path

    @property
    def secret(self) -> Path:
        return self.outside / "secret.py"


def _write_skill(folder: Path, name: str) -> Path:
    skill = folder / name
    (skill / "sections").mkdir(parents=True)
    (skill / "SKILL.md").write_text(SKILL_MD.format(name=name), encoding="utf-8")
    (skill / "sections" / "web.leak.md").write_text(SECTION_MD, encoding="utf-8")
    return skill


@pytest.fixture
def world(tmp_path: Path) -> World:
    base = tmp_path.resolve()
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(f"{VIEWS}TOKEN = '{SECRET}'\n", encoding="utf-8")
    (outside / "outside.txt").write_text(f"boto3==1.34.0  # {SECRET}\n", encoding="utf-8")
    _write_skill(outside / "skills", "acme-web")
    root = base / "ws"
    (root / "app").mkdir(parents=True)
    (root / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "ünïcode dir").mkdir()
    (root / "ünïcode dir" / "app módulo.py").write_text(VIEWS, encoding="utf-8")
    (root / "..hidden.py").write_text(VIEWS, encoding="utf-8")
    (root / "alias.py").symlink_to(root / "app" / "views.py")  # a link that stays inside
    (root / "out.py").symlink_to(outside / "secret.py")
    (root / "link_dir").symlink_to(outside, target_is_directory=True)
    (root / "chain2.py").symlink_to(outside / "secret.py")
    (root / "chain.py").symlink_to(root / "chain2.py")
    (root / "loop.py").symlink_to(root / "loop.py")
    os.mkfifo(root / "pipe.py")
    second = base / "ws2"
    second.mkdir()
    (second / "b.py").write_text(VIEWS, encoding="utf-8")
    (root / "to_second.py").symlink_to(second / "b.py")
    return World(root, second, outside)


# --- resolve_in_roots: the table --------------------------------------------------------

DOTS = "contains '..'; paths must stay inside the workspace"
URI = "is a URI, not a path"
ENCODED = "contains percent-encoding; send the plain path"
NUL = "the path contains a NUL character"
EMPTY = "the path is empty"
OUTSIDE = "is outside the workspace roots"
LINK_OUT = "is a symlink (or inside one) that leads to"
MISSING = "no such file in the workspace"

LONG_DEEP = "a/" * 3_000 + "x.py"  # 9 KB: past PATH_MAX
LONG_NAME = "x" * 300 + ".py"  # past NAME_MAX
HUGE = "y" * 100_000

CASES: list[tuple[str, str]] = [
    # (raw path, expected: a refusal above, or "ok:<path of the real file from the root>")
    ("..", DOTS),
    ("../", DOTS),
    ("../outside/secret.py", DOTS),
    ("app/../../outside/secret.py", DOTS),
    ("app/./../../outside/secret.py", DOTS),
    ("app/..", DOTS),
    ("app/../", DOTS),
    ("app/views.py/..", DOTS),
    ("  ../outside/secret.py  ", DOTS),
    ("{root}/app/../../outside/secret.py", DOTS),
    ("/etc/../etc/passwd", DOTS),
    ("..\\..\\etc\\passwd", DOTS),
    ("app\\..\\..\\outside\\secret.py", DOTS),
    ("file:///etc/passwd", URI),
    ("FILE:///etc/passwd", URI),
    ("File://localhost/etc/passwd", URI),
    ("file:/etc/passwd", URI),
    ("file:app/views.py", URI),
    ("file://{root}/app/views.py", URI),  # even inside: a URI is not a path
    ("https://example.com/x.py", URI),
    ("vscode-remote://ssh-remote+host/etc/passwd", URI),
    ("%2e%2e%2fetc%2fpasswd", ENCODED),
    ("%2E%2E/outside/secret.py", ENCODED),
    ("..%2f..%2foutside%2fsecret.py", ENCODED),
    ("app%2F..%2F..%2Fetc%2Fpasswd", ENCODED),
    ("%252e%252e%252fetc%252fpasswd", ENCODED),  # double-encoded
    ("%25252e%25252e%25252f", ENCODED),  # triple-encoded
    ("app%5c..%5c..%5cetc%5cpasswd", ENCODED),
    ("app/views.py%00.txt", ENCODED),
    ("app/views.py\x00", NUL),
    ("../\x00", NUL),
    ("", EMPTY),
    ("   ", EMPTY),
    ("/etc/passwd", OUTSIDE),
    ("//etc/passwd", OUTSIDE),
    ("/", OUTSIDE),
    ("{outside}/secret.py", OUTSIDE),
    ("{outside}", OUTSIDE),
    ("/proc/self/root/etc/passwd", OUTSIDE),
    ("out.py", LINK_OUT),
    ("{root}/out.py", LINK_OUT),
    ("link_dir", LINK_OUT),
    ("link_dir/secret.py", LINK_OUT),
    ("chain.py", LINK_OUT),
    ("loop.py", LINK_OUT),
    ("C:\\Windows\\System32\\drivers\\etc\\hosts", MISSING),  # a name here, never a drive
    ("C:/Windows/win.ini", MISSING),
    ("\\\\server\\share\\x.py", MISSING),
    ("~/.ssh/id_rsa", MISSING),  # no home expansion
    ("．．/．．/etc/passwd", MISSING),  # fullwidth dots are just characters
    ("...", MISSING),
    (LONG_DEEP, MISSING),
    (LONG_NAME, MISSING),
    (HUGE, MISSING),
    ("b.py", MISSING),  # relative paths are taken from the first root
    ("app/views.py", "ok:app/views.py"),
    ("./app/views.py", "ok:app/views.py"),
    ("app//views.py", "ok:app/views.py"),
    ("app/views.py/", "ok:app/views.py"),  # a trailing slash is dropped, as pathlib does
    ("  app/views.py\n", "ok:app/views.py"),
    ("{root}/app/views.py", "ok:app/views.py"),
    ("alias.py", "ok:app/views.py"),  # a symlink that stays inside is followed
    ("ünïcode dir/app módulo.py", "ok:ünïcode dir/app módulo.py"),
    ("..hidden.py", "ok:..hidden.py"),
    ("app", "ok:app"),
    ("{second}/b.py", "ok:../ws2/b.py"),  # inside the second root
    ("to_second.py", "ok:../ws2/b.py"),  # a link from one root into another
    ("/proc/self/root{root}/app/views.py", "ok:app/views.py"),
]


def _raw(template: str, world: World) -> str:
    if "{" not in template:
        return template
    return template.format(root=world.root, outside=world.outside, second=world.second)


def _outcome(raw: str, roots: list[Path]) -> str:
    """What ``resolve_in_roots`` decided, in the table's terms."""
    try:
        real = resolve_in_roots(raw, roots)
    except PathRefused as exc:
        return _refusal(str(exc))
    except FileNotFoundError as exc:
        assert MISSING in str(exc)
        return MISSING
    return "ok:" + os.path.relpath(real, roots[0])


def _refusal(message: str) -> str:
    found = [
        reason
        for reason in (DOTS, URI, ENCODED, NUL, EMPTY, OUTSIDE, LINK_OUT)
        if reason in message
    ]
    assert len(found) == 1, message
    return found[0]


def test_resolve_in_roots_refuses_every_way_out_and_follows_links_that_stay_in(
    world: World,
) -> None:
    if not os.path.exists("/proc/self/root"):
        pytest.skip("no /proc")
    roots = [world.root, world.second]
    outcomes = [(template, _outcome(_raw(template, world), roots)) for template, _ in CASES]
    assert outcomes == CASES


def test_the_resolved_path_is_the_real_file_so_what_is_checked_is_what_is_opened(
    world: World,
) -> None:
    real = resolve_in_roots("alias.py", [world.root])
    assert real == world.root / "app" / "views.py"
    assert not real.is_symlink()


def test_without_roots_nothing_resolves(world: World) -> None:
    with pytest.raises(PathRefused, match="no workspace root is known"):
        resolve_in_roots("app/views.py", [])


# --- the server: tools and resources over a real MCP session ------------------------------


@asynccontextmanager
async def _session(roots: list[Path], mode: str = "auto") -> AsyncIterator[Client]:
    server = build_server(roots, [], recheck_seconds=0.0)
    async with Client(server, mode=mode) as client:
        yield client


def _text(result: Any) -> str:
    block = result.content[0]
    assert isinstance(block, TextContent)
    text: str = block.text
    return text


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_review_file_and_detect_stack_answer_the_whole_table(world: World, mode: str) -> None:
    roots = [world.root, world.second]
    got: list[tuple[str, str, str]] = []
    expected: list[tuple[str, str, str]] = []
    with anyio.fail_after(120):
        async with _session(roots, mode) as client:
            for template, outcome in CASES:
                raw = _raw(template, world)
                review = await client.call_tool("review_file", {"path": raw})
                stack = await client.call_tool("detect_stack", {"path": raw})
                for tool, result in (("review_file", review), ("detect_stack", stack)):
                    text = json.dumps(result.model_dump(mode="json"))
                    assert SECRET not in text, (tool, template)
                    got.append((tool, template, _server_outcome(tool, result)))
                    expected.append((tool, template, _expected_server(tool, raw, outcome, roots)))
    assert got == expected


def _server_outcome(tool: str, result: Any) -> str:
    if result.is_error:
        assert result.structured_content is None
        return "error:" + _text(result)
    data = result.structured_content
    if tool == "review_file":
        return "findings:" + ",".join(sorted({f["rule"] for f in data["findings"]}))
    return "roots:" + ",".join(w["root"] for w in data["workspaces"])


def _expected_server(tool: str, raw: str, outcome: str, roots: list[Path]) -> str:
    """The tool says exactly what ``resolve_in_roots`` said, or works on the real file."""
    if not outcome.startswith("ok:"):
        try:
            resolve_in_roots(raw, roots)
        except (PathRefused, FileNotFoundError) as exc:
            return f"error:{exc}"
        raise AssertionError(raw)
    real = resolve_in_roots(raw, roots)
    if tool == "review_file":
        if real.is_dir():
            return f"error:{raw!r} is a folder; review_file takes one Python file"
        return "findings:SKS401"
    if not real.is_dir():
        return f"error:{raw!r} is a file; detect_stack takes a folder"
    return f"roots:{real}"


@pytest.mark.anyio
async def test_review_file_refuses_a_fifo_without_waiting_for_a_writer(world: World) -> None:
    with anyio.fail_after(30):
        async with _session([world.root]) as client:
            result = await client.call_tool("review_file", {"path": "pipe.py"})
            after = await client.call_tool("review_file", {"path": "app/views.py"})
    assert result.is_error is True
    assert _text(result) == (
        "'pipe.py' is not a regular file (a FIFO, socket or device); review_file takes one "
        "Python file"
    )
    assert after.is_error is not True  # and the session goes on


HOSTILE_URIS = [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "file:///{outside}/secret.py",
    "skill://python-expert/sections/%2e%2e%2fSKILL.md",
    "skill://python-expert/sections/..%252fSKILL.md",
    "skill://python-expert/1.3.0/sections/../../../../etc/passwd",
    "skill://../../etc/passwd",
    "skill://python-expert/sections/..\\..\\SKILL.md",
    "stackskills://workspace/../../etc/passwd",
    "skill://acme-web/SKILL.md",  # only outside, linked in from the workspace
]


@pytest.mark.anyio
async def test_resource_reads_of_hostile_uris_are_invalid_params(world: World) -> None:
    skills = world.root / ".stackskills" / "skills"
    skills.mkdir(parents=True)
    (skills / "acme-web").symlink_to(world.outside / "skills" / "acme-web")
    async with _session([world.root]) as client:
        for template in HOSTILE_URIS:
            uri = template.format(outside=world.outside)
            with pytest.raises(MCPError) as caught:
                await client.read_resource(uri)
            assert caught.value.error.code == INVALID_PARAMS, uri
            assert SECRET not in caught.value.error.message


async def _served_text(client: Client) -> str:
    """Everything a client can learn about the skills: listings, guidance, resources."""
    parts = [
        json.dumps((await client.call_tool("list_sections", {})).model_dump(mode="json")),
        json.dumps(
            (await client.call_tool("get_guidance", {"topic": "leak"})).model_dump(mode="json")
        ),
        json.dumps((await client.list_resources()).model_dump(mode="json")),
    ]
    return "\n".join(parts)


def _link_workspace_skills_out(root: Path, foreign: Path, linked: str) -> None:
    """``root/.stackskills/skills`` reaching ``foreign`` (outside the workspace) through a
    link: the whole folder, one skill, or one section of a skill of its own."""
    dot = root / ".stackskills"
    dot.mkdir()
    if linked == "skills-folder":
        (dot / "skills").symlink_to(foreign, target_is_directory=True)
    elif linked == "skill":
        (dot / "skills").mkdir()
        (dot / "skills" / "acme-web").symlink_to(foreign / "acme-web")
    else:
        own = dot / "skills" / "acme-web"
        (own / "sections").mkdir(parents=True)
        (own / "SKILL.md").write_text(SKILL_MD.format(name="acme-web"), encoding="utf-8")
        (own / "sections" / "web.leak.md").symlink_to(
            foreign / "acme-web" / "sections" / "web.leak.md"
        )


@pytest.mark.anyio
@pytest.mark.parametrize("linked", ["skills-folder", "skill", "section"])
async def test_workspace_skills_linked_out_are_ignored_in_every_root(
    world: World, linked: str
) -> None:
    """The first root's and the second root's ``.stackskills/skills`` obey the same rule:
    (before the fix, a second root's folder was loaded like a ``--skills-dir`` and followed
    out of the workspace)."""
    for root in (world.root, world.second):
        _link_workspace_skills_out(root, world.outside / "skills", linked)
    with anyio.fail_after(60):
        async with _session([world.root, world.second]) as client:
            served = await _served_text(client)
            with pytest.raises(MCPError):
                await client.read_resource("skill://acme-web/sections/web.leak.md")
    assert SECRET not in served
    assert "web.leak" not in served


@pytest.mark.anyio
async def test_a_fifo_in_a_workspace_skill_does_not_hang_the_server(world: World) -> None:
    own = world.root / ".stackskills" / "skills" / "acme-web"
    (own / "sections").mkdir(parents=True)
    (own / "SKILL.md").write_text(SKILL_MD.format(name="acme-web"), encoding="utf-8")
    os.mkfifo(own / "sections" / "web.leak.md")
    with anyio.fail_after(30):
        async with _session([world.root]) as client:
            listing = await client.call_tool("list_sections", {})
            overview = await client.read_resource("skill://acme-web/SKILL.md")
    assert listing.is_error is not True
    assert "web.leak" not in json.dumps(listing.model_dump(mode="json"))
    assert overview.contents


# --- detection: requirement includes -----------------------------------------------------

OUT = "outside the workspace; not read"
NOT_FOUND = "file not found"
NOT_REGULAR = "cannot read: not a regular file"

INCLUDES: list[tuple[str, str, str | None]] = [
    # (line of requirements-extra.txt, the value it includes, the problem, or None: no error)
    ("-r ../outside/outside.txt", "../outside/outside.txt", OUT),
    ("-c /etc/x", "/etc/x", OUT),
    ("--requirement=../outside/outside.txt", "../outside/outside.txt", OUT),
    ("--constraint ../../../../../../etc/passwd", "../../../../../../etc/passwd", OUT),
    ("-r link_dir/outside.txt", "link_dir/outside.txt", OUT),
    ("-r out-link.txt", "out-link.txt", OUT),
    ("-r /proc/self/root/etc/passwd", "/proc/self/root/etc/passwd", OUT),
    ("-r {outside}/outside.txt", "{outside}/outside.txt", OUT),
    ("-r '..\\outside\\outside.txt'", "..\\outside\\outside.txt", NOT_FOUND),  # a name here
    ("-r ..\\outside\\outside.txt", "..outsideoutside.txt", NOT_FOUND),  # shlex, as pip
    ("-r %2e%2e/outside/outside.txt", "%2e%2e/outside/outside.txt", NOT_FOUND),
    ("-r pipe.txt", "pipe.txt", NOT_REGULAR),  # a FIFO: refused, not waited on
    ("-r app", "app", NOT_REGULAR),
    ("-r file:///etc/passwd", "", None),  # a URL: remote, never opened
    ("-e ../outside", "", None),  # a local editable: workspace code, never opened
]


def _includes_world(world: World) -> list[tuple[str, int | None, str]]:
    (world.root / "out-link.txt").symlink_to(world.outside / "outside.txt")
    os.mkfifo(world.root / "pipe.txt")
    lines = [line.format(outside=world.outside) for line, _, _ in INCLUDES]
    (world.root / "requirements-extra.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected: list[tuple[str, int | None, str]] = [
        (
            "requirements-extra.txt",
            number,
            f"cannot include {value.format(outside=world.outside)!r}: {problem}",
        )
        for number, (_, value, problem) in enumerate(INCLUDES, start=1)
        if problem is not None
    ]
    # the walk reports the links it will not follow (out.py and the rest are Python files)
    expected += [
        (name, None, "symlink points outside the workspace; not followed")
        for name in ("chain.py", "chain2.py", "link_dir", "out-link.txt", "out.py", "to_second.py")
    ]
    expected.append(("loop.py", None, "broken symlink or symlink loop"))
    return sorted(expected, key=str)


def _assert_nothing_outside_opened(opened: list[str], world: World) -> None:
    resolved = {os.path.realpath(path) for path in opened}
    assert str(world.root / "requirements.txt") in resolved  # the recording works
    forbidden = (world.outside, Path("/etc").resolve())
    assert sorted(p for p in resolved if any(Path(p).is_relative_to(f) for f in forbidden)) == []


def test_includes_out_of_the_workspace_are_refused_and_never_opened(
    world: World, record_opened: RecordOpened
) -> None:
    expected = _includes_world(world)
    with record_opened() as opened:
        stack = detect(world.root, use_cache=False)
    errors = sorted(((e.file, e.line, e.message) for e in stack.errors), key=str)
    assert errors == expected
    assert [f.name for f in stack.frameworks] == ["flask"]  # boto3 is only outside
    _assert_nothing_outside_opened(opened, world)


def test_the_detect_cli_refuses_the_same_includes(world: World) -> None:
    expected = _includes_world(world)
    done = subprocess.run(
        [str(EXE), "detect", str(world.root), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert SECRET not in done.stdout
    document = json.loads(done.stdout)
    errors = sorted(((e["file"], e.get("line"), e["message"]) for e in document["errors"]), key=str)
    assert errors == expected
    assert [f["name"] for f in document["frameworks"]] == ["flask"]


# --- review of a tree, and workspace skills through the CLI -------------------------------


def test_review_of_a_tree_reads_only_files_inside_it(
    world: World,
    record_opened: RecordOpened,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(world.root)
    with record_opened() as opened:
        code = run_review(["."], "json", python=None, stack_spec="auto", select=None, ignore=None)
    out = capsys.readouterr().out
    assert code == 1
    assert SECRET not in out
    document = json.loads(out)
    reviewed = sorted({f["file"] for f in document["findings"]})
    assert reviewed == ["..hidden.py", "alias.py", "app/views.py", "ünïcode dir/app módulo.py"]
    assert document["errors"] == []
    _assert_nothing_outside_opened(opened, world)


def test_the_review_cli_reviews_the_same_files(world: World) -> None:
    done = subprocess.run(
        [str(EXE), "review", ".", "--format", "json"],
        cwd=world.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, "Traceback" in done.stderr) == (1, False)
    assert SECRET not in done.stdout
    reviewed = sorted({f["file"] for f in json.loads(done.stdout)["findings"]})
    assert reviewed == ["..hidden.py", "alias.py", "app/views.py", "ünïcode dir/app módulo.py"]


@pytest.mark.parametrize("linked", ["skills-folder", "skill", "section"])
def test_skills_list_ignores_workspace_skills_linked_out(world: World, linked: str) -> None:
    _link_workspace_skills_out(world.root, world.outside / "skills", linked)
    done = subprocess.run(
        [str(EXE), "skills", "list", "--workspace", str(world.root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr
    skills = {(s["name"], s["sections"]) for s in json.loads(done.stdout)["skills"]}
    if linked == "section":  # its own SKILL.md loads; the linked section does not
        assert ("acme-web", 0) in skills
        assert "sections/web.leak.md: symlink points outside its skill folder; not read" in (
            done.stderr
        )
    else:
        assert "acme-web" not in {name for name, _ in skills}


# --- export: the one command that writes into the workspace ------------------------------


def _export(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), "export", "--workspace", str(world.root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_export_never_writes_through_a_link_out_of_the_workspace(world: World) -> None:
    victim = world.outside / "created-by-export.md"
    (world.root / "AGENTS.md").symlink_to(victim)  # dangling: a write would create it
    done = _export(world, "--format", "agents-md")
    assert done.returncode == 0, done.stderr
    assert not victim.exists()
    assert "skipped AGENTS.md: a symlink that leads out of the folder; not touched" in done.stderr


def test_export_never_removes_generated_files_outside_the_workspace(world: World) -> None:
    foreign = world.outside / "rules"
    foreign.mkdir()
    planted = foreign / "old.mdc"
    planted.write_text("<!-- stackskills:generated -->\n", encoding="utf-8")
    (world.root / ".cursor").mkdir()
    (world.root / ".cursor" / "rules").symlink_to(foreign, target_is_directory=True)
    done = _export(world, "--format", "cursor-rules")
    assert done.returncode == 0, done.stderr
    assert planted.exists()
    assert [p.name for p in foreign.iterdir()] == ["old.mdc"]  # nothing written there either


def test_export_check_does_not_wait_on_a_fifo(world: World) -> None:
    os.mkfifo(world.root / "AGENTS.md")
    done = _export(world, "--format", "agents-md", "--check")  # timeout=60 fails a hang
    assert "skipped AGENTS.md: not a regular file; not touched" in done.stderr
    assert stat.S_ISFIFO((world.root / "AGENTS.md").lstat().st_mode)  # left as it was
