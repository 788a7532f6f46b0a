"""A workspace virtualenv's installed distributions, Python version and import names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stackskills.detectors.manifests.installed import (
    find_site_packages,
    installed_import_names,
    read_installed,
)
from stackskills.detectors.models import DetectionError, Evidence, LockedVersion, PythonConstraint
from stackskills.detectors.source import Workspace

SITE = "lib/python3.12/site-packages"


def _site(venv: Path, layout: str = SITE) -> Path:
    site = venv / layout
    site.mkdir(parents=True, exist_ok=True)
    return site


def _dist_info(
    site: Path,
    folder: str,
    metadata: str | bytes | None,
    *,
    top_level: str | None = None,
    record: str | None = None,
) -> Path:
    """A ``*.dist-info`` folder written by hand, as an installer leaves it."""
    path = site / folder
    path.mkdir(parents=True)
    if isinstance(metadata, bytes):
        (path / "METADATA").write_bytes(metadata)
    elif metadata is not None:
        (path / "METADATA").write_text(metadata, encoding="utf-8")
    if top_level is not None:
        (path / "top_level.txt").write_text(top_level, encoding="utf-8")
    if record is not None:
        (path / "RECORD").write_text(record, encoding="utf-8")
    return path


def _metadata(name: str, version: str, body: str = "A long description.\n") -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        f"Version: {version}\n"
        "Summary: Something useful\n"
        "Classifier: Programming Language :: Python :: 3\n"
        "Requires-Python: >=3.8\n"
        "\n"
        f"{body}"
    )


def _installed(file: str, name: str, version: str, line: int) -> LockedVersion:
    evidence = Evidence(file=file, line=line, kind="installed", detail=version)
    return LockedVersion(name=name, version=version, evidence=evidence)


# --- a real venv with pip-installed wheels ---------------------------------------------


@pytest.fixture(scope="module")
def pip_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose ``.venv`` pip filled with six and PyYAML from the index."""
    root = tmp_path_factory.mktemp("pip-workspace")
    venv = root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install"]
    packages = ["--no-deps", "--disable-pip-version-check", "six==1.16.0", "PyYAML==6.0.2"]
    result = subprocess.run([*install, *packages], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"pip could not install from the index: {result.stderr[-400:]}")
    return root


def _real_site(root: Path) -> str:
    if os.name == "nt":
        return ".venv/Lib/site-packages"
    return f".venv/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"


def test_pip_installed_wheels_are_read_from_their_metadata(pip_workspace: Path) -> None:
    site = _real_site(pip_workspace)

    reading = read_installed(Workspace.at(pip_workspace), pip_workspace / ".venv")

    assert reading.locked == [
        _installed(f"{site}/PyYAML-6.0.2.dist-info/METADATA", "pyyaml", "6.0.2", 3),
        _installed(f"{site}/six-1.16.0.dist-info/METADATA", "six", "1.16.0", 3),
    ]
    assert reading.errors == []


def test_venv_python_version_comes_from_pyvenv_cfg(pip_workspace: Path) -> None:
    cfg = (pip_workspace / ".venv" / "pyvenv.cfg").read_text().splitlines()
    line = next(n for n, raw in enumerate(cfg, start=1) if raw.startswith("version"))
    major, minor = sys.version_info[:2]

    reading = read_installed(Workspace.at(pip_workspace), pip_workspace / ".venv")

    assert len(reading.python) == 1
    (python,) = reading.python
    assert python.specifier == f"=={major}.{minor}.*"
    assert python.evidence.file == ".venv/pyvenv.cfg"
    assert python.evidence.line == line
    assert python.evidence.kind == "venv-python"
    assert python.evidence.detail.startswith(f"{major}.{minor}.")


def test_lib64_link_to_lib_gives_one_site_packages(pip_workspace: Path) -> None:
    venv = pip_workspace / ".venv"

    found = find_site_packages(venv)

    assert found == [Path(os.path.realpath(pip_workspace / _real_site(pip_workspace)))]


def test_import_names_of_pip_installed_wheels(pip_workspace: Path) -> None:
    names = installed_import_names(Workspace.at(pip_workspace), pip_workspace / ".venv")

    assert names == {"six": "six", "yaml": "pyyaml", "_yaml": "pyyaml"}


# --- layouts -----------------------------------------------------------------------------


