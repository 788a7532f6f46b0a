"""setup.py: literal setup() arguments, read with ast and never executed."""

from __future__ import annotations

import warnings
from pathlib import Path

from stackskills.detectors.manifests.setup_py import read_setup_py
from stackskills.detectors.models import DetectionError, Evidence, ManifestReading
from stackskills.detectors.source import Workspace


def _read(root: Path, text: str) -> ManifestReading:
    (root / "setup.py").write_text(text, encoding="utf-8")
    workspace = Workspace.at(root)
    return read_setup_py(workspace, workspace.root / "setup.py")


def _found(reading: ManifestReading) -> list[tuple[str, str, str, int | None]]:
    return [(d.name, d.specifier, d.scope, d.evidence.line) for d in reading.dependencies]


SETUP_PY = """\
from setuptools import setup

setup(
    name="My_Project",
    python_requires=">=3.9",
    install_requires=[
        "Django>=4.2,<5",
        "celery[redis]>=5.3; python_version >= '3.8'",
    ],
    extras_require={
        "postgres": ["psycopg2>=2.9"],
        "test": ["pytest", "pytest-django"],
    },
    tests_require=("coverage",),
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3 :: Only",
    ],
)
"""


def test_literal_setup_arguments_become_dependencies_at_their_lines(tmp_path: Path) -> None:
    reading = _read(tmp_path, SETUP_PY)
    assert reading.errors == []
    assert _found(reading) == [
        ("django", "<5,>=4.2", "runtime", 7),
        ("celery", ">=5.3", "runtime", 8),
        ("coverage", "", "dev", 14),
        ("psycopg2", ">=2.9", "optional", 11),
        ("pytest", "", "dev", 12),
        ("pytest-django", "", "dev", 12),
    ]
    celery = reading.dependencies[1]
    assert (celery.extras, celery.marker) == (("redis",), 'python_version >= "3.8"')
    assert reading.dependencies[0].evidence == Evidence(
        file="setup.py", line=7, kind="requirement", detail="Django>=4.2,<5"
    )


def test_name_python_requires_and_classifiers_are_read(tmp_path: Path) -> None:
    reading = _read(tmp_path, SETUP_PY)
    assert reading.project_name == "my-project"
    assert [(c.specifier, c.evidence.kind, c.evidence.line) for c in reading.python] == [
        (">=3.9", "python_requires", 5),
        ("==3.9.*", "classifier", 17),
        ("==3.12.*", "classifier", 18),
    ]


def test_module_level_names_are_followed(tmp_path: Path) -> None:
    text = """\
import setuptools

BASE = ["click>=8"]
EXTRA = ["rich"]
REQUIRES = BASE + EXTRA
REQUIRES += ["httpx"]
REQUIRES.append("anyio")
REQUIRES.extend(["sniffio"])
TESTS: list[str] = ["pytest"]
EXTRAS = {"docs": ["sphinx"]}
EXTRAS["lint"] = ["ruff"]
EXTRAS.update({"yaml": ["pyyaml"]})
PYTHON = ">=3.10"

setuptools.setup(
    install_requires=REQUIRES,
    tests_require=TESTS,
    extras_require=EXTRAS,
    python_requires=PYTHON,
)
"""
    reading = _read(tmp_path, text)
    assert reading.errors == []
    assert _found(reading) == [
        ("click", ">=8", "runtime", 3),
        ("rich", "", "runtime", 4),
        ("httpx", "", "runtime", 6),
        ("anyio", "", "runtime", 7),
        ("sniffio", "", "runtime", 8),
        ("pytest", "", "dev", 9),
        ("sphinx", "", "dev", 10),
        ("ruff", "", "dev", 11),
        ("pyyaml", "", "optional", 12),
    ]
    assert [(c.specifier, c.evidence.line) for c in reading.python] == [(">=3.10", 13)]


def test_setup_with_a_metadata_dict_is_read(tmp_path: Path) -> None:
    text = """\
from setuptools import setup

metadata = dict(
    name="tool",
    install_requires=["attrs"],
)
extra = {"extras_require": {"cli": ["click"]}}

setup(**metadata, **extra)
"""
    reading = _read(tmp_path, text)
    assert reading.project_name == "tool"
    assert _found(reading) == [("attrs", "", "runtime", 5), ("click", "", "optional", 7)]


def test_setup_inside_main_guard_and_functions_is_found(tmp_path: Path) -> None:
    text = """\
from distutils.core import setup as make_package

DEPS = ["requests"]

def main():
    local = ["urllib3"]
    make_package(install_requires=DEPS + local)

if __name__ == "__main__":
    main()
"""
    reading = _read(tmp_path, text)
    assert _found(reading) == [("requests", "", "runtime", 3), ("urllib3", "", "runtime", 6)]


def test_setup_in_a_main_guard_at_module_level(tmp_path: Path) -> None:
    text = (
        "import setuptools as st\n"
        'if __name__ == "__main__":\n'
        '    st.setup(install_requires=["a"])\n'
    )
    assert _found(_read(tmp_path, text)) == [("a", "", "runtime", 3)]


def test_split_and_splitlines_of_a_literal_keep_each_line(tmp_path: Path) -> None:
    text = '''\
from setuptools import setup

REQS = """
flask>=3
    # a comment
gunicorn
"""

setup(
    install_requires=REQS.strip().splitlines(),
    tests_require="pytest  tox".split(),
    extras_require={"docs": "sphinx\\nfuro".split("\\n")},
)
'''
    reading = _read(tmp_path, text)
    assert reading.errors == []
    assert _found(reading) == [
        ("flask", ">=3", "runtime", 4),
        ("gunicorn", "", "runtime", 6),
        ("pytest", "", "dev", 11),
        ("tox", "", "dev", 11),
        ("sphinx", "", "dev", 12),
        ("furo", "", "dev", 12),
    ]


