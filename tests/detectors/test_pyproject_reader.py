"""The pyproject dispatcher and the PEP 621, PEP 735, uv, PDM, Hatch and tool-settings dialects."""

from __future__ import annotations

import textwrap
from pathlib import Path

from stackskills.detectors.manifests.pyproject import read_pyproject
from stackskills.detectors.models import Dependency, DetectionError, Evidence, ManifestReading
from stackskills.detectors.source import Workspace


def read(tmp_path: Path, text: str, name: str = "pyproject.toml") -> ManifestReading:
    """Write ``text`` (dedented, first line is line 1) and read it as a pyproject."""
    workspace = Workspace.at(tmp_path)
    path = workspace.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return read_pyproject(workspace, path)


def summary(reading: ManifestReading) -> list[tuple[str, str, str, int | None]]:
    return [(d.name, d.specifier, d.scope, d.evidence.line) for d in reading.dependencies]


def python(reading: ManifestReading) -> list[tuple[str, str, int | None, str]]:
    return [
        (c.specifier, c.evidence.kind, c.evidence.line, c.evidence.detail) for c in reading.python
    ]


# --- dispatcher --------------------------------------------------------------------------


def test_unreadable_pyproject_is_one_error(tmp_path: Path) -> None:
    workspace = Workspace.at(tmp_path)
    path = workspace.root / "pyproject.toml"
    path.write_bytes(b'[project]\nname = "x\x00"\n')
    reading = read_pyproject(workspace, path)
    assert reading.errors == [
        DetectionError(file="pyproject.toml", line=2, message="binary file (NUL byte)")
    ]
    assert reading.dependencies == []


def test_missing_pyproject_is_one_error(tmp_path: Path) -> None:
    workspace = Workspace.at(tmp_path)
    reading = read_pyproject(workspace, workspace.root / "pyproject.toml")
    assert len(reading.errors) == 1
    assert reading.errors[0].file == "pyproject.toml"
    assert reading.errors[0].message.startswith("cannot read")


def test_invalid_toml_stops_the_reading_with_its_line(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = "demo"
        dependencies = ["django>=5"
        [tool.ruff]
        """,
    )
    assert len(reading.errors) == 1
    error = reading.errors[0]
    assert (error.file, error.line) == ("pyproject.toml", 4)
    assert error.message.startswith("invalid TOML")
    assert reading.dependencies == [] and reading.python == [] and reading.project_name is None


def test_empty_pyproject_reads_to_nothing(tmp_path: Path) -> None:
    assert read(tmp_path, "") == ManifestReading()


def test_evidence_file_is_relative_to_the_workspace(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        dependencies = ["flask"]
        """,
        name="services/api/pyproject.toml",
    )
    assert reading.dependencies[0].evidence == Evidence(
        file="services/api/pyproject.toml", line=2, kind="requirement", detail="flask"
    )


def test_dialects_in_one_file_are_merged(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = "Demo_App"
        requires-python = ">=3.11"
        dependencies = ["fastapi>=0.110"]

        [dependency-groups]
        test = ["pytest>=8"]

        [tool.uv]
        constraint-dependencies = ["starlette<0.40"]

        [tool.hatch.envs.docs]
        dependencies = ["mkdocs"]

        [tool.ruff]
        target-version = "py311"

        [tool.pytest.ini_options]
        addopts = "-q"
        """,
    )
    assert reading.errors == []
    assert reading.project_name == "demo-app"
    assert summary(reading) == [
        ("fastapi", ">=0.110", "runtime", 4),
        ("pytest", ">=8", "dev", 7),
        ("starlette", "<0.40", "runtime", 10),
        ("mkdocs", "", "dev", 13),
    ]
    assert python(reading) == [
        (">=3.11", "requires-python", 3, ">=3.11"),
        ("==3.11.*", "ruff-target-version", 16, "py311"),
    ]
    assert reading.markers == [
        Evidence(file="pyproject.toml", line=18, kind="marker", detail="pytest")
    ]


def test_the_project_itself_is_never_its_own_dependency(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = "my_pkg"
        dependencies = ["requests"]

        [project.optional-dependencies]
        all = ["My-Pkg[test,docs]"]
        test = ["pytest"]

        [dependency-groups]
        dev = ["my-pkg[test]", "ruff"]

        [tool.uv]
        dev-dependencies = ["my.pkg"]
        """,
    )
    assert [d.name for d in reading.dependencies] == ["requests", "pytest", "ruff"]


def test_poetry_name_is_used_when_project_has_none(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.poetry]
        name = "Poetry_App"

        [tool.poetry.group.dev.dependencies]
        poetry-app = { path = ".", develop = true }
        black = "*"
        """,
    )
    assert reading.project_name == "poetry-app"
    assert summary(reading) == [("black", "", "dev", 6)]


def test_one_bad_table_seen_by_several_dialects_is_reported_once(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        tool = "oops"

        [project]
        dependencies = ["rich"]
        """,
    )
    assert reading.errors == [
        DetectionError(file="pyproject.toml", line=1, message="tool must be a table, not a string")
    ]
    assert summary(reading) == [("rich", "", "runtime", 4)]