def test_windows_venv_layout_is_read(tmp_path: Path) -> None:
    site = _site(tmp_path / "venv", "Lib/site-packages")
    _dist_info(site, "Django-5.0.6.dist-info", _metadata("Django", "5.0.6"))

    reading = read_installed(Workspace.at(tmp_path), tmp_path / "venv")

    assert reading.locked == [
        _installed("venv/Lib/site-packages/Django-5.0.6.dist-info/METADATA", "django", "5.0.6", 3)
    ]


def test_site_packages_linked_out_of_the_venv_is_not_followed(tmp_path: Path) -> None:
    elsewhere = _site(tmp_path / "elsewhere", "site-packages")
    _dist_info(elsewhere, "flask-3.0.3.dist-info", _metadata("Flask", "3.0.3"))
    lib = tmp_path / ".venv" / "lib" / "python3.12"
    lib.mkdir(parents=True)
    (lib / "site-packages").symlink_to(elsewhere, target_is_directory=True)

    assert find_site_packages(tmp_path / ".venv") == []
    assert read_installed(Workspace.at(tmp_path), tmp_path / ".venv").locked == []


def test_venv_whose_site_packages_lies_outside_the_workspace_is_reported(tmp_path: Path) -> None:
    workspace_root = tmp_path / "workspace"
    real_venv = tmp_path / "shared-venvs" / "project"
    _dist_info(_site(real_venv), "flask-3.0.3.dist-info", _metadata("Flask", "3.0.3"))
    workspace_root.mkdir()
    (workspace_root / ".venv").symlink_to(real_venv, target_is_directory=True)

    reading = read_installed(Workspace.at(workspace_root), workspace_root / ".venv")

    assert reading.locked == []
    assert [error.message for error in reading.errors] == [
        "site-packages lies outside the workspace; not read"
    ]


def test_missing_venv_gives_nothing_and_no_error(tmp_path: Path) -> None:
    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert (reading.locked, reading.python, reading.errors) == ([], [], [])
    assert installed_import_names(Workspace.at(tmp_path), tmp_path / ".venv") == {}


# --- metadata --------------------------------------------------------------------------


