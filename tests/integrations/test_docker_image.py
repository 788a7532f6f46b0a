"""The root Dockerfile: its rules checked statically, and the built image serving MCP over
stdio with a read-only workspace. There is no Docker Hub here, so
``scripts/docker_test_env.sh`` builds a stand-in Python base from Debian packages (cached under
``~/.cache/stackskills-test/docker``) and the image on top of it through ``ARG BASE``."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from stackskills import __version__

REPO = Path(__file__).resolve().parents[2]
SETUP = REPO / "scripts" / "docker_test_env.sh"
IMAGE = "stackskills-test/stackskills"
TOOLS = ["detect_stack", "get_guidance", "list_sections", "review_code", "review_file"]
UNAVAILABLE = 3
"""Exit status of the setup script when this machine cannot run Docker at all."""
SETUP_TIMEOUT = 900.0
PYPROJECT = """\
[project]
name = "shop"
version = "1"
requires-python = ">=3.11"
dependencies = ["django>=4.2,<5"]
"""


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    result = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            result.append((keyword.upper(), " ".join(arguments.split())))
    return result


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def test_dockerfile_is_multi_stage_on_a_pinned_base_and_runs_as_a_non_root_user() -> None:
    steps = instructions((REPO / "Dockerfile").read_text(encoding="utf-8"))
    assert steps[0][0] == "ARG"
    assert re.fullmatch(r"BASE=python:3\.1\d(\.\d+)?-slim(-[a-z]+)?", steps[0][1])
    assert "latest" not in (REPO / "Dockerfile").read_text(encoding="utf-8")
    stages = [arguments for keyword, arguments in steps if keyword == "FROM"]
    assert stages == ["${BASE} AS build", "${BASE}"]
    build = steps[: steps.index(("FROM", "${BASE}"))]
    assert any(k == "RUN" and "pip wheel --wheel-dir /wheels ." in a for k, a in build)
    final = final_stage(steps)
    assert ("COPY", "--from=build /wheels /tmp/wheels") in final
    assert [a for k, a in final if k == "COPY"] == ["--from=build /wheels /tmp/wheels"]
    installs = [a for k, a in final if k == "RUN"]
    assert len(installs) == 1
    assert "pip install --no-index --find-links /tmp/wheels stackskills" in installs[0]
    assert not re.search(r"apt-get|gcc|build-essential|make\b", installs[0])
    users = [a for k, a in final if k == "USER"]
    assert users == ["stackskills"]
    keywords = [k for k, _ in final]
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    assert [json.loads(a) for k, a in final if k == "ENTRYPOINT"] == [["stackskills"]]
    assert [json.loads(a) for k, a in final if k == "CMD"] == [["serve"]]
    assert ("WORKDIR", "/workspace") in final


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for entry in [".git", ".venv", "build", "dist", "bench", "tests", "**/__pycache__"]:
        assert entry in ignored


@pytest.fixture(scope="module")
def image() -> str:
    """Build the image through the setup script, or skip with its one-line reason."""
    try:
        done = subprocess.run(
            ["bash", str(SETUP)], capture_output=True, text=True, timeout=SETUP_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"{SETUP.name} did not finish in {SETUP_TIMEOUT:.0f}s")
    reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if done.returncode == UNAVAILABLE:
        pytest.skip(f"Docker cannot run here: {reason}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == IMAGE
    return IMAGE


@pytest.fixture
def shared_workspace() -> Iterator[Path]:
    """A Django project readable by the image's non-root user (tmp_path is 0700 for root)."""
    with tempfile.TemporaryDirectory(prefix="stackskills-docker-") as name:
        root = Path(name)
        root.chmod(0o755)
        (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
        (root / "pyproject.toml").chmod(0o644)
        yield root


def test_image_runs_as_the_non_root_user(image: str) -> None:
    done = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", image, "-un"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout == "stackskills\n"


def test_image_serves_mcp_over_stdio_from_a_read_only_workspace(
    image: str, shared_workspace: Path
) -> None:
    parameters = StdioServerParameters(
        command="docker",
        args=[
            *["run", "-i", "--rm", "-v", f"{shared_workspace}:/workspace:ro", image],
            *["serve", "--workspace", "/workspace"],
        ],
    )

    async def session() -> tuple[str, str, list[str], dict[str, object]]:
        async with Client(parameters) as client:
            assert client.server_info is not None
            tools = await client.list_tools()
            stack = await client.call_tool("detect_stack", {})
            assert stack.structured_content is not None
            return (
                client.server_info.name,
                client.server_info.version,
                sorted(tool.name for tool in tools.tools),
                stack.structured_content,
            )

    name, version, tools, stack = anyio.run(session)
    assert (name, version) == ("stackskills", __version__)
    assert tools == TOOLS
    workspaces = stack["workspaces"]
    assert isinstance(workspaces, list)
    assert workspaces[0]["root"] == "/workspace"
    assert [f["name"] for f in workspaces[0]["frameworks"]] == ["django"]
    assert workspaces[0]["python"]["target"] == "3.11"
