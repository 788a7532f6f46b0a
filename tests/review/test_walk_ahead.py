"""Walking the folders under review in a forked child must give exactly what walking them here
gives, for trees too big for one pipe buffer, and must leave no child behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stackskills.review.files import walk_python_files
from stackskills.review.walk_ahead import WalksAhead

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _project(root: Path, modules: int) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\ndependencies = ["django"]\n')
    for index in range(modules):
        package = root / "shop" / f"app{index % 40}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"views_{index}.py").write_text(f"VALUE = {index}\n")
    (root / ".venv").mkdir()
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "skipped.py").write_text("x = 1\n")
    (root / "shop" / "linked.py").symlink_to(root / "shop" / "app0" / "views_0.py")
    return root


def _same(left: tuple[list[Path], object], right: tuple[list[Path], object]) -> None:
    assert left[0] == right[0]
    assert left[1] == right[1]  # the whole Tree: files, stamps, symlinks, errors


def test_a_forked_walk_equals_a_walk_here_for_a_tree_beyond_a_pipe_buffer(
    tmp_path: Path,
) -> None:
    first = _project(tmp_path / "first", 3_000)
    second = _project(tmp_path / "second", 5)
    with WalksAhead([first, second, first]) as ahead:
        walked = ahead.result()
    assert set(walked) == {first, second}
    assert len(walked[first][0]) == 3_001  # the symlinked module resolves inside the root
    for folder in (first, second):
        _same(walked[folder], walk_python_files(folder))


def test_without_fork_the_walk_happens_here(tmp_path: Path) -> None:
    folder = _project(tmp_path / "shop", 3)
    ahead = WalksAhead([folder], fork=False)
    _same(ahead.result()[folder], walk_python_files(folder))


def test_a_walk_no_longer_wanted_leaves_no_child(tmp_path: Path) -> None:
    folder = _project(tmp_path / "shop", 2_000)
    ahead = WalksAhead([folder])
    child = ahead._child
    assert child is not None
    ahead.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(child[0], os.WNOHANG)  # reaped: not even a zombie is left
    assert ahead.result()[folder][0]  # asked again, it walks here