def test_only_the_header_is_read_so_a_body_version_line_is_ignored(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    body = "Version: 9.9.9\nName: impostor\n" * 3
    text = "Metadata-Version: 2.1\nName: attrs\nSummary: x\nVersion: 23.2.0\n\n" + body
    _dist_info(site, "attrs-23.2.0.dist-info", text)

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert [(i.name, i.version, i.evidence.line) for i in reading.locked] == [
        ("attrs", "23.2.0", 4)
    ]


def test_header_beyond_the_first_chunk_and_crlf_lines_are_read(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    classifiers = "".join(f"Classifier: Topic :: Number {n} é\r\n" for n in range(600))
    text = f"Metadata-Version: 2.1\r\n{classifiers}Name: late\r\nVersion: 1.0\r\n\r\nbody\r\n"
    _dist_info(site, "late-1.0.dist-info", text)

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert [(i.name, i.version, i.evidence.line) for i in reading.locked] == [("late", "1.0", 603)]


def test_garbled_metadata_is_an_error_and_reading_goes_on(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    _dist_info(site, "binary-1.0.dist-info", b"Metadata-Version: 2.1\nName: bin\x00ary\n")
    _dist_info(site, "latin-1.0.dist-info", b"Name: latin\nVersion: 1.0\nAuthor: J\xe9r\xf4me\n")
    _dist_info(
        site, "noversion-1.0.dist-info", "Metadata-Version: 2.1\nName: noversion\n\nVersion: 2\n"
    )
    _dist_info(site, "badbody-1.0.dist-info", b"Name: badbody\nVersion: 1.0\n\n\xff\x00 body\n")
    _dist_info(site, "noname-1.0.dist-info", "Metadata-Version: 2.1\nVersion: 1.0\n")
    _dist_info(site, "nometadata-1.0.dist-info", None)
    _dist_info(site, "zope.interface-6.4.dist-info", _metadata("zope.interface", "6.4"))
    prefix = ".venv/" + SITE

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert [(i.name, i.version) for i in reading.locked] == [
        ("badbody", "1.0"),
        ("zope-interface", "6.4"),
    ]
    assert [(e.file, e.line, e.message) for e in reading.errors] == [
        (f"{prefix}/binary-1.0.dist-info/METADATA", 2, "binary file (NUL byte)"),
        (f"{prefix}/latin-1.0.dist-info/METADATA", 3, "not valid text: invalid continuation byte"),
        # nometadata-1.0.dist-info (no METADATA, e.g. a metadata.json-only wheel): skipped
        (
            f"{prefix}/noname-1.0.dist-info/METADATA",
            None,
            "metadata header has no Name: field",
        ),
        (
            f"{prefix}/noversion-1.0.dist-info/METADATA",
            None,
            "metadata header of 'noversion' has no Version: field",
        ),
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_metadata_that_is_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    folder = _dist_info(site, "pipe-1.0.dist-info", None)
    os.mkfifo(folder / "METADATA")

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert reading.errors == [
        DetectionError(
            file=f".venv/{SITE}/pipe-1.0.dist-info/METADATA", message="not a regular file"
        )
    ]


def test_metadata_symlink_inside_the_workspace_is_followed(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    shared = tmp_path / "cache" / "METADATA"
    shared.parent.mkdir()
    shared.write_text(_metadata("rich", "13.7.1"))
    folder = _dist_info(site, "rich-13.7.1.dist-info", None)
    (folder / "METADATA").symlink_to(shared)

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert [(i.name, i.version, i.evidence.line) for i in reading.locked] == [("rich", "13.7.1", 3)]
    assert reading.errors == []


def test_metadata_symlink_out_of_the_workspace_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "workspace"
    outside = tmp_path / "METADATA"
    outside.write_text(_metadata("secret", "1.0"))
    folder = _dist_info(_site(root / ".venv"), "secret-1.0.dist-info", None)
    (folder / "METADATA").symlink_to(outside)
    linked_folder = tmp_path / "other-1.0.dist-info"
    linked_folder.mkdir()
    (linked_folder / "METADATA").write_text(_metadata("other", "1.0"))
    (root / ".venv" / SITE / "other-1.0.dist-info").symlink_to(linked_folder)

    reading = read_installed(Workspace.at(root), root / ".venv")

    assert reading.locked == []
    assert reading.errors == [
        DetectionError(
            file=f".venv/{SITE}/other-1.0.dist-info/METADATA",
            message="symlink points outside the workspace; not read",
        ),
        DetectionError(
            file=f".venv/{SITE}/secret-1.0.dist-info/METADATA",
            message="symlink points outside the workspace; not read",
        ),
    ]


def test_egg_info_is_a_fallback_for_names_without_dist_info(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    _dist_info(site, "requests-2.32.3.dist-info", _metadata("requests", "2.32.3"))
    stale = site / "requests-2.0.0-py3.12.egg-info"
    stale.mkdir()
    (stale / "PKG-INFO").write_text(_metadata("requests", "2.0.0"))
    legacy = site / "legacy_tool-0.3-py3.12.egg-info"
    legacy.mkdir()
    (legacy / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: legacy_tool\nVersion: 0.3\n")
    (site / "old_single-1.1-py3.12.egg-info").write_text(
        "Metadata-Version: 1.1\nName: old-single\nVersion: 1.1\n"
    )

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    prefix = ".venv/" + SITE
    assert reading.locked == [
        _installed(f"{prefix}/requests-2.32.3.dist-info/METADATA", "requests", "2.32.3", 3),
        _installed(f"{prefix}/legacy_tool-0.3-py3.12.egg-info/PKG-INFO", "legacy-tool", "0.3", 3),
        _installed(f"{prefix}/old_single-1.1-py3.12.egg-info", "old-single", "1.1", 3),
    ]
    assert reading.errors == []


# --- pyvenv.cfg ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cfg", "specifier", "line", "detail"),
    [
        ("home = /usr/bin\nversion = 3.11.7\n", "==3.11.*", 2, "3.11.7"),
        (
            "home = /usr/bin\nimplementation = CPython\nversion_info = 3.12.4\n",
            "==3.12.*",
            3,
            "3.12.4",
        ),
        ("home = /usr/bin\nversion_info = 3.10.14.final.0\n", "==3.10.*", 2, "3.10.14.final.0"),
    ],
)
def test_pyvenv_cfg_version_of_venv_uv_and_virtualenv(
    tmp_path: Path, cfg: str, specifier: str, line: int, detail: str
) -> None:
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text(cfg)

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    evidence = Evidence(file=".venv/pyvenv.cfg", line=line, kind="venv-python", detail=detail)
    assert reading.python == [PythonConstraint(specifier=specifier, evidence=evidence)]


def test_pyvenv_cfg_without_a_version_gives_no_constraint(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = unknown\n")

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert (reading.python, reading.errors) == ([], [])


def test_binary_pyvenv_cfg_is_an_error(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_bytes(b"version = 3.12\x00\n")

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert reading.python == []
    assert reading.errors == [
        DetectionError(file=".venv/pyvenv.cfg", line=1, message="binary file (NUL byte)")
    ]


# --- import names ----------------------------------------------------------------------


def test_import_names_come_from_record_when_top_level_txt_is_missing(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    record = "\n".join(
        [
            "attr/__init__.py,sha256=aa,100",
            "attr/_make.py,sha256=bb,200",
            "attrs/__init__.py,sha256=cc,50",
            "typing_helpers.py,sha256=dd,10",
            "_speedups.cpython-312-x86_64-linux-gnu.so,sha256=ee,9000",
            "attrs-23.2.0.dist-info/METADATA,sha256=ff,1000",
            "attrs-23.2.0.dist-info/RECORD,,",
            "__pycache__/typing_helpers.cpython-312.pyc,,",
            "../../../bin/attrs-tool,sha256=gg,300",
            "attrs-23.2.0.data/scripts/x,sha256=hh,1",
            "bin/helper.py,sha256=ii,1",
            "attrs.pth,sha256=jj,1",
            '"odd,name/__init__.py",sha256=kk,1',
            '"quoted_pkg/a,b.py",sha256=ll,1',
        ]
    )
    _dist_info(site, "attrs-23.2.0.dist-info", _metadata("attrs", "23.2.0"), record=record)

    names = installed_import_names(Workspace.at(tmp_path), tmp_path / ".venv")

    assert names == {
        "attr": "attrs",
        "attrs": "attrs",
        "typing_helpers": "attrs",
        "_speedups": "attrs",
        "quoted_pkg": "attrs",
    }


def test_top_level_txt_wins_over_record(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    _dist_info(
        site,
        "PyYAML-6.0.1.dist-info",
        _metadata("PyYAML", "6.0.1"),
        top_level="_yaml\nyaml\n\n",
        record="not_listed/__init__.py,,\n",
    )
    _dist_info(
        site,
        "protobuf-5.27.0.dist-info",
        _metadata("protobuf", "5.27.0"),
        top_level="google/protobuf\n",
    )

    names = installed_import_names(Workspace.at(tmp_path), tmp_path / ".venv")

    assert names == {"_yaml": "pyyaml", "yaml": "pyyaml", "google": "protobuf"}


def test_shared_top_level_name_goes_to_the_distribution_named_after_it(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    _dist_info(site, "aaa_plugin-1.0.dist-info", _metadata("aaa-plugin", "1.0"), top_level="jwt\n")
    _dist_info(site, "jwt-1.3.1.dist-info", _metadata("jwt", "1.3.1"), top_level="jwt\n")
    _dist_info(site, "PyJWT-2.8.0.dist-info", _metadata("PyJWT", "2.8.0"), top_level="jwt\n")
    _dist_info(
        site, "google_auth-2.0.dist-info", _metadata("google-auth", "2.0"), top_level="google\n"
    )
    _dist_info(site, "protobuf-5.0.dist-info", _metadata("protobuf", "5.0"), top_level="google\n")

    names = installed_import_names(Workspace.at(tmp_path), tmp_path / ".venv")

    assert names == {"jwt": "jwt", "google": "google-auth"}


def test_egg_info_import_names_come_from_its_top_level_txt(tmp_path: Path) -> None:
    site = _site(tmp_path / ".venv")
    egg = site / "legacy_tool-0.3-py3.12.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Name: legacy-tool\nVersion: 0.3\n")
    (egg / "top_level.txt").write_text("legacy\n")
    (site / "single-1.0-py3.12.egg-info").write_text("Name: single\nVersion: 1.0\n")

    names = installed_import_names(Workspace.at(tmp_path), tmp_path / ".venv")

    assert names == {"legacy": "legacy-tool"}


# --- many distributions ------------------------------------------------------------------


def test_three_hundred_distributions_are_all_read_from_their_headers(tmp_path: Path) -> None:
    # Speed is measured in bench/, not asserted here; this pins that long bodies are harmless.
    site = _site(tmp_path / ".venv")
    classifiers = "".join(f"Classifier: Topic :: Area {n}\n" for n in range(40))
    for number in range(300):
        name = f"package_{number:03d}"
        header = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.{number}\n{classifiers}"
        _dist_info(site, f"{name}-1.{number}.dist-info", header + "\n" + "text\n" * 3000)

    reading = read_installed(Workspace.at(tmp_path), tmp_path / ".venv")

    assert len(reading.locked) == 300
    assert {item.version for item in reading.locked} == {f"1.{n}" for n in range(300)}
    assert reading.errors == []
