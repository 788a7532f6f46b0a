"""`stackskills config` run as a process: every snippet parses and has the shape its client
documents, --write merges into real files under a temporary HOME and workspace (backup first,
other servers kept, idempotent, invalid JSON refused), and Claude Code's own CLI registers the
printed command and reports the server connected."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stackskills.client_configs import user_config

STACKSKILLS = Path(sys.executable).parent / "stackskills"
CLAUDE_CODE_VERSION = "2.1.332"
CLAUDE_CODE_PREFIX = Path.home() / ".cache" / "stackskills-test"

# Fields each client documents for a stdio server entry, and whether "type" is required.
DOCUMENTED_FIELDS = {"type", "command", "args", "env", "cwd", "envFile"}
SERVERS_KEY = {
    "claude-desktop": "mcpServers",
    "vscode": "servers",
    "cursor": "mcpServers",
    "windsurf": "mcpServers",
    "json": "mcpServers",
}
TYPED = {"vscode"}


def stackskills(
    *args: str, home: Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "APPDATA")}
    env["HOME"] = str(home)
    return subprocess.run(
        [str(STACKSKILLS), "config", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        cwd=cwd,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "requirements.txt").write_text("django==5.1\n")
    return folder.resolve()


def path_entry(workspace: Path) -> dict[str, object]:
    return {"command": str(STACKSKILLS), "args": ["serve", "--workspace", str(workspace)]}


@pytest.mark.parametrize("client", sorted(SERVERS_KEY))
def test_snippet_parses_and_matches_the_clients_schema(
    client: str, home: Path, workspace: Path
) -> None:
    result = stackskills(client, "--workspace", str(workspace), home=home)

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == [SERVERS_KEY[client]]
    entry = document[SERVERS_KEY[client]]["stackskills"]
    assert set(entry) <= DOCUMENTED_FIELDS
    expected = {"type": "stdio"} if client in TYPED else {}
    assert entry == {**expected, **path_entry(workspace)}
    assert all(isinstance(arg, str) for arg in entry["args"])


def test_workspace_defaults_to_the_current_folder(home: Path, workspace: Path) -> None:
    result = stackskills("cursor", home=home, cwd=workspace)

    assert json.loads(result.stdout) == {"mcpServers": {"stackskills": path_entry(workspace)}}


def test_run_as_a_module_the_snippet_starts_this_python(home: Path, workspace: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stackskills", "config", "json", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert json.loads(result.stdout)["mcpServers"]["stackskills"] == {
        "command": sys.executable,
        "args": ["-m", "stackskills", "serve", "--workspace", str(workspace)],
    }


def test_claude_code_prints_the_claude_mcp_add_command(home: Path, workspace: Path) -> None:
    result = stackskills("claude-code", "--workspace", str(workspace), home=home)

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "claude mcp add --transport stdio stackskills -- "
        f"{shlex.join([str(STACKSKILLS), 'serve', '--workspace', str(workspace)])}\n"
    )


def test_via_uvx_runs_the_published_package(home: Path, workspace: Path) -> None:
    result = stackskills("json", "--via", "uvx", "--workspace", str(workspace), home=home)

    assert json.loads(result.stdout) == {
        "mcpServers": {
            "stackskills": {
                "command": "uvx",
                "args": ["stackskills", "serve", "--workspace", str(workspace)],
            }
        }
    }


def test_via_docker_mounts_the_workspace_read_only(home: Path, workspace: Path) -> None:
    result = stackskills("vscode", "--via", "docker", "--workspace", str(workspace), home=home)

    assert json.loads(result.stdout)["servers"]["stackskills"] == {
        "type": "stdio",
        "command": "docker",
        "args": [
            "run",
            "-i",
            "--rm",
            "-v",
            f"{workspace}:/workspace:ro",
            "stackskills",
            "serve",
            "--workspace",
            "/workspace",
        ],
    }


@pytest.mark.parametrize(
    ("client", "relative", "key", "typed"),
    [
        ("claude-code", ".mcp.json", "mcpServers", True),
        ("vscode", ".vscode/mcp.json", "servers", True),
        ("cursor", ".cursor/mcp.json", "mcpServers", False),
    ],
)
def test_write_creates_the_workspace_file(
    client: str, relative: str, key: str, typed: bool, home: Path, workspace: Path
) -> None:
    result = stackskills(client, "--write", "--workspace", str(workspace), home=home)

    target = workspace / relative
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"added stackskills in {target}\n"
    entry = {"type": "stdio", **path_entry(workspace)} if typed else path_entry(workspace)
    assert json.loads(target.read_text()) == {key: {"stackskills": entry}}
    assert not target.with_name(target.name + ".bak").exists()
    assert list(home.iterdir()) == []


@pytest.mark.parametrize(
    ("client", "relative"),
    [
        ("claude-desktop", ".config/Claude/claude_desktop_config.json"),
        ("windsurf", ".codeium/windsurf/mcp_config.json"),
        ("cursor", ".cursor/mcp.json"),
        ("vscode", ".config/Code/User/mcp.json"),
        ("claude-code", ".claude.json"),
    ],
)
def test_write_user_goes_to_the_users_file(
    client: str, relative: str, home: Path, workspace: Path
) -> None:
    result = stackskills(client, "--write", "--user", "--workspace", str(workspace), home=home)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"added stackskills in {home / relative}\n"
    document = json.loads((home / relative).read_text())
    assert document[SERVERS_KEY.get(client, "mcpServers")]["stackskills"]["args"] == [
        "serve",
        "--workspace",
        str(workspace),
    ]
    assert list(workspace.iterdir()) == [workspace / "requirements.txt"]


def test_clients_without_a_workspace_file_write_the_users_file(home: Path, workspace: Path) -> None:
    result = stackskills("windsurf", "--write", "--workspace", str(workspace), home=home)

    assert result.stdout == f"added stackskills in {home}/.codeium/windsurf/mcp_config.json\n"


def test_write_keeps_other_servers_and_settings_and_backs_up_first(
    home: Path, workspace: Path
) -> None:
    target = workspace / ".vscode" / "mcp.json"
    target.parent.mkdir()
    original = json.dumps(
        {
            "inputs": [{"type": "promptString", "id": "key", "description": "API key"}],
            "servers": {"github": {"type": "http", "url": "https://example.invalid/mcp"}},
        }
    )
    target.write_text(original)

    result = stackskills("vscode", "--write", "--workspace", str(workspace), home=home)

    backup = workspace / ".vscode" / "mcp.json.bak"
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"added stackskills in {target} (backup: {backup})\n"
    assert backup.read_text() == original
    assert json.loads(target.read_text()) == {
        "inputs": [{"type": "promptString", "id": "key", "description": "API key"}],
        "servers": {
            "github": {"type": "http", "url": "https://example.invalid/mcp"},
            "stackskills": {"type": "stdio", **path_entry(workspace)},
        },
    }


def test_write_twice_changes_nothing_the_second_time(home: Path, workspace: Path) -> None:
    first = stackskills("cursor", "--write", "--workspace", str(workspace), home=home)
    target = workspace / ".cursor" / "mcp.json"
    written = target.read_bytes()
    stamp = target.stat().st_mtime_ns

    second = stackskills("cursor", "--write", "--workspace", str(workspace), home=home)

    assert first.stdout == f"added stackskills in {target}\n"
    assert second.returncode == 0, second.stderr
    assert second.stdout == f"unchanged stackskills in {target}\n"
    assert target.read_bytes() == written
    assert target.stat().st_mtime_ns == stamp
    assert not (workspace / ".cursor" / "mcp.json.bak").exists()


def test_write_updates_a_changed_entry_and_keeps_the_previous_one(
    home: Path, workspace: Path
) -> None:
    stackskills("claude-code", "--write", "--workspace", str(workspace), home=home)
    target = workspace / ".mcp.json"
    before = target.read_text()

    result = stackskills(
        "claude-code", "--write", "--via", "uvx", "--workspace", str(workspace), home=home
    )

    assert result.stdout == f"updated stackskills in {target} (backup: {target}.bak)\n"
    assert (workspace / ".mcp.json.bak").read_text() == before
    assert json.loads(target.read_text())["mcpServers"]["stackskills"] == {
        "type": "stdio",
        "command": "uvx",
        "args": ["stackskills", "serve", "--workspace", str(workspace)],
    }


def test_invalid_json_is_refused_with_one_line_and_left_alone(home: Path, workspace: Path) -> None:
    target = workspace / ".mcp.json"
    target.write_text('{"mcpServers": {"other": {"command": "x",}}}\n')

    result = stackskills("claude-code", "--write", "--workspace", str(workspace), home=home)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"stackskills: error: {target}: not valid JSON (line 1 column 42: Expecting property"
        " name enclosed in double quotes); fix or move it, nothing was changed\n"
    )
    assert target.read_text() == '{"mcpServers": {"other": {"command": "x",}}}\n'
    assert not (workspace / ".mcp.json.bak").exists()


def test_servers_key_that_is_not_an_object_is_refused(home: Path, workspace: Path) -> None:
    target = workspace / ".cursor" / "mcp.json"
    target.parent.mkdir()
    target.write_text('{"mcpServers": []}')

    result = stackskills("cursor", "--write", "--workspace", str(workspace), home=home)

    assert result.returncode == 2
    assert result.stderr == (
        f"stackskills: error: {target}: 'mcpServers' is not a JSON object; not changed\n"
    )
    assert target.read_text() == '{"mcpServers": []}'


def test_generic_json_has_no_file_to_write(home: Path, workspace: Path) -> None:
    result = stackskills("json", "--write", "--workspace", str(workspace), home=home)

    assert result.returncode == 2
    assert result.stderr == (
        "stackskills: error: json has no config file to write; paste the printed snippet instead\n"
    )


def test_user_without_write_is_a_usage_error(home: Path, workspace: Path) -> None:
    result = stackskills("cursor", "--user", "--workspace", str(workspace), home=home)

    assert result.returncode == 2
    assert result.stderr == "stackskills: error: --user goes with --write\n"


def test_missing_workspace_is_a_usage_error(home: Path, tmp_path: Path) -> None:
    result = stackskills("vscode", "--workspace", str(tmp_path / "nope"), home=home)

    assert result.returncode == 2
    assert result.stderr == (
        f"stackskills: error: workspace {str(tmp_path / 'nope')!r} is not a folder\n"
    )


def test_user_config_follows_each_platforms_convention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    mac_support = tmp_path / "Library" / "Application Support"

    assert user_config("claude-desktop", tmp_path, "darwin") == (
        mac_support / "Claude" / "claude_desktop_config.json"
    )
    assert user_config("claude-desktop", tmp_path, "win32") == (
        tmp_path / "Roaming" / "Claude" / "claude_desktop_config.json"
    )
    assert user_config("vscode", tmp_path, "darwin") == mac_support / "Code" / "User" / "mcp.json"
    assert user_config("windsurf", tmp_path, "win32") == (
        tmp_path / ".codeium" / "windsurf" / "mcp_config.json"
    )
    assert user_config("json", tmp_path, "linux") is None


# --- a real client ---------------------------------------------------------------------------


def claude_code_cli() -> Path:
    """Claude Code's CLI, pinned, installed once into the test cache with npm."""
    binary = CLAUDE_CODE_PREFIX / "node_modules" / ".bin" / "claude"
    package = CLAUDE_CODE_PREFIX / "node_modules" / "@anthropic-ai" / "claude-code"
    installed = package / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == CLAUDE_CODE_VERSION:
        return binary
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so Claude Code's CLI cannot be installed")
    CLAUDE_CODE_PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(CLAUDE_CODE_PREFIX),
            f"@anthropic-ai/claude-code@{CLAUDE_CODE_VERSION}",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return binary


