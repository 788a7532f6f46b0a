"""``[tool.poetry]``: constraint conversion to PEP 440 and the dependency tables."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stackskills.detectors.manifests.poetry import poetry_constraint_to_pep440
from stackskills.detectors.manifests.pyproject import read_pyproject
from stackskills.detectors.models import DetectionError, Evidence, ManifestReading
from stackskills.detectors.source import Workspace


def read(tmp_path: Path, text: str) -> ManifestReading:
    workspace = Workspace.at(tmp_path)
    path = workspace.root / "pyproject.toml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return read_pyproject(workspace, path)


def summary(reading: ManifestReading) -> list[tuple[str, str, str, int | None]]:
    return [(d.name, d.specifier, d.scope, d.evidence.line) for d in reading.dependencies]


# --- constraint conversion -------------------------------------------------------------


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^1.2", ">=1.2,<2.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0.0", ">=0.0,<0.1"),
        ("^1", ">=1,<2"),
        ("^0", ">=0,<1"),
        ("^ 2.1", ">=2.1,<3.0"),
        ("^1.2.3b1", ">=1.2.3b1,<2.0.0"),
        ("^1!2.0", ">=1!2.0,<1!3.0"),
    ],
)
def test_poetry_caret_becomes_pep440_range(poetry: str, pep440: str) -> None:
    assert poetry_constraint_to_pep440(poetry) == pep440


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1", ">=1,<2"),
        ("~=1.2", "~=1.2"),
        ("~=1.2.3", "~=1.2.3"),
        ("~=1", ">=1,<1.1"),
    ],
)
def test_poetry_tilde_becomes_pep440_range(poetry: str, pep440: str) -> None:
    assert poetry_constraint_to_pep440(poetry) == pep440


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("*", ""),
        ("", ""),
        ("  ", ""),
        ("x", ""),
        ("*.*", ""),
        ("1.2.*", "==1.2.*"),
        ("1.*", "==1.*"),
        ("==1.2.*", "==1.2.*"),
        ("!=1.2.*", "!=1.2.*"),
        (">=3.5.*", ">=3.5"),
    ],
)
def test_poetry_wildcards(poetry: str, pep440: str) -> None:
    assert poetry_constraint_to_pep440(poetry) == pep440


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("1.2.3", "==1.2.3"),
        ("=1.2.3", "==1.2.3"),
        ("v1.2", "==1.2"),
        ("==2.0", "==2.0"),
        ("<>1.4", "!=1.4"),
        (">=1.2,<2", ">=1.2,<2"),
        (">=1.2 <2", ">=1.2,<2"),
        (">= 1.2, < 2.0", ">=1.2,<2.0"),
        (">=1.2,<2,", ">=1.2,<2"),
        (">1.0, !=1.5, <=3", ">1.0,!=1.5,<=3"),
        ("^1.2, !=1.4.1", ">=1.2,<2.0,!=1.4.1"),
    ],
)
def test_poetry_comparisons_and_conjunctions(poetry: str, pep440: str) -> None:
    assert poetry_constraint_to_pep440(poetry) == pep440


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^2.0 || ^3.0", ">=2.0,<4.0"),
        ("^1 | ^2", ">=1,<3"),
        ("~2.7 || ^3.4", ">=2.7,<4.0"),
        ("1.2.3 || 1.4", ">=1.2.3,<=1.4"),
        (">=2.7,!=3.0.*,!=3.1.* || >=3.5", ">=2.7"),
        ("<1.0 || >=2.0", ""),
        ("1.2.* || 2.0.*", ">=1.2,<2.1"),
        ("~=1.4 || >1.0,<1.2", ">1.0,<2.0"),
        ("1.2 || *", ""),
    ],
)
def test_poetry_alternatives_become_the_range_around_them(poetry: str, pep440: str) -> None:
    assert poetry_constraint_to_pep440(poetry) == pep440


@pytest.mark.parametrize(
    ("poetry", "message"),
    [
        ("latest", "'latest' is not a valid version constraint"),
        ("^", "'^' is not a version constraint"),
        (">=", "'>=' is not a version constraint"),
        ("^abc", "'^abc' is not a valid version constraint"),
        ("~1.2.x", "'~1.2.x' is not a valid version constraint"),
        ("1.2 ||", "empty alternative in '1.2 ||'"),
        (">=1.0 foo", "'foo' is not a valid version constraint"),
    ],
)
def test_garbage_constraint_raises_value_error(poetry: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        poetry_constraint_to_pep440(poetry)
    assert str(raised.value) == message


# --- reading -----------------------------------------------------------------------------


def test_poetry_dependencies_groups_and_python(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry]
        name = "shop"

        [tool.poetry.dependencies]
        python = "^3.10"
        Django = "^5.0"
        psycopg = { version = "^3.1.13", extras = ["binary", "pool"] }
        redis = { version = "^5.0", optional = true }

        [tool.poetry.group.test.dependencies]
        pytest = "^8.0"

        [tool.poetry.group.main.dependencies]
        gunicorn = "22.0.0"

        [tool.poetry.dev-dependencies]
        black = "*"
        """,
    )
    assert reading.errors == []
    assert reading.project_name == "shop"
    assert summary(reading) == [
        ("django", "<6.0,>=5.0", "runtime", 6),
        ("psycopg", "<4.0.0,>=3.1.13", "runtime", 7),
        ("redis", "<6.0,>=5.0", "optional", 8),
        ("black", "", "dev", 17),
        ("pytest", "<9.0,>=8.0", "dev", 11),
        ("gunicorn", "==22.0.0", "runtime", 14),
    ]
    django, psycopg, *_, gunicorn = reading.dependencies
    assert django.evidence == Evidence(
        file="pyproject.toml", line=6, kind="requirement", detail='Django = "^5.0"'
    )
    assert psycopg.extras == ("binary", "pool")
    assert psycopg.evidence.detail == (
        'psycopg = {version = "^3.1.13", extras = ["binary", "pool"]}'
    )
    assert gunicorn.pinned == "22.0.0"
    assert [(c.specifier, c.evidence) for c in reading.python] == [
        (
            "<4.0,>=3.10",
            Evidence(file="pyproject.toml", line=5, kind="poetry-python", detail="^3.10"),
        )
    ]