# --- PEP 621 -----------------------------------------------------------------------------


def test_project_dependencies_and_extras_keep_their_lines(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = "demo"
        dependencies = [
            "Django>=5.0,<6",  # web
            "psycopg[binary]>=3.1; python_version >= '3.10'",
            'celery @ git+https://github.com/celery/celery@v5.4.0',
        ]

        [project.optional-dependencies]
        redis = ["redis>=5"]
        test = [
            "pytest==8.3.2",
        ]
        """,
    )
    assert reading.errors == []
    assert summary(reading) == [
        ("django", "<6,>=5.0", "runtime", 4),
        ("psycopg", ">=3.1", "runtime", 5),
        ("celery", "", "runtime", 6),
        ("redis", ">=5", "optional", 10),
        ("pytest", "==8.3.2", "dev", 12),
    ]
    django, psycopg, celery, _, pytest_dep = reading.dependencies
    assert django.evidence == Evidence(
        file="pyproject.toml", line=4, kind="requirement", detail="Django>=5.0,<6"
    )
    assert psycopg.extras == ("binary",)
    assert psycopg.marker == 'python_version >= "3.10"'
    assert celery.url == "git+https://github.com/celery/celery@v5.4.0"
    assert pytest_dep.pinned == "8.3.2"


def test_the_same_requirement_in_two_places_gets_each_line(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        dependencies = ["anyio", "anyio; python_version < '3.11'"]

        [project.optional-dependencies]
        a = ["httpx"]
        b = ["httpx"]
        c = ["httpx", "httpx"]
        """,
    )
    assert [(d.name, d.evidence.line) for d in reading.dependencies] == [
        ("anyio", 2),
        ("anyio", 2),
        ("httpx", 5),
        ("httpx", 6),
        ("httpx", 7),
        ("httpx", 7),
    ]


def test_escaped_requirement_string_is_found_on_its_line(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        r"""
        [project]
        dependencies = [
            "tomli; python_version < \"3.11\"",
        ]
        """,
    )
    assert summary(reading) == [("tomli", "", "runtime", 3)]


def test_requires_python_and_classifiers_become_python_constraints(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = "demo"
        requires-python = ">= 3.9"
        classifiers = [
            "Programming Language :: Python :: 3",
            "Programming Language :: Python :: 3 :: Only",
            "Programming Language :: Python :: 3.9",
            "Programming Language :: Python :: 3.13",
            "Programming Language :: Python :: Implementation :: CPython",
        ]
        """,
    )
    assert python(reading) == [
        (">=3.9", "requires-python", 3, ">= 3.9"),
        ("==3.9.*", "classifier", 7, "Programming Language :: Python :: 3.9"),
        ("==3.13.*", "classifier", 8, "Programming Language :: Python :: 3.13"),
    ]


def test_invalid_requirement_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        dependencies = [
            "django>=",
            "flask",
        ]
        """,
    )
    assert summary(reading) == [("flask", "", "runtime", 4)]
    assert len(reading.errors) == 1
    error = reading.errors[0]
    assert error.line == 3
    assert error.message.startswith("project.dependencies: invalid requirement 'django>='")


