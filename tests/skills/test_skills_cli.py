"""``stackskills skills ...`` and the ``sections`` of ``detect``, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXE = Path(sys.executable).parent / "stackskills"
BUILT_IN_SECTIONS = Path(__file__).resolve().parents[2] / "skills" / "python-expert" / "sections"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ),
        check=False,
    )


def flask_project(root: Path) -> Path:
    root.mkdir()
    (root / "requirements.txt").write_text("flask==3.0.3\n")
    (root / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    return root


def test_list_counts_sections_and_active_ones(tmp_path: Path) -> None:
    project = flask_project(tmp_path / "shop")
    result = run_cli("skills", "list", "--workspace", str(project), "--format", "json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)["skills"]
    assert row["name"] == "python-expert"
    assert (row["version"], row["source"], row["in_use"]) == ("1.3.0", "built-in", True)
    assert row["sections"] == len(list(BUILT_IN_SECTIONS.glob("*.md")))
    assert 0 < row["active"] < row["sections"]


def test_list_as_text_is_a_table(tmp_path: Path) -> None:
    project = flask_project(tmp_path / "shop")
    result = run_cli("skills", "list", "--workspace", str(project), "--format", "text")
    header, row = result.stdout.splitlines()[:2]
    assert header.split() == ["NAME", "VERSION", "SOURCE", "SECTIONS", "ACTIVE"]
    assert row.split()[:3] == ["python-expert", "1.3.0", "built-in"]


def test_show_section_explains_why_it_is_active(tmp_path: Path) -> None:
    project = flask_project(tmp_path / "shop")
    result = run_cli(
        "skills", "show", "python-expert", "flask.error-handlers", "--workspace", str(project)
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "[flask.error-handlers · python-expert 1.3.0]" in lines[0]
    assert "Active here: flask 3.0.3 meets flask (requirements.txt:1" in result.stdout
    assert "```python" in result.stdout


def test_show_inactive_section_says_so(tmp_path: Path) -> None:
    project = flask_project(tmp_path / "shop")
    result = run_cli(
        "skills", "show", "python-expert@1.3.0", "django.n-plus-one", "--workspace", str(project)
    )
    assert result.returncode == 0
    assert "Active here: no" in result.stdout
    assert "select_related" in result.stdout


def test_show_unknown_skill_or_section_is_a_one_line_error() -> None:
    unknown = run_cli("skills", "show", "no-such-skill")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("stackskills: error: no skill 'no-such-skill'")
    assert len(unknown.stderr.splitlines()) == 1
    section = run_cli("skills", "show", "python-expert", "django.nope")
    assert section.returncode == 2
    assert "has no section 'django.nope'" in section.stderr


def test_validate_built_in_skill_passes() -> None:
    result = run_cli("skills", "validate", str(BUILT_IN_SECTIONS.parent))
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_validate_reports_each_problem_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    (folder / "sections").mkdir(parents=True)
    (folder / "SKILL.md").write_text(
        "---\nname: demo\ndescription: d\nversion: 1.0.0\nlicense: MIT\n---\n\n"
        "[one](sections/demo.one.md)\n"
    )
    (folder / "sections" / "demo.one.md").write_text(
        "---\nid: demo.one\ntitle: T\nsummary: S\napplies_to: [djang0>>1]\nflavour: x\n---\n"
    )
    result = run_cli("skills", "validate", str(folder))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "demo/sections/demo.one.md:6: unknown field 'flavour'",
    ]


def test_validate_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("skills", "validate", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "is not a folder" in result.stderr


def test_detect_fills_sections_with_reasons(tmp_path: Path) -> None:
    project = flask_project(tmp_path / "shop")
    result = run_cli("detect", str(project), "--format", "json")
    sections = {s["id"]: s for s in json.loads(result.stdout)["sections"]}
    assert {"flask.application-factory", "flask.error-handlers"} <= set(sections)
    assert not any(section_id.startswith("django.") for section_id in sections)
    factory = sections["flask.application-factory"]
    assert (factory["skill"], factory["version"]) == ("python-expert", "1.3.0")
    assert factory["reason"].startswith("flask 3.0.3 meets flask (requirements.txt:1")


def test_detect_uses_skills_from_skills_dir_and_workspace(tmp_path: Path) -> None:
    project = flask_project(tmp_path / "shop")
    for parent, name in (
        (tmp_path / "extra", "team"),
        (project / ".stackskills" / "skills", "local"),
    ):
        folder = parent / name
        (folder / "sections").mkdir(parents=True)
        (folder / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: d\nversion: 0.1.0\nlicense: MIT\n---\n\n"
            f"[x]({'sections'}/{name}.rule.md)\n"
        )
        (folder / "sections" / f"{name}.rule.md").write_text(
            f"---\nid: {name}.rule\ntitle: T\nsummary: S\napplies_to: [flask>=3]\n---\n\nText.\n"
        )
    result = run_cli(
        "detect", str(project), "--format", "json", "--skills-dir", str(tmp_path / "extra")
    )
    ids = {(s["skill"], s["id"]) for s in json.loads(result.stdout)["sections"]}
    assert {("team", "team.rule"), ("local", "local.rule")} <= ids
