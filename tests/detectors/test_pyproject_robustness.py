"""Any TOML structure at any place a dialect reads gives errors as values, never a crash."""

from __future__ import annotations

import random
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from stackskills.detectors.manifests.pyproject import (
    DIALECTS,
    dialect_reader,
    read_pyproject,
    speaks,
)
from stackskills.detectors.models import ManifestReading
from stackskills.detectors.source import Workspace
from stackskills.detectors.toml_source import LineLocator

READ_PATHS = [
    ("project",),
    ("project", "name"),
    ("project", "dependencies"),
    ("project", "optional-dependencies"),
    ("project", "optional-dependencies", "test"),
    ("project", "requires-python"),
    ("project", "classifiers"),
    ("dependency-groups",),
    ("dependency-groups", "dev"),
    ("dependency-groups", "test"),
    ("tool",),
    ("tool", "poetry"),
    ("tool", "poetry", "name"),
    ("tool", "poetry", "dependencies"),
    ("tool", "poetry", "dependencies", "python"),
    ("tool", "poetry", "dependencies", "django"),
    ("tool", "poetry", "dev-dependencies"),
    ("tool", "poetry", "group"),
    ("tool", "poetry", "group", "dev"),
    ("tool", "poetry", "group", "dev", "dependencies"),
    ("tool", "pdm", "dev-dependencies"),
    ("tool", "pdm", "dev-dependencies", "test"),
    ("tool", "uv"),
    ("tool", "uv", "dev-dependencies"),
    ("tool", "uv", "constraint-dependencies"),
    ("tool", "uv", "override-dependencies"),
    ("tool", "hatch", "envs"),
    ("tool", "hatch", "envs", "default"),
    ("tool", "hatch", "envs", "default", "dependencies"),
    ("tool", "hatch", "envs", "default", "extra-dependencies"),
    ("tool", "ruff", "target-version"),
    ("tool", "mypy", "python_version"),
    ("tool", "pyright", "pythonVersion"),
    ("tool", "black", "target-version"),
    ("tool", "pytest"),
    ("tool", "django-stubs"),
]
KEYS = [
    "version", "extras", "optional", "markers", "python", "platform", "git", "path", "url",
    "branch", "tag", "rev", "include-group", "dependencies", "dev", "test", "name", "main",
]  # fmt: skip
STRINGS = [
    "", "*", "^1.2", "~1", "1.2.*", ">=1,<2 || ^3", "django>=5", "-e ./x", "-e x#egg=y",
    "py311", "3.11", "a @ {root:uri}/a", "x[", '"', "\\", "[tool]", "||", "^", "dev",
    "test", "foo; python_version <", "Programming Language :: Python :: 3.12",
]  # fmt: skip


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10 if depth < 3 else 6)
    if kind < 2:
        return rng.choice(STRINGS)
    if kind == 2:
        return rng.choice([0, -1, 3, 2**40])
    if kind == 3:
        return rng.choice([3.1, 3.11, float("inf"), float("nan")])
    if kind == 4:
        return rng.choice([True, False])
    if kind == 5:
        return rng.choice([date(2024, 1, 1), datetime(2024, 1, 1, 12), time(1, 2)])
    if kind < 8:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS): random_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def random_document(rng: random.Random) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for path in rng.sample(READ_PATHS, rng.randrange(1, 8)):
        current = document
        for key in path[:-1]:
            child = current.setdefault(key, {})
            if not isinstance(child, dict):
                break
            current = child
        else:
            current[path[-1]] = random_value(rng)
    return document


def random_text(rng: random.Random, document: dict[str, Any]) -> str:
    lines = [f"[{'.'.join(path)}]" for path in rng.sample(READ_PATHS, 5)]
    lines += [f'{key} = "{rng.choice(STRINGS)}"' for key in rng.sample(KEYS, 5)]
    lines += repr(document).split(", ")
    rng.shuffle(lines)
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(40))
def test_any_structure_reads_without_raising(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        document = random_document(rng)
        lines = LineLocator(random_text(rng, document))
        for module, table in DIALECTS:
            reading = dialect_reader(module)(document, lines, "pyproject.toml")
            assert isinstance(reading, ManifestReading)
            assert all(error.file == "pyproject.toml" for error in reading.errors)
            assert all(dependency.name for dependency in reading.dependencies)
            if not speaks(document, table):
                # ``read_pyproject`` skips this dialect: it must have had nothing to say
                assert reading == ManifestReading(), (module, document)


WEIRD_FILES = [
    '[project]\ndependencies = [[], {}, ["x"]]\n',
    "[project.optional-dependencies]\n'' = ['a']\n\"x.y\" = ['b']\n",
    "[dependency-groups]\n'' = [{include-group = ''}]\n",
    "[tool.poetry.dependencies]\n'' = ''\npython = ''\nx = []\ny = {}\n",
    "[tool.poetry.group]\n'' = {}\nx = {dependencies = []}\n",
    "[[tool.poetry.dependencies.numpy]]\nversion = '^1'\n[[tool.poetry.dependencies.numpy]]\n"
    "version = '^2'\n",
    "[tool.black]\ntarget-version = []\n[tool.ruff]\ntarget-version = ''\n",
    "[tool.hatch.envs]\n'py3.11' = {dependencies = ['a']}\n",
    "tool.pytest = 1\n",
    "[tool.pdm.dev-dependencies]\nx = ['-e', '-e ', '--editable=x', '-e @', '-e #egg=']\n",
]


@pytest.mark.parametrize("text", WEIRD_FILES)
def test_odd_but_valid_toml_reads_without_raising(tmp_path: Path, text: str) -> None:
    workspace = Workspace.at(tmp_path)
    path = workspace.root / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    reading = read_pyproject(workspace, path)
    assert all(error.file == "pyproject.toml" for error in reading.errors)
    assert all(error.line is None or error.line >= 1 for error in reading.errors)