def test_invalid_requires_python_is_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = "demo"
        requires-python = "^3.10"
        """,
    )
    assert reading.python == []
    assert reading.errors == [
        DetectionError(
            file="pyproject.toml",
            line=3,
            message="project.requires-python: '^3.10' is not a valid version specifier",
        )
    ]


def test_invalid_project_name_is_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = "not a name!"
        """,
    )
    assert reading.project_name is None
    assert reading.errors == [
        DetectionError(
            file="pyproject.toml",
            line=2,
            message="project.name: 'not a name!' is not a valid project name",
        )
    ]


def test_wrong_types_in_project_are_reported_with_lines(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [project]
        name = 42
        dependencies = "django"
        requires-python = 3.10
        classifiers = [1]

        [project.optional-dependencies]
        extra = {a = "b"}
        other = ["ok", 3, "fine"]
        """,
    )
    assert summary(reading) == [("ok", "", "optional", 9), ("fine", "", "optional", 9)]
    assert [(e.line, e.message) for e in reading.errors] == [
        (2, "project.name must be a string, not an integer"),
        (3, "project.dependencies must be an array of strings, not a string"),
        (8, "project.optional-dependencies.extra must be an array of strings, not a table"),
        (9, "project.optional-dependencies.other[1] must be a string, not an integer"),
        (4, "project.requires-python must be a string, not a float"),
        (5, "project.classifiers[0] must be a string, not an integer"),
    ]


def test_project_that_is_not_a_table_is_reported(tmp_path: Path) -> None:
    reading = read(tmp_path, 'project = ["x"]\n')
    assert reading.errors == [
        DetectionError(
            file="pyproject.toml", line=1, message="project must be a table, not an array"
        )
    ]


def test_inline_project_table_points_at_its_line(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        # a comment
        project = { name = "x", dependencies = ["attrs"] }
        """,
    )
    assert summary(reading) == [("attrs", "", "runtime", 2)]


# --- PEP 735 -----------------------------------------------------------------------------


def test_dependency_groups_are_dev_and_includes_expand(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [dependency-groups]
        test = ["pytest>=8", "coverage"]
        lint = ["ruff"]
        dev = [
            {include-group = "test"},
            { include-group = "Lint" },
            "ipython",
        ]
        """,
    )
    assert reading.errors == []
    assert summary(reading) == [
        ("pytest", ">=8", "dev", 2),
        ("coverage", "", "dev", 2),
        ("ruff", "", "dev", 3),
        ("ipython", "", "dev", 7),
    ]


def test_included_requirements_take_the_including_groups_scope(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [dependency-groups]
        web = ["flask"]
        main = [{include-group = "web"}]
        """,
    )
    assert summary(reading) == [("flask", "", "optional", 2), ("flask", "", "runtime", 2)]


def test_include_group_cycle_is_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [dependency-groups]
        a = ["black", {include-group = "b"}]
        b = ["isort", {include-group = "a"}]
        """,
    )
    assert sorted({d.name for d in reading.dependencies}) == ["black", "isort"]
    assert reading.errors == [
        DetectionError(
            file="pyproject.toml",
            line=3,
            message="dependency-groups.b: include-group cycle a -> b -> a",
        )
    ]


def test_group_including_itself_is_a_cycle(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [dependency-groups]
        dev = [{include-group = "dev"}]
        """,
    )
    assert [e.message for e in reading.errors] == [
        "dependency-groups.dev: include-group cycle dev -> dev"
    ]


