"""Run MCP clients that no one here wrote against the real ``stackskills serve``.

- ``conformance``: the official suite (``@modelcontextprotocol/conformance``) against
  ``stackskills serve --http``. Every scenario in REQUIRED must pass; the scenarios in
  ``conformance-expected-failures.yml`` (beside this script, each with its reason) must fail,
  and no other may: the suite itself exits 1 on an unexpected failure or a stale entry.
- ``inspector``: the MCP Inspector CLI (``@modelcontextprotocol/inspector --cli``) spawns
  ``stackskills serve`` over stdio, lists its tools, resources and prompts, and calls
  ``review_code`` on a snippet with a known finding.

Both clients need Node >= 22.19. The script installs Node (NODE_VERSION) and the clients (exact
versions in ``mcp-clients/package-lock.json``) from npm into ``~/.cache/stackskills-test``
(or ``$STACKSKILLS_TEST_CACHE``) and reuses them while the pins are unchanged.

    python scripts/real_clients.py [conformance|inspector|all] [--json FILE] [--keep DIR]

Run it with the Python of the venv that has stackskills installed. Exit code 0 when every
check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLIENTS_PACKAGE = HERE / "mcp-clients"
EXPECTED_FAILURES = HERE / "conformance-expected-failures.yml"
NODE_VERSION = "22.23.3"

REQUIRED = (
    "server-initialize",
    "ping",
    "logging-set-level",
    "completion-complete",
    "tools-list",
    "resources-list",
    "prompts-list",
    "resources-subscribe",
    "resources-unsubscribe",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
)
"""The scenarios issue 5 requires to pass."""

EXPECTED_TOOLS = ("detect_stack", "get_guidance", "review_code", "review_file", "list_sections")
EXPECTED_PROMPTS = ("review", "stack-briefing", "section")
EXPECTED_RESOURCE = "stackskills://workspace/stack"
SNIPPET = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
SNIPPET_RULE = "SKS401"
"""A blocking call in a coroutine: flagged whatever the workspace's stack."""

START_TIMEOUT = 90.0
"""Seconds for the server to print its URL; generous for a loaded 2-core CI machine."""
CLIENT_TIMEOUT = 600.0


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class Report:
    conformance: dict[str, str] = field(default_factory=dict)
    """scenario -> "pass", "fail" or "expected-fail"."""
    expected_failures: dict[str, str] = field(default_factory=dict)
    """scenario -> the reason it is expected to fail."""
    checks: list[Check] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks)

    def check(self, name: str, passed: bool, detail: str = "") -> None:
        self.checks.append(Check(name, passed, detail))


# --- installing the clients ----------------------------------------------------------------


def cache_root() -> Path:
    configured = os.environ.get("STACKSKILLS_TEST_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "stackskills-test"


@dataclass(frozen=True)
class Clients:
    node_bin: Path
    """The folder holding Node 22's ``node``: first on PATH for every client."""
    tools_bin: Path

    def env(self, **extra: str) -> dict[str, str]:
        path = os.pathsep.join([str(self.node_bin), os.environ.get("PATH", "")])
        return {**os.environ, "PATH": path, "NO_COLOR": "1", **extra}


def _node_package() -> str:
    """The npm package that ships Node's binary for this machine (what ``node@22`` installs)."""
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64"}.get(machine, machine)
    system = {"win32": "win"}.get(sys.platform, sys.platform)
    prefix = "node-bin" if (system, arch) == ("darwin", "arm64") else "node"
    return f"{prefix}-{system}-{arch}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One installer at a time per cache (pytest runs and the script may overlap)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _npm(args: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("real_clients: npm is not installed (it brings Node 22 and the clients)")
    command = [npm, *args, "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"real_clients: {' '.join(command)} failed:\n{result.stderr}")


def ensure_clients() -> Clients:
    """Node and the two clients, installed once per set of pins."""
    lock_text = (CLIENTS_PACKAGE / "package-lock.json").read_bytes()
    pins = hashlib.sha256(lock_text + NODE_VERSION.encode()).hexdigest()[:16]
    root = cache_root() / f"mcp-clients-{pins}"
    node_package = _node_package()
    clients = Clients(
        node_bin=root / "node" / "node_modules" / node_package / "bin",
        tools_bin=root / "tools" / "node_modules" / ".bin",
    )
    done = root / "installed"
    with _locked(cache_root() / "mcp-clients.lock"):
        if done.exists():
            return clients
        shutil.rmtree(root, ignore_errors=True)
        (root / "node").mkdir(parents=True)
        _npm(
            ["install", "--prefix", str(root / "node"), f"{node_package}@{NODE_VERSION}"],
            root,
            dict(os.environ),
        )
        (root / "tools").mkdir()
        for name in ("package.json", "package-lock.json"):
            shutil.copy(CLIENTS_PACKAGE / name, root / "tools" / name)
        _npm(["ci"], root / "tools", clients.env())
        done.write_text(f"node {NODE_VERSION}\n")
    return clients


# --- the server under test -----------------------------------------------------------------


def stackskills_command() -> list[str]:
    script = Path(sys.executable).parent / "stackskills"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "stackskills"]


def make_workspace(folder: Path) -> Path:
    """A small Django project: something to detect and to serve guidance for."""
    (folder / "shop").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["django>=5.0,<6"]\n'
    )
    (folder / "manage.py").write_text("import django\nimport os\n")
    (folder / "shop" / "__init__.py").write_text("")
    (folder / "shop" / "views.py").write_text(SNIPPET)
    return folder


