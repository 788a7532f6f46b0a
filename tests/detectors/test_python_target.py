"""The Python target: ranked sources, the lowest minor, per-folder decisions, conflicts."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from stackskills.detectors.models import Evidence, PythonConstraint
from stackskills.detectors.python_target import decide_python_target, lowest_minor


def _c(spec: str, kind: str, file: str = "pyproject.toml", line: int = 1) -> PythonConstraint:
    return PythonConstraint(spec, Evidence(file=file, line=line, kind=kind, detail=spec))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=3.10", (3, 10)),
        (">3.8", (3, 8)),
        ("~=3.9.2", (3, 9)),
        ("==3.11.*", (3, 11)),
        (">=3.8,<4", (3, 8)),
        (">=2.7,!=3.0.*,!=3.1.*", (2, 7)),
        ("!=3.0.*,>=3.7", (3, 7)),
        ("<3.12", None),
        ("", None),
    ],
)
def test_lowest_minor_of_a_specifier(spec: str, expected: tuple[int, int] | None) -> None:
    assert lowest_minor(SpecifierSet(spec)) == expected


def test_declared_range_outranks_runtime_pins_and_tool_targets() -> None:
    target, _, errors = decide_python_target(
        [
            _c("==3.12.*", ".python-version", ".python-version"),
            _c("==3.10.*", "ruff-target-version", line=30),
            _c(">=3.10", "requires-python", line=5),
        ]
    )
    assert errors == []
    assert target.target == "3.10"
    assert [e.kind for e in target.evidence] == [
        "requires-python",
        ".python-version",
        "ruff-target-version",
    ]
    assert target.conflicts == []


def test_tool_target_below_the_declared_range_is_a_conflict() -> None:
    target, _, _ = decide_python_target(
        [_c(">=3.9", "requires-python", line=5), _c("==3.8.*", "ruff-target-version", line=40)]
    )
    assert target.target == "3.9"
    assert target.conflicts == [
        "ruff-target-version ==3.8.* (pyproject.toml:40) targets 3.8, not 3.9"
    ]


def test_runtime_outside_the_declared_range_is_a_conflict() -> None:
    target, _, _ = decide_python_target(
        [_c(">=3.11", "requires-python", line=5), _c("==3.9.*", "runtime.txt", "runtime.txt")]
    )
    assert target.target == "3.11"
    assert target.conflicts == [
        "runtime.txt ==3.9.* (runtime.txt:1) is outside requires-python >=3.11 (pyproject.toml:5)"
    ]


def test_two_declared_ranges_in_one_project_are_intersected_and_reported() -> None:
    target, _, _ = decide_python_target(
        [_c(">=3.8", "python_requires", "setup.cfg"), _c(">=3.10", "requires-python")]
    )
    assert target.target == "3.10"
    assert len(target.conflicts) == 1 and "disagree" in target.conflicts[0]


def test_classifiers_alone_give_their_lowest_version() -> None:
    target, _, _ = decide_python_target(
        [_c("==3.12.*", "classifier", line=9), _c("==3.10.*", "classifier", line=8)]
    )
    assert target.target == "3.10"


def test_each_project_folder_decides_and_the_workspace_takes_the_lowest() -> None:
    target, folders, _ = decide_python_target(
        [
            _c(">=3.12", "requires-python", "services/api/pyproject.toml"),
            _c(">=3.10", "requires-python", "libs/core/pyproject.toml"),
        ]
    )
    assert target.target == "3.10"
    assert target.conflicts == []
    assert {f.folder: f.target for f in folders} == {
        "libs/core": (3, 10),
        "services/api": (3, 12),
    }


def test_invalid_specifier_is_an_error_with_its_line() -> None:
    target, _, errors = decide_python_target([_c(">=three", "requires-python", line=7)])
    assert target.target is None
    assert [(e.file, e.line) for e in errors] == [("pyproject.toml", 7)]


def test_nothing_stated_means_unknown() -> None:
    target, folders, errors = decide_python_target([])
    assert (target.target, target.evidence, folders, errors) == (None, [], [], [])


def test_legacy_wildcard_lower_bound_is_read_as_setuptools_did() -> None:
    target, _, errors = decide_python_target([_c(">=3.6.*", "python_requires", "setup.py")])
    assert errors == []
    assert target.target == "3.6"


def test_a_bare_major_says_nothing_about_the_minor() -> None:
    target, _, _ = decide_python_target(
        [_c("==3.*", "pipfile-python", "Pipfile"), _c("==3.11.*", "runtime.txt", "runtime.txt")]
    )
    assert target.target == "3.11"
