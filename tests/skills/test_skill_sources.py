"""Skills come from the package, ``--skills-dir`` folders and the workspace; clashes are named."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from stackskills.skills.places import BUILT_IN, WORKSPACE
from stackskills.skills.sources import load_catalog


def test_built_in_python_expert_is_loaded_without_problems() -> None:
    catalog = load_catalog(workspace=None)
    assert catalog.problems == []
    skill = catalog.find("python-expert")
    assert skill is not None
    assert (skill.version, skill.source) == ("1.3.0", BUILT_IN)


def test_same_name_and_version_twice_is_an_error_naming_both(
    make_skill: Callable[..., Path],
) -> None:
    folder = make_skill(name="python-expert", version="1.3.0")
    catalog = load_catalog(workspace=None, extra_dirs=[folder.parent])
    [problem] = catalog.problems
    assert "python-expert@1.3.0 is defined twice" in problem.message
    assert "built-in" in problem.message and str(folder) in problem.message
    assert catalog.find("python-expert", "1.3.0").source == BUILT_IN  # type: ignore[union-attr]


def test_newer_version_shadows_the_built_in_and_says_so(make_skill: Callable[..., Path]) -> None:
    folder = make_skill(name="python-expert", version="1.4.0")
    catalog = load_catalog(workspace=None, extra_dirs=[folder.parent])
    assert catalog.problems == []
    assert [s.version for s in catalog.in_use() if s.name == "python-expert"] == ["1.4.0"]
    assert catalog.notes == [f"python-expert 1.4.0 from {folder.parent} shadows the built-in 1.3.0"]
    assert catalog.find("python-expert", "1.3.0") is not None


def test_workspace_skills_are_found(tmp_path: Path, make_skill: Callable[..., Path]) -> None:
    workspace = tmp_path / "project"
    target = workspace / ".stackskills" / "skills"
    target.mkdir(parents=True)
    make_skill(name="house-rules").rename(target / "house-rules")
    catalog = load_catalog(workspace=workspace, built_in=False)
    assert [(s.name, s.source) for s in catalog.skills] == [("house-rules", WORKSPACE)]


def test_workspace_skills_linking_out_of_the_workspace_are_ignored(
    tmp_path: Path, make_skill: Callable[..., Path]
) -> None:
    outside = make_skill(name="elsewhere").parent
    workspace = tmp_path / "project"
    (workspace / ".stackskills").mkdir(parents=True)
    os.symlink(outside, workspace / ".stackskills" / "skills")
    catalog = load_catalog(workspace=workspace, built_in=False)
    assert catalog.skills == []


def test_missing_skills_dir_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    catalog = load_catalog(workspace=None, extra_dirs=[tmp_path / "nope"], built_in=False)
    assert [str(p) for p in catalog.problems] == [f"{tmp_path / 'nope'}: not a folder"]
