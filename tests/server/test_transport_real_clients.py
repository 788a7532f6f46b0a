"""MCP clients no one here wrote, against the real server: the official conformance suite over
streamable HTTP and the MCP Inspector CLI over stdio, both run by ``scripts/real_clients.py``.

The first run installs Node 22 and the pinned clients from npm into ``~/.cache/stackskills-test``
(about a minute); later runs reuse them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "real_clients.py"


def load_script() -> ModuleType:
    """The script as a module, for its scenario lists (it is not part of the package)."""
    spec = importlib.util.spec_from_file_location("scripts_real_clients", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


real_clients = load_script()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of both clients for the whole module; its JSON report."""
    folder = tmp_path_factory.mktemp("real-clients")
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "all",
            "--json",
            str(folder / "report.json"),
            "--keep",
            str(folder / "results"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        env={**os.environ, "STACKSKILLS_CACHE_DIR": str(folder / "cache")},
    )
    report_file = folder / "report.json"
    if not report_file.exists():
        pytest.fail(f"scripts/real_clients.py wrote no report:\n{result.stdout}\n{result.stderr}")
    document: dict[str, Any] = json.loads(report_file.read_text())
    document["output"] = result.stdout
    return document


def failed_checks(report: dict[str, Any], prefix: str) -> list[str]:
    return [
        f"{check['name']}: {check['detail']}"
        for check in report["checks"]
        if check["name"].startswith(prefix) and not check["passed"]
    ]


@pytest.mark.parametrize("scenario", real_clients.REQUIRED)
def test_required_conformance_scenario_passes(report: dict[str, Any], scenario: str) -> None:
    assert failed_checks(report, f"conformance {scenario}") == []
    assert report["conformance"][scenario] == "pass"


def test_only_the_scenarios_that_call_the_suites_fixtures_fail(report: dict[str, Any]) -> None:
    failing = {name for name, outcome in report["conformance"].items() if outcome != "pass"}
    assert failing == set(real_clients.read_expected_failures())
    assert not failed_checks(report, "conformance:"), report["output"]


def test_the_inspector_lists_tools_resources_and_prompts_and_calls_review_code(
    report: dict[str, Any],
) -> None:
    inspector = [check["name"] for check in report["checks"] if check["name"].startswith("insp")]
    assert inspector == [
        "inspector tools/list",
        "inspector resources/list",
        "inspector prompts/list",
        "inspector tools/call review_code",
    ]
    assert not failed_checks(report, "inspector"), report["output"]


def test_every_expected_failure_calls_a_suite_fixture_and_says_so() -> None:
    expected = real_clients.read_expected_failures()
    assert len(expected) == 17
    for scenario, reason in expected.items():
        assert reason.startswith(("calls the suite's", "reads the suite's", "gets the suite's")), (
            scenario
        )
        assert scenario not in real_clients.REQUIRED
