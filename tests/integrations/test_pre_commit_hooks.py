"""The repository's `.pre-commit-hooks.yaml` driven by the real `pre-commit`, which installs
this repository into its own virtualenv (``language: python``) the way a user's repository
would. pre-commit needs a git repository and a rev, so the hooks run from a clone of this
checkout whose working tree (committed or not) is committed in the clone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
STACKSKILLS = Path(sys.executable).parent / "stackskills"
REPO = Path(__file__).resolve().parents[2]
GIT_IDENTITY = ("-c", "user.name=stackskills tests", "-c", "user.email=tests@example.invalid")

BAD_VIEW = """\
from app.models import User


def known(e):
    if len(User.objects.filter(email=e)) > 0:
        return True
    return False
"""


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str
    home: Path
    """PRE_COMMIT_HOME, shared by the tests so the hook environment is built once."""


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookRepo]:
    base = tmp_path_factory.mktemp("hooks")
    clone = base / "stackskills"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    listed = git(REPO, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "--allow-empty", "-m", "working tree under test")
    yield HookRepo(path=clone, rev=git(clone, "rev-parse", "HEAD"), home=base / "pre-commit-home")


def project(root: Path, hook_repo: HookRepo, hooks: str) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "requirements.txt").write_text("django==5.1\n")
    (root / "app" / "views.py").write_text(BAD_VIEW)
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.path}\n    rev: {hook_repo.rev}\n    hooks:\n{hooks}"
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    return root


def pre_commit(root: Path, hook_repo: HookRepo, *hook: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRE_COMMIT), "run", "--all-files", *hook],
        cwd=root,
        env={**os.environ, "PRE_COMMIT_HOME": str(hook_repo.home)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_review_hook_fails_on_a_bad_django_file(tmp_path: Path, hook_repo: HookRepo) -> None:
    root = project(tmp_path / "shop", hook_repo, "      - id: stackskills-review\n")
    result = pre_commit(root, hook_repo, "stackskills-review")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "stackskills review" in result.stdout
    assert "Failed\n- hook id: stackskills-review\n- exit code: 1\n" in result.stdout
    assert (
        "app/views.py:5:8: SKS103 `len()` loads every matching row only to test whether there"
        " are any [django.efficient-checks]\n"
        "    fix: use `User.objects.filter(email=e).exists()`\n"
    ) in result.stdout


def test_review_hook_passes_once_the_file_is_fixed(tmp_path: Path, hook_repo: HookRepo) -> None:
    root = project(tmp_path / "shop", hook_repo, "      - id: stackskills-review\n")
    view = root / "app" / "views.py"
    view.write_text(
        BAD_VIEW.replace(
            "len(User.objects.filter(email=e)) > 0", "User.objects.filter(email=e).exists()"
        )
    )
    result = pre_commit(root, hook_repo, "stackskills-review")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_export_check_hook_fails_until_the_export_is_current(
    tmp_path: Path, hook_repo: HookRepo
) -> None:
    hooks = "      - id: stackskills-export-check\n        args: [--format, agents-md]\n"
    root = project(tmp_path / "shop", hook_repo, hooks)
    missing = pre_commit(root, hook_repo, "stackskills-export-check")
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert "missing: AGENTS.md\n" in missing.stdout
    subprocess.run(
        [str(STACKSKILLS), "export", "--format", "agents-md", "--workspace", str(root)],
        capture_output=True,
        check=True,
    )
    current = pre_commit(root, hook_repo, "stackskills-export-check")
    assert current.returncode == 0, current.stdout + current.stderr
    assert "Passed" in current.stdout