def test_claude_code_registers_the_printed_command_and_connects(
    home: Path, workspace: Path
) -> None:
    claude = claude_code_cli()
    env = claude_env(home)
    printed = stackskills("claude-code", home=home, cwd=workspace).stdout.strip()
    name, *args = shlex.split(printed)
    assert name == "claude"

    added = subprocess.run(
        [str(claude), *args], cwd=workspace, env=env, capture_output=True, text=True, timeout=120
    )
    listed = subprocess.run(
        [str(claude), "mcp", "list"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert added.returncode == 0, added.stderr
    assert listed.returncode == 0, listed.stderr
    command = shlex.join([str(STACKSKILLS), "serve", "--workspace", str(workspace)])
    assert f"stackskills: {command} - ✔ Connected" in listed.stdout.splitlines()


def claude_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE", "ANTHROPIC"))}
    return env | {"HOME": str(home), "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}


def claude_mcp_get(home: Path, workspace: Path) -> list[str]:
    result = subprocess.run(
        [str(claude_code_cli()), "mcp", "get", "stackskills"],
        cwd=workspace,
        env=claude_env(home),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return [line.strip() for line in result.stdout.splitlines()]


def test_claude_code_reads_the_written_project_file(home: Path, workspace: Path) -> None:
    stackskills("claude-code", "--write", "--workspace", str(workspace), home=home)

    lines = claude_mcp_get(home, workspace)

    assert "Scope: Project config (shared via .mcp.json)" in lines
    assert "Type: stdio" in lines
    assert f"Command: {STACKSKILLS}" in lines
    assert f"Args: serve --workspace {workspace}" in lines


def test_claude_code_connects_to_the_written_user_entry(home: Path, workspace: Path) -> None:
    stackskills("claude-code", "--write", "--user", "--workspace", str(workspace), home=home)

    lines = claude_mcp_get(home, workspace)

    assert "Scope: User config (available in all your projects)" in lines
    assert "Status: ✔ Connected" in lines
    assert f"Args: serve --workspace {workspace}" in lines