def test_a_multiline_string_value_is_read_line_by_line(tmp_path: Path) -> None:
    text = 'from setuptools import setup\nsetup(install_requires="""\nattrs\ncattrs\n""")\n'
    assert _found(_read(tmp_path, text)) == [
        ("attrs", "", "runtime", 3),
        ("cattrs", "", "runtime", 4),
    ]


def test_computed_values_are_skipped_without_error(tmp_path: Path) -> None:
    text = """\
from setuptools import setup

def read_requirements(name):
    with open(name) as handle:
        return handle.read().splitlines()

VERSION_PIN = "six==" + get_version()

setup(
    name=get_name(),
    install_requires=read_requirements("requirements.txt"),
    tests_require=["pytest", VERSION_PIN, *more()],
    extras_require={key: [] for key in "ab"},
    python_requires=PYTHON,
)
"""
    reading = _read(tmp_path, text)
    assert reading.errors == []
    assert reading.project_name is None
    assert reading.python == []
    assert _found(reading) == [("pytest", "", "dev", 12)]


def test_other_functions_called_setup_are_not_read(tmp_path: Path) -> None:
    text = 'app.setup(install_requires=["nope"])\nconfig.core.setup(install_requires=["no"])\n'
    assert _read(tmp_path, text).dependencies == []


def test_extras_keys_with_markers_are_conditional(tmp_path: Path) -> None:
    text = """\
from setuptools import setup
setup(extras_require={
    ":python_version < '3.11'": ["tomli"],
    "test:sys_platform == 'win32'": ["colorama; python_version >= '3.8'"],
    "bad:not a marker": ["x"],
})
"""
    reading = _read(tmp_path, text)
    tomli, colorama = reading.dependencies
    assert (tomli.name, tomli.scope, tomli.marker) == (
        "tomli",
        "runtime",
        'python_version < "3.11"',
    )
    assert (colorama.scope, colorama.marker) == (
        "dev",
        'python_version >= "3.8" and sys_platform == "win32"',
    )
    assert reading.errors == [
        DetectionError(
            file="setup.py",
            line=5,
            message="invalid marker in extras_require key 'bad:not a marker'",
        )
    ]


def test_an_invalid_requirement_is_reported_at_its_line(tmp_path: Path) -> None:
    text = 'from setuptools import setup\nsetup(install_requires=[\n    "ok",\n    "not ok!",\n])\n'
    reading = _read(tmp_path, text)
    assert _found(reading) == [("ok", "", "runtime", 3)]
    (error,) = reading.errors
    assert error.line == 4
    assert error.message.startswith("invalid requirement 'not ok!'")


def test_an_invalid_python_requires_is_reported(tmp_path: Path) -> None:
    reading = _read(tmp_path, 'from setuptools import setup\nsetup(python_requires="3+")\n')
    assert reading.errors == [
        DetectionError(file="setup.py", line=2, message="invalid python_requires '3+'")
    ]


def test_a_setup_call_written_twice_declares_each_requirement_once(tmp_path: Path) -> None:
    text = """\
REQS = ["attrs"]
try:
    from setuptools import setup
    setup(install_requires=REQS)
except ImportError:
    from distutils.core import setup
    setup(install_requires=REQS)
"""
    assert _found(_read(tmp_path, text)) == [("attrs", "", "runtime", 1)]


def test_a_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    reading = _read(tmp_path, 'from setuptools import setup\n\nprint "python 2"\n')
    (error,) = reading.errors
    assert (error.file, error.line) == ("setup.py", 3)
    assert error.message.startswith("cannot parse setup.py: ")


def test_pathologically_nested_code_is_an_error_not_a_crash(tmp_path: Path) -> None:
    deep_list = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"
    reading = _read(tmp_path, deep_list)
    (error,) = reading.errors
    assert error.message.startswith("cannot parse setup.py: ")
    long_sum = 'x = ["a"]' + ' + ["b"]' * 50_000 + "\nsetup(install_requires=x)\n"
    reading = _read(tmp_path, long_sum)
    assert reading.dependencies == []
    assert reading.errors == [
        DetectionError(file="setup.py", message="cannot parse setup.py: nested too deeply")
    ]


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_bytes(b"setup()\n\x00")
    workspace = Workspace.at(tmp_path)
    reading = read_setup_py(workspace, workspace.root / "setup.py")
    assert reading.errors == [
        DetectionError(file="setup.py", line=2, message="binary file (NUL byte)")
    ]


def test_invalid_escape_sequences_raise_no_warnings(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reading = _read(
            tmp_path, 'from setuptools import setup\nsetup(install_requires=["a\\d"])\n'
        )
    (error,) = reading.errors
    assert error.line == 2


def test_classifiers_built_at_run_time_are_read_from_their_string(tmp_path: Path) -> None:
    path = tmp_path / "setup.py"
    path.write_text(
        "from setuptools import setup\n"
        'CLASSES = """\n'
        "    Programming Language :: Python :: 3.9\n"
        "    Programming Language :: Python :: 3.12\n"
        '"""\n'
        "classifiers = [s.strip() for s in CLASSES.split('\\n') if s]\n"
        "setup(name='flower', classifiers=classifiers)\n"
    )
    reading = read_setup_py(Workspace.at(tmp_path), path)
    assert [(c.specifier, c.evidence.line) for c in reading.python] == [
        ("==3.9.*", 3),
        ("==3.12.*", 4),
    ]