def test_poetry_python_and_markers_become_one_marker(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry.dependencies]
        tomli = { version = "^2.0.1", python = "<3.11" }
        pywin32 = { version = "306", platform = "win32", markers = "platform_machine == 'x86_64'" }
        exceptiongroup = { version = "*", python = "~3.10.2" }
        """,
    )
    assert reading.errors == []
    assert [(d.name, d.marker) for d in reading.dependencies] == [
        ("tomli", 'python_version < "3.11"'),
        ("pywin32", 'platform_machine == "x86_64" and sys_platform == "win32"'),
        (
            "exceptiongroup",
            'python_full_version >= "3.10.2" and python_full_version < "3.11.0"',
        ),
    ]


def test_poetry_multiple_constraints_give_one_dependency_each(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry.dependencies]
        numpy = [
            { version = "<1.25", python = "<3.9" },
            { version = "^1.26", python = ">=3.9" },
        ]
        """,
    )
    assert reading.errors == []
    assert [(d.specifier, d.marker, d.evidence.line) for d in reading.dependencies] == [
        ("<1.25", 'python_version < "3.9"', 3),
        ("<2.0,>=1.26", 'python_version >= "3.9"', 4),
    ]
    assert reading.dependencies[1].evidence.detail == (
        'numpy = {version = "^1.26", python = ">=3.9"}'
    )


def test_poetry_git_path_and_url_dependencies(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry.dependencies]
        requests = { git = "https://github.com/psf/requests.git", tag = "v2.32.3" }
        flask = { git = "git+https://github.com/pallets/flask.git" }
        mylib = { path = "../mylib", develop = true }
        wheelpkg = { url = "https://example.com/wheelpkg-1.0-py3-none-any.whl" }
        """,
    )
    assert reading.errors == []
    assert [(d.name, d.specifier, d.url) for d in reading.dependencies] == [
        ("requests", "", "git+https://github.com/psf/requests.git@v2.32.3"),
        ("flask", "", "git+https://github.com/pallets/flask.git"),
        ("mylib", "", "../mylib"),
        ("wheelpkg", "", "https://example.com/wheelpkg-1.0-py3-none-any.whl"),
    ]


def test_poetry_dependency_as_its_own_table(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry.dependencies]
        rich = "^13"

        [tool.poetry.dependencies.uvicorn]
        version = "^0.30"
        extras = ["standard"]
        """,
    )
    assert summary(reading) == [
        ("rich", "<14,>=13", "runtime", 2),
        ("uvicorn", "<0.31,>=0.30", "runtime", 4),
    ]