def test_unknown_included_group_is_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [dependency-groups]
        dev = [
            "mypy",
            {include-group = "typing"},
        ]
        """,
    )
    assert summary(reading) == [("mypy", "", "dev", 3)]
    assert reading.errors == [
        DetectionError(
            file="pyproject.toml",
            line=4,
            message="dependency-groups.dev: includes unknown group 'typing'",
        )
    ]


def test_bad_dependency_group_entries_are_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [dependency-groups]
        a = "pytest"
        b = [{include-group = 3}, {other = "x"}, 7, "ok"]
        Dev = []
        dev = []
        """,
    )
    assert summary(reading) == [("ok", "", "optional", 3)]  # group "b": no dev word
    assert [(e.line, e.message) for e in reading.errors] == [
        (2, "dependency-groups.a must be an array, not a string"),
        (3, "dependency-groups.b[0]: include-group must be a string, not an integer"),
        (
            3,
            "dependency-groups.b[1] must be a requirement string or a table with only"
            " include-group, not a table with other",
        ),
        (
            3,
            "dependency-groups.b[2] must be a requirement string or a table with only"
            " include-group, not an integer",
        ),
        (5, "dependency-groups.dev: same group as 'Dev' once names are normalised"),
    ]


# --- uv, PDM, Hatch ----------------------------------------------------------------------


def test_uv_dev_dependencies_and_constraints(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.uv]
        dev-dependencies = ["pytest<8.0.0,>=7.4.3"]
        constraint-dependencies = ["grpcio<1.65"]
        override-dependencies = ["pydantic==2.9.2"]

        [tool.uv.sources]
        pydantic = { git = "https://github.com/pydantic/pydantic" }
        """,
    )
    assert reading.errors == []
    assert summary(reading) == [
        ("pytest", "<8.0.0,>=7.4.3", "dev", 2),
        ("grpcio", "<1.65", "runtime", 3),
        ("pydantic", "==2.9.2", "runtime", 4),
    ]
    kinds = [(d.evidence.kind, d.constraint_only) for d in reading.dependencies]
    assert kinds == [("requirement", False), ("constraint", True), ("constraint", True)]


def test_pdm_dev_groups_with_editables(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.pdm]
        distribution = true

        [tool.pdm.dev-dependencies]
        test = [
            "pytest>=7",
            "-e file:///${PROJECT_ROOT}/plugins/extra#egg=demo-extra",
            "-e ./local-only",
            "-e sub @ file:///${PROJECT_ROOT}/sub",
        ]
        lint = ["ruff"]
        """,
    )
    assert reading.errors == []
    assert summary(reading) == [
        ("pytest", ">=7", "dev", 6),
        ("demo-extra", "", "dev", 7),
        ("sub", "", "dev", 9),
        ("ruff", "", "dev", 11),
    ]
    editable = reading.dependencies[1]
    assert editable.url == "file:///${PROJECT_ROOT}/plugins/extra"
    assert editable.evidence.detail == "-e file:///${PROJECT_ROOT}/plugins/extra#egg=demo-extra"


def test_hatch_env_dependencies_are_dev(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.hatch.envs.default]
        python = "3.12"
        dependencies = ["pytest", "plugin @ {root:uri}/plugin"]

        [tool.hatch.envs.lint]
        detached = true
        extra-dependencies = [
            "mypy>=1.0",
            "pytest{env:PYTEST_VERSION_SPEC:}",
        ]

        [[tool.hatch.envs.lint.matrix]]
        python = ["3.11", "3.12"]

        [tool.hatch.envs.lint.overrides]
        matrix.python.dependencies = ["tomli"]
        """,
    )
    assert reading.errors == []
    assert summary(reading) == [
        ("pytest", "", "dev", 3),
        ("plugin", "", "dev", 3),
        ("mypy", ">=1.0", "dev", 8),
    ]
    assert python(reading) == []


def test_hatch_invalid_requirement_without_context_field_is_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.hatch.envs.test]
        dependencies = ["pytest >>= 8"]
        """,
    )
    assert reading.dependencies == []
    assert len(reading.errors) == 1
    assert reading.errors[0].line == 2
    assert reading.errors[0].message.startswith("tool.hatch.envs.test.dependencies: invalid")