@contextlib.contextmanager
def http_server(workspace: Path, log: Path) -> Iterator[str]:
    """``stackskills serve --http`` on a free port; yields its URL, then stops it by SIGTERM
    and checks that it exits 0."""
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [
                *stackskills_command(),
                "serve",
                "--http",
                "--port",
                "0",
                "--workspace",
                str(workspace),
            ],
            cwd=workspace,
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )
    try:
        yield _wait_for_url(process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise SystemExit("real_clients: the HTTP server ignored SIGTERM for 30 s") from None
        if code != 0:
            raise SystemExit(
                f"real_clients: the HTTP server exited {code} on SIGTERM:\n{log.read_text()}"
            )


def _wait_for_url(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = re.search(r"(http://\S+/mcp)\b", log.read_text())
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise SystemExit(
                f"real_clients: the server exited {process.returncode}:\n{log.read_text()}"
            )
        time.sleep(0.1)
    raise SystemExit(f"real_clients: no URL from the server in {START_TIMEOUT:.0f} s")


# --- conformance ---------------------------------------------------------------------------


def read_expected_failures(path: Path = EXPECTED_FAILURES) -> dict[str, str]:
    """``scenario -> reason`` from the baseline file's ``- scenario  # reason`` lines."""
    entries: dict[str, str] = {}
    for line in path.read_text().splitlines():
        entry = re.match(r"\s*-\s*([\w-]+)\s*(?:#\s*(.*))?$", line)
        if entry:
            entries[entry.group(1)] = (entry.group(2) or "").strip()
    return entries


SCENARIO_FOLDER = re.compile(r"^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$")


def read_scenario_results(results: Path) -> dict[str, list[str]]:
    """``scenario -> its failed checks' messages`` (none: it passed) from the suite's
    ``server-<scenario>-<time>/checks.json``."""
    failures: dict[str, list[str]] = {}
    for checks_file in sorted(results.glob("server-*/checks.json")):
        name = SCENARIO_FOLDER.match(checks_file.parent.name)
        if name is None:
            continue
        checks: list[dict[str, Any]] = json.loads(checks_file.read_text())
        failures[name.group(1)] = [
            f"{check.get('id')}: {check.get('errorMessage')}"
            for check in checks
            if check.get("status") == "FAILURE"
        ]
    return failures


def run_conformance(clients: Clients, workspace: Path, work: Path, report: Report) -> None:
    results = work / "conformance"
    start = time.perf_counter()
    with http_server(workspace, work / "http-server.log") as url:
        suite = subprocess.run(
            [
                str(clients.tools_bin / "conformance"),
                "server",
                "--url",
                url,
                "--expected-failures",
                str(EXPECTED_FAILURES),
                "-o",
                str(results),
            ],
            cwd=work,
            env=clients.env(),
            capture_output=True,
            text=True,
            timeout=CLIENT_TIMEOUT,
        )
    report.seconds["conformance"] = round(time.perf_counter() - start, 1)
    (work / "conformance.out").write_text(suite.stdout + suite.stderr)
    expected = read_expected_failures()
    report.expected_failures = expected
    failures = read_scenario_results(results)
    for scenario, failed in failures.items():
        if not failed:
            report.conformance[scenario] = "pass"
        else:
            report.conformance[scenario] = "expected-fail" if scenario in expected else "fail"
    for scenario in REQUIRED:
        report.check(
            f"conformance {scenario}",
            failures.get(scenario) == [],
            "; ".join(failures.get(scenario, ["the suite did not run it"])),
        )
    unexpected = sorted(s for s, failed in failures.items() if failed and s not in expected)
    stale = sorted(s for s in expected if failures.get(s) == [])
    report.check("conformance: no unexpected failure", not unexpected, ", ".join(unexpected))
    report.check("conformance: no stale expected failure", not stale, ", ".join(stale))
    report.check(
        "conformance: the suite exits 0",
        suite.returncode == 0,
        f"exit {suite.returncode}; its output is conformance.out (--keep DIR keeps it)",
    )


# --- inspector -----------------------------------------------------------------------------


def _inspect(clients: Clients, workspace: Path, work: Path, *method: str) -> dict[str, Any]:
    command = [
        str(clients.tools_bin / "mcp-inspector"),
        "--cli",
        *stackskills_command(),
        "serve",
        "--workspace",
        str(workspace),
        "--cwd",
        str(workspace),
        *method,
    ]
    env = clients.env(MCP_CATALOG_PATH=str(work / "inspector-catalog.json"))
    result = subprocess.run(
        command, cwd=work, env=env, capture_output=True, text=True, timeout=CLIENT_TIMEOUT
    )
    if result.returncode != 0:
        raise ValueError(f"exit {result.returncode}: {(result.stderr or result.stdout)[-800:]}")
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def run_inspector(clients: Clients, workspace: Path, work: Path, report: Report) -> None:
    start = time.perf_counter()
    calls = {
        "tools/list": ["--method", "tools/list"],
        "resources/list": ["--method", "resources/list"],
        "prompts/list": ["--method", "prompts/list"],
        "tools/call review_code": [
            "--method",
            "tools/call",
            "--tool-name",
            "review_code",
            "--tool-arg",
            f"code={SNIPPET}",
            "filename=views.py",
        ],
    }
    answers: dict[str, dict[str, Any]] = {}
    for name, args in calls.items():
        try:
            answers[name] = _inspect(clients, workspace, work, *args)
        except (ValueError, subprocess.TimeoutExpired) as error:
            report.check(f"inspector {name}", False, str(error))
    report.seconds["inspector"] = round(time.perf_counter() - start, 1)
    (work / "inspector.json").write_text(json.dumps(answers, indent=2))

    if "tools/list" in answers:
        tools = {tool["name"]: tool for tool in answers["tools/list"].get("tools", [])}
        missing = [name for name in EXPECTED_TOOLS if name not in tools]
        undescribed = [name for name, tool in tools.items() if not tool.get("description")]
        report.check(
            "inspector tools/list",
            not missing and not undescribed,
            f"missing {missing}, no description {undescribed}, listed {sorted(tools)}",
        )
    if "resources/list" in answers:
        uris = [resource["uri"] for resource in answers["resources/list"].get("resources", [])]
        report.check("inspector resources/list", EXPECTED_RESOURCE in uris, f"listed {uris[:10]}")
    if "prompts/list" in answers:
        prompts = [prompt["name"] for prompt in answers["prompts/list"].get("prompts", [])]
        missing = [name for name in EXPECTED_PROMPTS if name not in prompts]
        report.check("inspector prompts/list", not missing, f"missing {missing}, listed {prompts}")
    if "tools/call review_code" in answers:
        result = answers["tools/call review_code"]
        findings = (result.get("structuredContent") or {}).get("findings", [])
        rules = [finding.get("rule") for finding in findings]
        report.check(
            "inspector tools/call review_code",
            not result.get("isError") and SNIPPET_RULE in rules,
            f"isError {result.get('isError')}, rules {rules}",
        )


# --- the command ---------------------------------------------------------------------------


def print_report(report: Report) -> None:
    if report.conformance:
        print("conformance scenarios:")
        for scenario, outcome in report.conformance.items():
            reason = report.expected_failures.get(scenario, "")
            print(f"  {outcome:<13} {scenario}" + (f"  ({reason})" if reason else ""))
    print("checks:")
    for check in report.checks:
        mark = "ok  " if check.passed else "FAIL"
        print(f"  {mark} {check.name}" + ("" if check.passed else f": {check.detail}"))
    for name, seconds in report.seconds.items():
        print(f"  {name}: {seconds} s")
    passed = sum(check.passed for check in report.checks)
    print(f"{passed} passed, {len(report.checks) - passed} failed")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "which", nargs="?", choices=("conformance", "inspector", "all"), default="all"
    )
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep", type=Path, help="keep logs and results in this folder")
    args = parser.parse_args(argv)

    report = Report()
    start = time.perf_counter()
    clients = ensure_clients()
    report.seconds["install"] = round(time.perf_counter() - start, 1)
    with tempfile.TemporaryDirectory(prefix="stackskills-real-clients-") as scratch:
        work = args.keep.resolve() if args.keep else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        workspace = make_workspace(Path(scratch) / "workspace")
        if args.which in ("conformance", "all"):
            run_conformance(clients, workspace, work, report)
        if args.which in ("inspector", "all"):
            run_inspector(clients, workspace, work, report)
    print_report(report)
    if args.json:
        document = asdict(report) | {"ok": report.ok}
        args.json.write_text(json.dumps(document, indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
