"""setup.cfg: setuptools' declarative requirements, Python version and markers."""

from __future__ import annotations

from pathlib import Path

from stackskills.detectors.manifests.setup_cfg import read_setup_cfg
from stackskills.detectors.models import DetectionError, Evidence, ManifestReading
from stackskills.detectors.source import Workspace


def _read(root: Path, text: str) -> ManifestReading:
    (root / "setup.cfg").write_text(text, encoding="utf-8")
    workspace = Workspace.at(root)
    return read_setup_cfg(workspace, workspace.root / "setup.cfg")


def _found(reading: ManifestReading) -> list[tuple[str, str, str, int | None]]:
    return [(d.name, d.specifier, d.scope, d.evidence.line) for d in reading.dependencies]


SETUP_CFG = """\
[metadata]
name = My_Project
classifiers =
    Programming Language :: Python :: 3
    Programming Language :: Python :: 3 :: Only
    Programming Language :: Python :: 3.10
    Programming Language :: Python :: 3.11
    Programming Language :: Python :: Implementation :: CPython
    Programming Language :: Python :: 2.7
    Framework :: Django :: 5.0

[options]
packages = find:
python_requires = >=3.10
install_requires =
    # the web framework
    Django>=5.0,<6
    requests-oauthlib
    requests  # plain requests too
    ; a semicolon comment line
    tomli; python_version < "3.11"
tests_require =
    pytest

[options.extras_require]
postgres = psycopg[binary]>=3.1
test =
    pytest-django
    requests
docs = sphinx

[tool:pytest]
DJANGO_SETTINGS_MODULE = site.settings
"""


def test_install_requires_lines_are_runtime_dependencies_at_their_lines(tmp_path: Path) -> None:
    reading = _read(tmp_path, SETUP_CFG)
    assert reading.errors == []
    runtime = [d for d in reading.dependencies if d.scope == "runtime"]
    assert [(d.name, d.specifier, d.evidence.line) for d in runtime] == [
        ("django", "<6,>=5.0", 17),
        ("requests-oauthlib", "", 18),
        ("requests", "", 19),
        ("tomli", "", 21),
    ]
    assert runtime[0].evidence == Evidence(
        file="setup.cfg", line=17, kind="requirement", detail="Django>=5.0,<6"
    )
    assert runtime[3].marker == 'python_version < "3.11"'


def test_extras_and_tests_require_get_their_scopes_and_lines(tmp_path: Path) -> None:
    reading = _read(tmp_path, SETUP_CFG)
    others = [found for found in _found(reading) if found[2] != "runtime"]
    assert others == [
        ("pytest", "", "dev", 23),
        ("psycopg", ">=3.1", "optional", 26),
        ("pytest-django", "", "dev", 28),
        ("requests", "", "dev", 29),
        ("sphinx", "", "dev", 30),
    ]


def test_python_requires_and_minor_classifiers_become_python_constraints(
    tmp_path: Path,
) -> None:
    reading = _read(tmp_path, SETUP_CFG)
    assert [(c.specifier, c.evidence.kind, c.evidence.line) for c in reading.python] == [
        ("==3.10.*", "classifier", 6),
        ("==3.11.*", "classifier", 7),
        (">=3.10", "python_requires", 14),
    ]
    assert reading.python[0].evidence.detail == "Programming Language :: Python :: 3.10"
    assert reading.python[2].evidence.detail == ">=3.10"


def test_metadata_name_is_the_normalised_project_name(tmp_path: Path) -> None:
    assert _read(tmp_path, SETUP_CFG).project_name == "my-project"


def test_a_tool_pytest_section_is_a_pytest_marker(tmp_path: Path) -> None:
    reading = _read(tmp_path, SETUP_CFG)
    assert reading.markers == [Evidence(file="setup.cfg", line=32, kind="marker", detail="pytest")]


def test_one_line_values_split_on_semicolons(tmp_path: Path) -> None:
    text = "[options]\ninstall_requires = click>=8; rich\n"
    reading = _read(tmp_path, text)
    assert reading.errors == []
    assert _found(reading) == [("click", ">=8", "runtime", 2), ("rich", "", "runtime", 2)]


def test_a_classifier_for_3_1_is_not_found_on_the_3_10_line(tmp_path: Path) -> None:
    text = (
        "[metadata]\nclassifiers =\n"
        "    Programming Language :: Python :: 3.10\n"
        "    Programming Language :: Python :: 3.1\n"
    )
    reading = _read(tmp_path, text)
    assert [(c.specifier, c.evidence.line) for c in reading.python] == [
        ("==3.10.*", 3),
        ("==3.1.*", 4),
    ]