def test_hatch_env_of_wrong_type_is_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.hatch]
        envs = { test = "pytest", docs = { dependencies = ["mkdocs"] } }
        """,
    )
    assert summary(reading) == [("mkdocs", "", "dev", 2)]
    assert [e.message for e in reading.errors] == [
        "tool.hatch.envs.test must be a table, not a string"
    ]


# --- tool settings -----------------------------------------------------------------------


def test_tool_python_targets(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.black]
        target-version = ["py311", "py39", "py310"]

        [tool.ruff]
        target-version = "py312"

        [tool.mypy]
        python_version = "3.10"

        [tool.pyright]
        pythonVersion = "3.13"
        """,
    )
    assert reading.errors == []
    assert python(reading) == [
        ("==3.12.*", "ruff-target-version", 5, "py312"),
        ("==3.10.*", "mypy-python-version", 8, "3.10"),
        ("==3.13.*", "pyright-python-version", 11, "3.13"),
        ("==3.9.*", "black-target-version", 2, "py39"),
    ]


def test_black_targets_on_several_lines_point_at_the_lowest(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.black]
        target-version = [
            'py310',
            'py38',
        ]
        """,
    )
    assert python(reading) == [("==3.8.*", "black-target-version", 4, "py38")]


def test_unquoted_mypy_python_version_is_read(tmp_path: Path) -> None:
    reading = read(tmp_path, "[tool.mypy]\npython_version = 3.11\n")
    assert python(reading) == [("==3.11.*", "mypy-python-version", 2, "3.11")]


def test_bad_tool_targets_are_reported(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.ruff]
        target-version = "python3.11"

        [tool.mypy]
        python_version = ["3.11"]

        [tool.black]
        target-version = ["py3", 39, "py310"]
        """,
    )
    assert python(reading) == [("==3.10.*", "black-target-version", 8, "py310")]
    assert [(e.line, e.message) for e in reading.errors] == [
        (2, "tool.ruff.target-version: 'python3.11' is not a Python version like 'py311'"),
        (5, "tool.mypy.python_version must be a string like '3.11', not an array"),
        (8, "tool.black.target-version[1] must be a string, not an integer"),
        (8, "tool.black.target-version: 'py3' is not a Python version like 'py311'"),
    ]


def test_pytest_and_django_stubs_tables_are_markers(tmp_path: Path) -> None:
    reading = read(
        tmp_path,
        """
        [tool.coverage.run]
        branch = true

        [tool.django-stubs]
        django_settings_module = "site.settings"

        [tool.pytest.ini_options]
        DJANGO_SETTINGS_MODULE = "site.settings"
        """,
    )
    assert reading.markers == [
        Evidence(file="pyproject.toml", line=7, kind="marker", detail="pytest"),
        Evidence(file="pyproject.toml", line=4, kind="marker", detail="django"),
    ]


def test_native_pytest_table_is_a_marker(tmp_path: Path) -> None:
    reading = read(tmp_path, '[tool.pytest]\nminversion = "9.0"\n')
    assert reading.markers == [
        Evidence(file="pyproject.toml", line=1, kind="marker", detail="pytest")
    ]


def test_dependencies_are_plain_records(tmp_path: Path) -> None:
    reading = read(tmp_path, '[project]\ndependencies = ["attrs==24.2.0"]\n')
    assert reading.dependencies == [
        Dependency(
            name="attrs",
            specifier="==24.2.0",
            scope="runtime",
            evidence=Evidence(
                file="pyproject.toml", line=2, kind="requirement", detail="attrs==24.2.0"
            ),
            pinned="24.2.0",
        )
    ]
