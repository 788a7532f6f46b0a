"""Weak Python statements (CI matrices, tox, Dockerfiles) count only when nothing
stronger says which Python a project supports."""

from __future__ import annotations

from pathlib import Path

from stackskills.detectors.detect import detect


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


WORKFLOW = """\
name: tests
on: [push]
jobs:
  test:
    strategy:
      matrix:
        python-version: [3.10, "3.11", '3.12']
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
"""


def test_ci_matrix_gives_the_lowest_tested_python_and_reads_310_right(tmp_path: Path) -> None:
    _write(tmp_path, {"requirements.txt": "flask\n", ".github/workflows/ci.yml": WORKFLOW})
    stack = detect(tmp_path, use_cache=False)
    assert stack.python.target == "3.10"
    [evidence] = stack.python.evidence
    assert (evidence.file, evidence.line, evidence.kind) == (
        ".github/workflows/ci.yml",
        7,
        "ci-matrix",
    )


def test_dockerfile_base_image_names_the_runtime(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "requirements.txt": "django\n",
            "Dockerfile": "FROM python:3.12-slim AS build\nRUN pip wheel .\n"
            "FROM --platform=linux/amd64 docker.io/library/python:3.12-slim\n",
        },
    )
    stack = detect(tmp_path, use_cache=False)
    assert stack.python.target == "3.12"
    assert [(e.file, e.line, e.kind) for e in stack.python.evidence] == [
        ("Dockerfile", 1, "dockerfile"),
        ("Dockerfile", 3, "dockerfile"),
    ]


def test_tox_envlist_gives_the_lowest_environment(tmp_path: Path) -> None:
    _write(tmp_path, {"tox.ini": "[tox]\nenvlist =\n    py39\n    py{310,311}-django42\n"})
    stack = detect(tmp_path, use_cache=False)
    assert stack.python.target == "3.9"
    assert [(e.line, e.kind) for e in stack.python.evidence] == [(2, "tox-envlist")]


def test_declared_range_outranks_ci_and_docker(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n',
            ".github/workflows/ci.yml": WORKFLOW,
            "Dockerfile": "FROM python:3.13\n",
        },
    )
    stack = detect(tmp_path, use_cache=False)
    assert stack.python.target == "3.11"
    assert stack.python.evidence[0].kind == "requires-python"
    # CI testing 3.10 is outside the declared range: worth telling
    assert stack.python.conflicts == [
        "ci-matrix 3.10 (.github/workflows/ci.yml:7) is outside requires-python >=3.11 "
        "(pyproject.toml:3)"
    ]


def test_a_folder_with_only_a_dockerfile_does_not_outvote_declared_projects(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n',
            "deploy/Dockerfile": "FROM python:3.9\n",
        },
    )
    assert detect(tmp_path, use_cache=False).python.target == "3.11"


def test_broken_workflow_yaml_is_an_error_with_its_line(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "requirements.txt": "flask==3.0.3\n",
            ".github/workflows/ci.yml": "jobs:\n  python-version: [3.10\n  other: {\n",
        },
    )
    stack = detect(tmp_path, use_cache=False)
    [error] = stack.errors
    assert error.file == ".github/workflows/ci.yml" and error.message.startswith("invalid YAML")
    assert error.line is not None
    assert stack.framework("flask") is not None


def test_tox_envlist_stops_at_its_last_indented_line_and_pytest_section_is_a_marker(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "tox.ini": (
                "[tox]\nenvlist =\n    py310\n    py311\n\n[testenv]\ndeps =\n"
                "    py27-compat\n\n[pytest]\naddopts = -q\n"
            ),
        },
    )
    stack = detect(tmp_path, use_cache=False)
    assert stack.python.target == "3.10"
    pytest = stack.framework("pytest")
    assert pytest is not None
    assert [(e.file, e.line, e.kind) for e in pytest.evidence] == [("tox.ini", 10, "marker")]