def test_an_invalid_requirement_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    text = "[options]\ninstall_requires =\n    flask\n    not valid!!\n    click\n"
    reading = _read(tmp_path, text)
    assert [(d.name, d.evidence.line) for d in reading.dependencies] == [
        ("flask", 3),
        ("click", 5),
    ]
    (error,) = reading.errors
    assert (error.file, error.line) == ("setup.cfg", 4)
    assert error.message.startswith("invalid requirement 'not valid!!'")


def test_an_invalid_python_requires_is_reported(tmp_path: Path) -> None:
    reading = _read(tmp_path, "[options]\npython_requires = 3.10+\n")
    assert reading.python == []
    assert reading.errors == [
        DetectionError(file="setup.cfg", line=2, message="invalid python_requires '3.10+'")
    ]


def test_text_before_any_section_is_a_parse_error(tmp_path: Path) -> None:
    reading = _read(tmp_path, "install_requires = flask\n[options]\n")
    assert reading.dependencies == []
    assert reading.errors == [
        DetectionError(
            file="setup.cfg",
            line=1,
            message="invalid setup.cfg: text before the first [section] header",
        )
    ]


def test_a_line_configparser_cannot_parse_is_reported_with_its_line(tmp_path: Path) -> None:
    reading = _read(tmp_path, "[options]\ninstall_requires = flask\nnot an option line\n")
    (error,) = reading.errors
    assert error.line == 3
    assert error.message == "invalid setup.cfg: cannot parse line 'not an option line\\n'"


def test_requirements_kept_in_a_file_are_left_to_the_requirements_reader(
    tmp_path: Path,
) -> None:
    text = "[options]\ninstall_requires = file: requirements.txt\n"
    reading = _read(tmp_path, text)
    assert reading.dependencies == []
    assert reading.errors == []


def test_interpolation_is_expanded_like_setuptools_does(tmp_path: Path) -> None:
    text = (
        "[options.extras_require]\n"
        "asyncio =\n"
        "    greenlet>=1\n"
        "postgresql_asyncpg =\n"
        "    %(asyncio)s\n"
        "    asyncpg\n"
        "[options]\n"
        "install_requires = percent-sign%\n"
    )
    reading = _read(tmp_path, text)
    assert [(d.name, d.scope, d.evidence.line) for d in reading.dependencies] == [
        ("greenlet", "optional", 3),
        ("greenlet", "optional", 4),
        ("asyncpg", "optional", 6),
    ]
    (error,) = reading.errors
    assert (error.line, error.message.split(":")[0]) == (
        8,
        "invalid requirement 'percent-sign%'",
    )


def test_dashed_option_names_are_accepted(tmp_path: Path) -> None:
    text = "[options]\ninstall-requires =\n    attrs\npython-requires = >=3.9\n"
    reading = _read(tmp_path, text)
    assert _found(reading) == [("attrs", "", "runtime", 3)]
    assert [(c.specifier, c.evidence.line) for c in reading.python] == [(">=3.9", 4)]


def test_repeated_sections_are_merged_not_refused(tmp_path: Path) -> None:
    text = "[metadata]\nlicense_files = LICENSE\n\n[metadata]\nname = celery\n"
    reading = _read(tmp_path, text)
    assert reading.errors == []
    assert reading.project_name == "celery"


def test_a_file_without_setuptools_sections_gives_nothing(tmp_path: Path) -> None:
    reading = _read(tmp_path, "[flake8]\nmax-line-length = 100\n")
    assert reading == ManifestReading()


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_bytes(b"[options]\n\xff\xfe\n")
    workspace = Workspace.at(tmp_path)
    reading = read_setup_cfg(workspace, workspace.root / "setup.cfg")
    (error,) = reading.errors
    assert (error.file, error.line) == ("setup.cfg", 2)
    assert error.message.startswith("not valid text")


def test_mypy_python_version_is_a_tool_target(tmp_path: Path) -> None:
    path = tmp_path / "setup.cfg"
    path.write_text("[metadata]\nname = app\n\n[mypy]\npython_version = 3.8\nstrict = True\n")
    reading = read_setup_cfg(Workspace.at(tmp_path), path)
    assert [(c.specifier, c.evidence.kind, c.evidence.line) for c in reading.python] == [
        ("==3.8.*", "mypy-python-version", 5)
    ]