def test_poetry_optional_group_is_dev(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry.group.docs]
        optional = true

        [tool.poetry.group.docs.dependencies]
        mkdocs = "^1.6"
        """,
    )
    assert summary(reading) == [("mkdocs", "<2.0,>=1.6", "dev", 5)]


def test_poetry_two_project_and_tool_poetry_read_cleanly(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = "rag-utils"
        requires-python = ">=3.10"
        dependencies = [
            "numpy (>=1.26,<3.0.0)",
            "httpx",
        ]

        [project.optional-dependencies]
        qdrant = ["qdrant-client (>=1.9,<2.0.0)"]

        [tool.poetry]
        package-mode = true
        requires-poetry = ">=2.0"

        [tool.poetry.dependencies]
        httpx = { source = "internal" }

        [tool.poetry.requires-plugins]
        poetry-plugin-export = ">=1.8"

        [tool.poetry.group.dev.dependencies]
        pytest = ">=8.0"
        """,
    )
    assert reading.errors == []
    assert reading.project_name == "rag-utils"
    assert summary(reading) == [
        ("numpy", "<3.0.0,>=1.26", "runtime", 5),
        ("httpx", "", "runtime", 6),
        ("qdrant-client", "<2.0.0,>=1.9", "optional", 10),
        ("httpx", "", "runtime", 17),
        ("pytest", ">=8.0", "dev", 23),
    ]
    assert [c.specifier for c in reading.python] == [">=3.10"]


def test_poetry_bad_constraint_is_reported_with_its_line(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry.dependencies]
        python = "3.x.y"
        django = "latest"
        flask = "^3.0"
        """,
    )
    assert summary(reading) == [("flask", "<4.0,>=3.0", "runtime", 4)]
    assert reading.python == []
    assert [(e.line, e.message) for e in reading.errors] == [
        (2, "tool.poetry.dependencies.python: '3.x.y' is not a valid version constraint"),
        (3, "tool.poetry.dependencies.django: 'latest' is not a valid version constraint"),
    ]


def test_poetry_wrong_types_are_reported_with_lines(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry]
        name = ["x"]
        group = "dev"
        dev-dependencies = ["pytest"]

        [tool.poetry.dependencies]
        python = 3.10
        a = 1
        b = { version = 2, extras = "x", optional = "yes", markers = ["m"] }
        c = [{ version = "^1" }, "^2", 3]
        d = { extras = [1] }
        ok = "^1"
        """,
    )
    assert summary(reading) == [
        ("c", "<2,>=1", "runtime", 10),
        ("c", "<3,>=2", "runtime", 10),
        ("ok", "<2,>=1", "runtime", 12),
    ]
    assert [(e.line, e.message) for e in reading.errors] == [
        (2, "tool.poetry.name must be a string, not an array"),
        (7, "tool.poetry.dependencies.python must be a version string, not a float"),
        (
            8,
            "tool.poetry.dependencies.a must be a version string, a table or an array of"
            " tables, not an integer",
        ),
        (
            9,
            "tool.poetry.dependencies.b: version must be a string, not an integer;"
            " markers must be a string, not an array;"
            " extras must be an array of strings, not a string;"
            " optional must be true or false, not a string",
        ),
        (
            10,
            "tool.poetry.dependencies.c must be a version string, a table or an array of"
            " tables, not an integer",
        ),
        (
            11,
            "tool.poetry.dependencies.d: extras must be an array of strings,"
            " not an array with an integer",
        ),
        (4, "tool.poetry.dev-dependencies must be a table, not an array"),
        (3, "tool.poetry.group must be a table, not a string"),
    ]


def test_poetry_bad_name_key_is_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry.group.dev.dependencies]
        "not valid!" = "^1"
        """,
    )
    assert reading.dependencies == []
    assert len(reading.errors) == 1
    error = reading.errors[0]
    assert error.line == 2
    assert error.message.startswith(
        'tool.poetry.group.dev.dependencies."not valid!": invalid requirement'
    )


def test_poetry_bad_marker_is_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry.dependencies]
        uvloop = { version = "^0.19", markers = "sys_platform ==" }
        """,
    )
    assert reading.dependencies == []
    assert [e.line for e in reading.errors] == [2]
    assert isinstance(reading.errors[0], DetectionError)
    assert "tool.poetry.dependencies.uvloop: invalid requirement" in reading.errors[0].message
