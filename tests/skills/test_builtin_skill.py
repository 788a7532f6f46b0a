"""The built-in ``python-expert`` skill: valid, complete, and every example sound.

Examples are checked with ruff's parser at the lowest Python their gate allows (it knows every
version's syntax, unlike ``ast`` on the running interpreter) and with ``ruff format``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from stackskills.skills.loader import SKILL_FILE
from stackskills.skills.markdown import parse_body
from stackskills.skills.places import BUILT_IN_DIR
from stackskills.skills.python_floor import lowest_python
from stackskills.skills.sources import load_catalog
from stackskills.skills.validate import validate_path

RUFF = Path(sys.executable).parent / "ruff"
SKILL_DIR = BUILT_IN_DIR / "python-expert"
REQUIRED_IDS = [
    "fastapi.pydantic-models",
    "fastapi.dependency-injection",
    "fastapi.background-tasks",
    "fastapi.exception-handling",
    "fastapi.lifespan",
    "django.n-plus-one",
    "django.atomic-updates",
    "django.complex-queries",
    "django.efficient-checks",
    "django.bulk-operations",
    "django.transactions",
    "sqlalchemy.declarative",
    "sqlalchemy.async-queries",
    "sqlalchemy.eager-loading",
    "sqlalchemy.pagination",
    "async.parallel",
    "async.timeouts",
    "async.rate-limiting",
    "async.task-groups",
    "async.blocking",
    "typing.modern-hints",
    "typing.generics",
    "typing.protocols",
    "testing.fixtures",
    "testing.parametrize",
    "testing.factories",
    "testing.mocking",
    "errors.exception-hierarchy",
    "errors.result-pattern",
    "checklist",
    "flask.application-factory",
    "flask.configuration",
    "flask.database-sessions",
    "flask.error-handlers",
]
AGENT_SKILLS_KEYS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}


def test_built_in_skill_validates_without_problems() -> None:
    assert [str(problem) for problem in validate_path(SKILL_DIR)] == []


def test_skill_has_every_required_section_at_version_1_3_0() -> None:
    skill = load_catalog(workspace=None).find("python-expert")
    assert skill is not None
    assert skill.version == "1.3.0"
    assert sorted(section.id for section in skill.sections) == sorted(REQUIRED_IDS)


def test_skill_md_front_matter_follows_agent_skills_rules() -> None:
    import yaml

    text = (SKILL_DIR / SKILL_FILE).read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", front["name"])
    assert len(front["name"]) <= 64
    assert front["name"] == SKILL_DIR.name
    assert 0 < len(front["description"]) <= 1024
    assert set(front) - AGENT_SKILLS_KEYS == {"version"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", front["version"])


def _examples_by_python(tmp_path: Path) -> dict[int, list[Path]]:
    skill = load_catalog(workspace=None).find("python-expert")
    assert skill is not None
    by_minor: dict[int, list[Path]] = defaultdict(list)
    for section in skill.sections:
        for example in parse_body(section.body, section.body_line).examples:
            gates = [section.applies_to]
            if example.variant is not None:
                gates.append(section.variant(example.variant).applies_to)
            minor = lowest_python(*gates)
            assert minor is not None, f"{section.id}:{example.line}"
            path = tmp_path / f"py3{minor}" / f"{section.id.replace('.', '_')}_{example.line}.py"
            path.parent.mkdir(exist_ok=True)
            path.write_text(example.code, encoding="utf-8")
            by_minor[minor].append(path)
    return by_minor


def test_every_example_parses_at_the_lowest_python_its_gate_allows(tmp_path: Path) -> None:
    by_minor = _examples_by_python(tmp_path)
    assert sum(len(paths) for paths in by_minor.values()) > 60
    for minor, paths in sorted(by_minor.items()):
        result = subprocess.run(
            [str(RUFF), "check", "--isolated", "--select", "E9", "--target-version",
             f"py3{minor}", "--output-format", "concise", *map(str, paths)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout


def test_every_example_is_formatted(tmp_path: Path) -> None:
    paths = [p for paths in _examples_by_python(tmp_path).values() for p in paths]
    result = subprocess.run(
        [str(RUFF), "format", "--isolated", "--check", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("section_id", REQUIRED_IDS)
def test_every_section_has_a_good_example_and_reads_standalone(section_id: str) -> None:
    skill = load_catalog(workspace=None).find("python-expert")
    assert skill is not None
    section = skill.section(section_id)
    assert section is not None
    kinds = {e.kind for e in parse_body(section.body, section.body_line).examples}
    if section_id != "checklist":
        assert "good" in kinds
    assert len(section.summary) <= 300
    assert "init(" not in section.body.replace("__init__(", "")
