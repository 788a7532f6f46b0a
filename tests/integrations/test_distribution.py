"""`python -m build` makes a wheel and an sdist that carry the skills' Markdown and every
py.typed, and the wheel installed in a fresh venv runs: a user of `pip install stackskills`
gets the built-in skill, not an empty catalog."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("stackskills", "detectors", "review", "server", "skills")
"""Source folders, each installed as stackskills/<name> (stackskills itself at the top)."""


def _installed(folder: str) -> str:
    return "stackskills" if folder == "stackskills" else f"stackskills/{folder}"


def _expected_data() -> set[str]:
    markdown = {
        f"stackskills/{path.relative_to(REPO).as_posix()}"
        for path in [REPO / "skills" / "README.md", *(REPO / "skills").glob("*/SKILL.md")]
    }
    markdown |= {
        f"stackskills/{path.relative_to(REPO).as_posix()}"
        for path in (REPO / "skills").glob("*/sections/*.md")
    }
    typed = {f"{_installed(folder)}/py.typed" for folder in PACKAGES}
    return markdown | typed


def test_wheel_and_sdist_build_and_the_wheel_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheels = sorted(dist.glob("stackskills-*.whl"))
    sdists = sorted(dist.glob("stackskills-*.tar.gz"))
    assert [w.name for w in wheels] == ["stackskills-0.1.0-py3-none-any.whl"]
    assert [s.name for s in sdists] == ["stackskills-0.1.0.tar.gz"]

    expected = _expected_data()
    assert len([name for name in expected if name.endswith(".md")]) == 36  # README, SKILL, 34
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
    assert expected - names == set()

    with tarfile.open(sdists[0]) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert "pyproject.toml" in members
    assert "skills/python-expert/SKILL.md" in members
    assert "stackskills/py.typed" in members

    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheels[0])],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    stackskills = venv / "bin" / "stackskills"
    workspace = tmp_path / "empty"
    workspace.mkdir()
    listed = subprocess.run(
        [str(stackskills), "skills", "list", "--format", "json", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    skills = json.loads(listed.stdout)["skills"]
    assert [(s["name"], s["version"], s["source"], s["sections"]) for s in skills] == [
        ("python-expert", "1.3.0", "built-in", 34)
    ]
    version = subprocess.run(
        [str(stackskills), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (version.returncode, version.stdout) == (0, "stackskills 0.1.0\n")
