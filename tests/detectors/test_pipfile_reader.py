"""Pipfile: package categories, package tables and the [requires] Python version."""

from __future__ import annotations

from pathlib import Path

from stackskills.detectors.manifests.pipfile import read_pipfile
from stackskills.detectors.models import DetectionError, Evidence, ManifestReading
from stackskills.detectors.source import Workspace


def _read(root: Path, text: str) -> ManifestReading:
    (root / "Pipfile").write_text(text, encoding="utf-8")
    workspace = Workspace.at(root)
    return read_pipfile(workspace, workspace.root / "Pipfile")


def _found(reading: ManifestReading) -> list[tuple[str, str, str, int | None]]:
    return [(d.name, d.specifier, d.scope, d.evidence.line) for d in reading.dependencies]


PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
Django = "==5.0.4"
requests = "*"
"zope.interface" = ">=6,<7"
celery = {version = ">=5.3", extras = ["redis", "msgpack"], index = "pypi"}
pywin32 = {version = "*", sys_platform = "== 'win32'"}
tomli = {markers = "python_version < '3.11'"}

[dev-packages]
pytest = "*"

[docs]
sphinx = ">=7"

[scripts]
test = "pytest"

[pipenv]
allow_prereleases = false

[requires]
python_version = "3.11"
python_full_version = "3.11.4"
"""


def test_packages_are_runtime_and_dev_packages_dev_at_their_lines(tmp_path: Path) -> None:
    reading = _read(tmp_path, PIPFILE)
    assert reading.errors == []
    assert _found(reading) == [
        ("django", "==5.0.4", "runtime", 7),
        ("requests", "", "runtime", 8),
        ("zope-interface", "<7,>=6", "runtime", 9),
        ("celery", ">=5.3", "runtime", 10),
        ("pywin32", "", "runtime", 11),
        ("tomli", "", "runtime", 12),
        ("pytest", "", "dev", 15),
        ("sphinx", ">=7", "dev", 18),
    ]
    django = reading.dependencies[0]
    assert django.pinned == "5.0.4"
    assert django.evidence == Evidence(
        file="Pipfile", line=7, kind="requirement", detail="Django==5.0.4"
    )


def test_package_tables_give_extras_and_markers(tmp_path: Path) -> None:
    reading = _read(tmp_path, PIPFILE)
    by_name = {d.name: d for d in reading.dependencies}
    assert by_name["celery"].extras == ("msgpack", "redis")
    assert by_name["pywin32"].marker == 'sys_platform == "win32"'
    assert by_name["tomli"].marker == 'python_version < "3.11"'


def test_requires_gives_python_constraints(tmp_path: Path) -> None:
    reading = _read(tmp_path, PIPFILE)
    assert reading.python[0].specifier == "==3.11.*"
    assert reading.python[0].evidence == Evidence(
        file="Pipfile", line=27, kind="pipfile-python", detail="3.11"
    )
    assert (reading.python[1].specifier, reading.python[1].evidence.line) == ("==3.11.4", 28)


def test_sources_give_url_dependencies_and_the_project_itself_is_skipped(
    tmp_path: Path,
) -> None:
    text = """\
[packages]
myproject = {path = ".", editable = true}
other = {path = "./", editable = true}
requests = {git = "https://github.com/psf/requests.git", ref = "v2.32.3", editable = true}
hgpkg = {hg = "hg+https://hg.example.com/pkg"}
local-lib = {path = "./libs/local_lib", extras = ["fast"]}
archive = {file = "https://example.com/archive-1.0.tar.gz"}
"""
    reading = _read(tmp_path, text)
    assert reading.errors == []
    assert [(d.name, d.specifier, d.url, d.evidence.line) for d in reading.dependencies] == [
        ("requests", "", "git+https://github.com/psf/requests.git@v2.32.3", 4),
        ("hgpkg", "", "hg+https://hg.example.com/pkg", 5),
        ("local-lib", "", "./libs/local_lib", 6),
        ("archive", "", "https://example.com/archive-1.0.tar.gz", 7),
    ]
    assert reading.dependencies[2].extras == ("fast",)


def test_a_package_sub_table_points_at_its_header(tmp_path: Path) -> None:
    text = '[packages]\nflask = "*"\n\n[packages.requests]\nversion = ">=2"\n'
    reading = _read(tmp_path, text)
    assert _found(reading) == [("flask", "", "runtime", 2), ("requests", ">=2", "runtime", 4)]


def test_a_key_is_looked_up_in_its_own_table_only(tmp_path: Path) -> None:
    text = '[packages]\nflask.version = "*"\n\n[dev-packages]\nflask = "*"\n'
    reading = _read(tmp_path, text)
    assert _found(reading) == [("flask", "", "runtime", 1), ("flask", "", "dev", 5)]


def test_invalid_toml_is_reported_with_its_line(tmp_path: Path) -> None:
    reading = _read(tmp_path, '[packages]\nflask = "*"\nbroken = \n')
    assert reading.dependencies == []
    (error,) = reading.errors
    assert (error.file, error.line) == ("Pipfile", 3)
    assert error.message.startswith("invalid TOML: ")


def test_bad_package_values_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    text = """\
[packages]
good = "*"
bare-version = "1.2"
numeric = 3
bad-extras = {version = "*", extras = "redis"}
bad-markers = {version = "*", markers = "python_version <"}
bad-version = {version = 2}
"""
    reading = _read(tmp_path, text)
    assert _found(reading) == [("good", "", "runtime", 2)]
    assert reading.errors == [
        DetectionError(
            file="Pipfile", line=3, message="package 'bare-version': invalid version '1.2'"
        ),
        DetectionError(
            file="Pipfile",
            line=4,
            message="package 'numeric': expected a version string or a table",
        ),
        DetectionError(
            file="Pipfile", line=5, message="package 'bad-extras': extras must be a list of strings"
        ),
        DetectionError(file="Pipfile", line=6, message="package 'bad-markers': invalid markers"),
        DetectionError(
            file="Pipfile", line=7, message="package 'bad-version': version must be a string"
        ),
    ]


def test_an_invalid_python_version_is_reported(tmp_path: Path) -> None:
    reading = _read(tmp_path, '[requires]\npython_version = "three"\n')
    assert reading.python == []
    assert reading.errors == [
        DetectionError(
            file="Pipfile", line=2, message="invalid python_version 'three' in [requires]"
        )
    ]


def test_an_empty_pipfile_gives_nothing(tmp_path: Path) -> None:
    assert _read(tmp_path, "[packages]\n\n[dev-packages]\n") == ManifestReading()


def test_an_unreadable_pipfile_is_reported(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_bytes(b"[packages]\n\x00")
    workspace = Workspace.at(tmp_path)
    reading = read_pipfile(workspace, workspace.root / "Pipfile")
    assert reading.errors == [
        DetectionError(file="Pipfile", line=2, message="binary file (NUL byte)")
    ]
