"""Fuzzing every manifest reader with Hypothesis: generated and damaged requirements files,
each TOML dialect of pyproject.toml, Pipfile, the four lock files, setup.cfg and setup.py,
and whole workspaces of them through ``detect``.

The properties: no exception escapes a reader; a problem becomes a ``DetectionError`` that
names a file of the workspace and, when it has a line, a line the file has; what is read
stays well-formed (PEP 503 names, parseable specifiers, lines from 1 to the file's last).
Where the input is valid by construction the properties are exact: each requirement is found
at the line it is written on, and each broken one is an error at its line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from stackskills.detectors.detect import detect
from stackskills.detectors.manifests.pdm_lock import read_pdm_lock
from stackskills.detectors.manifests.pipfile import read_pipfile
from stackskills.detectors.manifests.pipfile_lock import read_pipfile_lock
from stackskills.detectors.manifests.poetry_lock import read_poetry_lock
from stackskills.detectors.manifests.pyproject import read_pyproject
from stackskills.detectors.manifests.requirements import (
    is_compiled_requirements,
    logical_lines,
    looks_like_requirements,
    read_requirements,
)
from stackskills.detectors.manifests.setup_cfg import read_setup_cfg
from stackskills.detectors.manifests.setup_py import read_setup_py
from stackskills.detectors.manifests.uv_lock import read_uv_lock
from stackskills.detectors.models import Evidence, ManifestReading, Stack
from stackskills.detectors.source import Workspace

from .fuzz_inputs import (
    MARKERS,
    TOML_KEYS,
    any_text,
    file_bytes,
    fuzz,
    hard_text,
    is_normalised,
    line_count,
    mutated,
    name_text,
    relative_files,
    requirement_text,
    toml_document,
    toml_string,
    toml_values,
)

Files = dict[str, bytes]
Limits = dict[str, int]
"""The number of lines of each file written, by relative path."""
Reader = Callable[[Workspace, Path], ManifestReading]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each example makes a workspace of its own (examples must not share files)."""
    return tmp_path_factory.mktemp("fuzz-manifests")


@contextmanager
def workspace_with(scratch: Path, files: Files) -> Iterator[Workspace]:
    """A fresh workspace holding ``files`` (relative path -> bytes), removed afterwards."""
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        root = Path(folder)
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield Workspace.at(root)


def line_limits(files: Files) -> Limits:
    return {rel: line_count(data) for rel, data in files.items()}


def assert_line_in(file: str, line: int | None, limits: Limits, what: object) -> None:
    """``line`` is absent or a line of ``file`` (counted as an editor counts them)."""
    if line is None:
        return
    assert line >= 1, what
    if file in limits:
        assert line <= limits[file], what


def assert_evidence(evidence: Evidence, files: Limits) -> None:
    assert evidence.file in files, evidence
    assert_line_in(evidence.file, evidence.line, files, evidence)


def assert_well_formed(reading: ManifestReading, written: Files) -> None:
    """Every record of a reading points into the files read and holds valid values."""
    assert isinstance(reading, ManifestReading)
    files = line_limits(written)
    for error in reading.errors:
        assert error.file in files, error
        assert error.message.strip(), error
        assert_line_in(error.file, error.line, files, error)
    for dependency in reading.dependencies:
        assert is_normalised(dependency.name), dependency
        assert dependency.scope in ("runtime", "optional", "dev"), dependency
        SpecifierSet(dependency.specifier)  # parses
        if dependency.marker is not None:
            Marker(dependency.marker)
        assert_evidence(dependency.evidence, files)
    for locked in reading.locked:
        assert is_normalised(locked.name), locked
        assert locked.version.strip() == locked.version != "", locked
        assert_evidence(locked.evidence, files)
    for constraint in reading.python:
        SpecifierSet(constraint.specifier)
        assert_evidence(constraint.evidence, files)
    for marker in reading.markers:
        assert_evidence(marker, files)
    if reading.project_name is not None:
        assert is_normalised(reading.project_name)


def read_one(scratch: Path, rel: str, data: bytes, reader: Reader) -> ManifestReading:
    files = {rel: data}
    with workspace_with(scratch, files) as workspace:
        reading = reader(workspace, workspace.root / rel)
    assert_well_formed(reading, files)
    return reading


# --- requirements files ------------------------------------------------------------------

comment_text = hard_text.map(
    lambda text: re.sub(r"[\n\r\x00]", "", text).rstrip("\\").replace("via", "vía")
)
"""A comment that stays one comment: no line end a reader counts, no NUL, no ``\\`` that
would continue it, no ``via`` that would make the file a pip-compile lock."""


@st.composite
def requirement_line(draw: st.DrawFn) -> tuple[str, str]:
    """``(kind, physical text)``; kinds ``valid``/``invalid`` take one logical line."""
    kind = draw(st.sampled_from(["requirement", "requirement", "comment", "blank", "option"]))
    if kind == "comment":
        return "none", draw(st.sampled_from(["#", "  #", "# "])) + draw(comment_text)
    if kind == "blank":
        return "none", draw(st.sampled_from(["", "   ", "\t"]))
    if kind == "option":
        option = draw(
            st.sampled_from(
                ["--index-url https://pypi.example/simple", "-i https://x", "--pre",
                 "--find-links ./wheels", "--hash=sha256:" + "a" * 64, "-e .", "-e ./sub",
                 "--only-binary :all:", "--trusted-host h"]
            )
        )  # fmt: skip
        return "none", option
    name = draw(name_text)
    extras = draw(st.sampled_from(["", "[test]", "[a, b]", "[", "[bad extra]"]))
    specifier = draw(st.sampled_from(["", "==1.0", ">=4.2,<5", "~=2.0", "!=1.*", ">=", "=1", "<"]))
    if not specifier and re.search(r"\.(whl|zip|tar|tgz|gz|bz2|tbz|xz|txz)$", name, re.I):
        specifier = "==1.0"  # without an operator, pip takes ``x.zip`` for an archive path
    marker = draw(st.sampled_from([m for m in MARKERS if " -" not in m]))
    text = f"{name}{extras}{specifier}{marker}"
    try:
        Requirement(text)
    except InvalidRequirement:
        kind = "invalid"
    else:
        kind = "valid"
    if draw(st.booleans()):
        text += "  # " + draw(comment_text)
    elif draw(st.booleans()):
        text += " \\\n    --hash=sha256:" + "b" * 64  # a continued line, as pip-compile writes
    indent = draw(st.sampled_from(["", "", " ", "\t"]))
    return kind, indent + text


@fuzz(30)
@given(lines=st.lists(requirement_line(), max_size=25), crlf=st.booleans(), data=st.data())
def test_each_requirement_line_is_a_dependency_or_an_error_at_its_line(
    scratch: Path, lines: list[tuple[str, str]], crlf: bool, data: st.DataObject
) -> None:
    text = ("\r\n" if crlf else "\n").join(text for _, text in lines)
    if crlf:
        text = text.replace(" \\\n", " \\\r\n")
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    reading = read_one(scratch, "requirements.txt", text.encode(encoding), read_requirements)

    expected_valid: dict[int, str] = {}
    expected_invalid: set[int] = set()
    number = 1
    for kind, physical in lines:
        if kind == "valid":
            requirement = Requirement(re.split(r"\s+#|\s\\\n|\s-", physical.strip())[0])
            expected_valid[number] = canonicalize_name(requirement.name)
        elif kind == "invalid":
            expected_invalid.add(number)
        number += physical.count("\n") + 1
    found = {dep.evidence.line: dep.name for dep in reading.dependencies}
    assert found == expected_valid
    assert {error.line for error in reading.errors} == expected_invalid
    assert all(error.message.startswith("invalid requirement") for error in reading.errors)
    assert all(dep.scope == "runtime" for dep in reading.dependencies)


INCLUDE_LINES = [
    "-r base.txt", "-r requirements.txt", "--requirement=dev/more.txt", "-r dev/more.txt",
    "-c constraints.txt", "--constraint constraints.txt", "-r missing.txt", "-r ../../etc/passwd",
    "-r /etc/passwd", "-r", "-c", "-e", "-r https://example.com/r.txt", "-r 'base.txt'",
    "-r \"unterminated", "-e git+https://github.com/o/r.git#egg=proj", "-e .", "-e file:///x",
    "# via -r requirements.in", "#    via", "#   django", "# autogenerated by pip-compile",
    "django==4.2.7", "    # via flask", "a==1 \\", "--hash=sha256:00",
]  # fmt: skip
INCLUDABLE = ["requirements.txt", "base.txt", "dev/more.txt", "constraints.txt", "base.in"]


@st.composite
def requirements_file(draw: st.DrawFn) -> bytes:
    """A requirements file of includes, pins, ``# via`` blocks and noise, maybe damaged."""
    lines = draw(
        st.lists(
            st.one_of(st.sampled_from(INCLUDE_LINES), requirement_text(), any_text), max_size=12
        )
    )
    text = draw(st.sampled_from(["\n", "\r\n", "\\\n"])).join(lines)
    if draw(st.booleans()):
        text = draw(mutated(text, max_mutations=3))
    return draw(file_bytes(text))


@fuzz(40)
@given(
    files=st.dictionaries(st.sampled_from(INCLUDABLE), requirements_file(), min_size=1, max_size=5)
)
@example(
    files={
        "requirements.txt": b"-r " + b"a" * 5_000 + b"\nflask==1\n    # via -r " + b"b" * 5_000,
        "base.txt": "-r a\x00b.txt\ndjango\n".encode("utf-16"),
    }
)  # names the system refuses: "File name too long" and a NUL each raised out of detection
def test_requirements_files_with_includes_never_raise_and_point_into_the_workspace(
    scratch: Path, files: Files
) -> None:
    with workspace_with(scratch, files) as workspace:
        seen: set[Path] = set()
        for rel in sorted(files):
            reading = read_requirements(workspace, workspace.root / rel, seen)
            assert_well_formed(reading, files)
    for data in files.values():
        text = data.decode("utf-8", errors="replace")
        numbers = [line.number for line in logical_lines(text)]
        assert numbers == sorted(set(numbers))
        assert not numbers or 1 <= numbers[0] <= numbers[-1] <= text.count("\n") + 1
        looks_like_requirements(text)
        is_compiled_requirements(text)


# --- TOML dialects -------------------------------------------------------------------------

PYPROJECT_PATHS = [
    ("build-system", "requires"),
    ("project", "name"),
    ("project", "dependencies"),
    ("project", "optional-dependencies"),
    ("project", "optional-dependencies", "test"),
    ("project", "requires-python"),
    ("project", "classifiers"),
    ("project", "dynamic"),
    ("dependency-groups", "dev"),
    ("dependency-groups", "test"),
    ("tool", "poetry", "name"),
    ("tool", "poetry", "dependencies"),
    ("tool", "poetry", "dependencies", "python"),
    ("tool", "poetry", "dependencies", "django"),
    ("tool", "poetry", "dev-dependencies"),
    ("tool", "poetry", "group", "dev", "dependencies"),
    ("tool", "poetry", "group", "docs", "optional"),
    ("tool", "pdm", "dev-dependencies"),
    ("tool", "pdm", "dev-dependencies", "test"),
    ("tool", "pdm", "dependencies"),
    ("tool", "uv", "dev-dependencies"),
    ("tool", "uv", "constraint-dependencies"),
    ("tool", "uv", "override-dependencies"),
    ("tool", "uv", "sources"),
    ("tool", "hatch", "envs", "default", "dependencies"),
    ("tool", "hatch", "envs", "test", "extra-dependencies"),
    ("tool", "hatch", "envs", "default", "python"),
    ("tool", "ruff", "target-version"),
    ("tool", "mypy", "python_version"),
    ("tool", "pyright", "pythonVersion"),
    ("tool", "black", "target-version"),
    ("tool", "pytest", "ini_options"),
    ("tool", "django-stubs"),
]
PIPFILE_PATHS = [
    ("packages",),
    ("packages", "django"),
    ("packages", "Flask_Login"),
    ("dev-packages",),
    ("dev-packages", "pytest"),
    ("docs",),
    ("docs", "sphinx"),
    ("requires", "python_version"),
    ("requires", "python_full_version"),
    ("source",),
    ("scripts", "x"),
    ("pipenv", "allow_prereleases"),
]
LOCK_PATHS = [("package",), ("metadata",), ("metadata", "files"), ("requires-python",)]

pipfile_entries = st.fixed_dictionaries(
    {},
    optional={
        key: st.one_of(toml_values, st.sampled_from(["*", "==1.0", ">=2", "git", "."]))
        for key in ["version", "extras", "markers", "git", "ref", "path", "file", "editable",
                    "os_name", "sys_platform", "python_version", "index"]
    },
)  # fmt: skip
lock_packages = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.one_of(name_text, toml_values),
            "version": st.one_of(st.sampled_from(["1.0", "2.0.1", " 3 ", ""]), toml_values),
            "source": st.one_of(st.just({"editable": "."}), st.just({"virtual": "."}), toml_values),
            "dependencies": toml_values,
            "extras": toml_values,
        },
    ),
    max_size=6,
)


@st.composite
def document_at(draw: st.DrawFn, paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """A TOML document holding generated values at some of the keys a dialect reads."""
    document: dict[str, Any] = {}
    chosen = draw(st.lists(st.sampled_from(paths), min_size=1, max_size=8, unique=True))
    for path in chosen:
        current = document
        for key in path[:-1]:
            child = current.setdefault(key, {})
            if not isinstance(child, dict):
                break
            current = child
        else:
            if path[-1] == "package":
                current[path[-1]] = draw(st.one_of(lock_packages, toml_values))
            elif path[0] in ("packages", "dev-packages", "docs") and len(path) == 2:
                current[path[-1]] = draw(st.one_of(pipfile_entries, toml_values))
            else:
                current[path[-1]] = draw(toml_values)
    if draw(st.booleans()):
        for _ in range(draw(st.integers(0, 3))):
            document[draw(st.sampled_from(TOML_KEYS))] = draw(toml_values)
    return document


@st.composite
def toml_file(draw: st.DrawFn, paths: list[tuple[str, ...]]) -> bytes:
    """A TOML manifest: valid TOML of the dialect's shape, often damaged after."""
    text = toml_document(draw(document_at(paths)), header_tables=draw(st.booleans()))
    how = draw(st.sampled_from(["as-is", "as-is", "mutated", "deep", "long"]))
    if how == "mutated":
        text = draw(mutated(text))
    elif how == "deep":
        depth = draw(st.integers(50, 1_500))
        text += f"x = {'[' * depth}{']' * depth}\ny = {'{a = ' * depth}1{'}' * depth}\n"
    elif how == "long":
        text += f"long = {toml_string('x' * draw(st.integers(10_000, 50_000)))}\n"
    return draw(file_bytes(text))


TOML_MANIFESTS: list[tuple[str, Reader, list[tuple[str, ...]]]] = [
    ("pyproject.toml", read_pyproject, PYPROJECT_PATHS),
    ("Pipfile", read_pipfile, PIPFILE_PATHS),
    ("poetry.lock", read_poetry_lock, LOCK_PATHS),
    ("pdm.lock", read_pdm_lock, LOCK_PATHS),
    ("uv.lock", read_uv_lock, LOCK_PATHS),
]


@pytest.mark.parametrize(
    ("name", "reader", "paths"), TOML_MANIFESTS, ids=[name for name, _, _ in TOML_MANIFESTS]
)
@fuzz(30)
@given(data=st.data())
def test_toml_manifests_never_raise_and_stay_well_formed(
    scratch: Path,
    name: str,
    reader: Reader,
    paths: list[tuple[str, ...]],
    data: st.DataObject,
) -> None:
    read_one(scratch, name, data.draw(toml_file(paths)), reader)


SEPARATOR_FREE = st.text(
    alphabet=st.characters(exclude_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=30
)
"""Text TOML accepts in a comment or string and no library takes for a line end."""
TOML_LEGAL_BREAKS = st.sampled_from(["\x85", "\u2028", "\u2029"])
"""Line separators TOML allows raw in comments and strings; only ``\\n`` ends a TOML line."""


@st.composite
def noisy_comment(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(SEPARATOR_FREE, TOML_LEGAL_BREAKS), max_size=6))
    return "# " + "".join(parts)


@fuzz(30)
@given(
    names=st.lists(
        name_text.filter(lambda name: name.lower() != "python"),  # Poetry's Python constraint
        min_size=1,
        max_size=6,
        unique_by=canonicalize_name,
    ),
    comments=st.lists(noisy_comment(), min_size=8, max_size=8),
    description=st.lists(st.one_of(SEPARATOR_FREE, TOML_LEGAL_BREAKS), max_size=5),
    crlf=st.booleans(),
)
def test_pep621_and_poetry_dependencies_are_found_at_the_line_they_are_written_on(
    scratch: Path, names: list[str], comments: list[str], description: list[str], crlf: bool
) -> None:
    lines = [comments[0], "[project]", 'name = "own-project"']
    lines += [f"description = {toml_string(''.join(description))}", comments[1]]
    lines.append("dependencies = [")
    where: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        lines.append(f"    {toml_string(name + '>=1.0')},  {comments[2 + index % 6]}")
        where.setdefault(canonicalize_name(name), []).append(len(lines))
    lines += ["]", comments[7], "[tool.poetry.dependencies]"]
    for name in names:
        lines.append(f'{toml_string(name)} = "^2.1"')
        where[canonicalize_name(name)].append(len(lines))
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    reading = read_one(scratch, "pyproject.toml", text.encode(), read_pyproject)
    assert reading.errors == []
    found: dict[str, list[int]] = {}
    for dependency in reading.dependencies:
        assert dependency.evidence.line is not None
        found.setdefault(dependency.name, []).append(dependency.evidence.line)
    assert {name: sorted(lines) for name, lines in found.items()} == where


@pytest.mark.parametrize("name", ["poetry.lock", "pdm.lock", "uv.lock", "Pipfile.lock"])
@fuzz(20)
@given(
    versions=st.dictionaries(
        name_text.map(str.lower), st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}", fullmatch=True),
        min_size=1, max_size=6,
    ),
    noise=st.lists(st.one_of(SEPARATOR_FREE, TOML_LEGAL_BREAKS), min_size=1, max_size=6),
    indent=st.sampled_from([1, 2, 4]),
)  # fmt: skip
def test_locked_versions_are_found_at_the_line_of_their_version(
    scratch: Path, name: str, versions: dict[str, str], noise: list[str], indent: int
) -> None:
    unique = {canonicalize_name(n): v for n, v in versions.items()}
    strange = "".join(noise)
    if name == "Pipfile.lock":
        default = {
            n: {"hashes": [f"sha256:{strange}"], "markers": strange, "version": f"=={v}"}
            for n, v in unique.items()
        }
        document = {"_meta": {"hash": {"sha256": strange}}, "default": default, "develop": {}}
        text = json.dumps(document, indent=indent, ensure_ascii=False)
        reader: Reader = read_pipfile_lock
    else:
        parts = [f"# {strange}"]
        for n, v in unique.items():
            parts += ["[[package]]", f'name = "{n}"', f"description = {toml_string(strange)}"]
            parts += [f'version = "{v}"', "", "[package.dependencies]", f"x = {toml_string(v)}"]
        text = "\n".join(parts) + "\n"
        reader = {"poetry.lock": read_poetry_lock, "pdm.lock": read_pdm_lock}.get(
            name, read_uv_lock
        )
    reading = read_one(scratch, name, text.encode(), reader)
    assert reading.errors == []
    lines = text.split("\n")
    assert {locked.name: locked.version for locked in reading.locked} == unique
    for locked in reading.locked:
        line = locked.evidence.line
        assert line is not None
        assert '"version"' in lines[line - 1] or lines[line - 1].startswith("version")
        assert locked.version in lines[line - 1]


json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hard_text,
        st.sampled_from(["==1.0", "==2.0.1", ">=1", "==", "1.0", "3.11", "==1.*"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(["version", "hashes", "markers", "requires",
                        "python_version", "python_full_version", "git"]), name_text, hard_text),
                        inner, max_size=4),
    ),
    max_leaves=15,
)  # fmt: skip


@st.composite
def pipfile_lock(draw: st.DrawFn) -> bytes:
    document = draw(
        st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "_meta": json_values,
                    "default": st.one_of(
                        st.dictionaries(name_text, json_values, max_size=5), json_values
                    ),
                    "develop": json_values,
                    "custom": st.dictionaries(name_text, json_values, max_size=3),
                },
            ),
            json_values,
        )
    )
    text = json.dumps(document, indent=draw(st.sampled_from([None, 1, 4])), ensure_ascii=False)
    how = draw(st.sampled_from(["as-is", "as-is", "mutated", "deep", "huge-int"]))
    if how == "mutated":
        text = draw(mutated(text))
    elif how == "deep":
        depth = draw(st.integers(100, 3_000))
        text = '{"default": ' + "[" * depth + "]" * draw(st.integers(0, depth)) + "}"
    elif how == "huge-int":
        text = '{"_meta": {"size": ' + "9" * draw(st.integers(4_000, 20_000)) + "}}"
    return draw(file_bytes(text))


@fuzz(40)
@given(data=pipfile_lock())
def test_pipfile_lock_never_raises_and_stays_well_formed(scratch: Path, data: bytes) -> None:
    read_one(scratch, "Pipfile.lock", data, read_pipfile_lock)


# --- setup.cfg and setup.py ------------------------------------------------------------------

CFG_VALUES = [
    "django>=4.2", "flask ; python_version < '3.11'", "a; b; c", "file: requirements.txt",
    "%(name)s", "%", "%(", ">=3.8", ">3.6.*", "3.11", "Programming Language :: Python :: 3.9",
    "Programming Language :: Python :: 3 :: Only", "x # comment", "attr: pkg.__version__",
]  # fmt: skip
CFG_KEYS = [
    "name", "classifiers", "install_requires", "install-requires", "tests_require",
    "python_requires", "python_version", "test", "dev", "docs", "all", "packages",
]  # fmt: skip
CFG_SECTIONS = [
    "metadata", "options", "options.extras_require", "mypy", "tool:pytest", "flake8", "options",
]  # fmt: skip


@st.composite
def setup_cfg(draw: st.DrawFn) -> bytes:
    """INI text of setuptools' sections, continuation lines, interpolation and noise."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(hard_text))  # text before the first header
    for _ in range(draw(st.integers(0, 5))):
        lines.append(f"[{draw(st.one_of(st.sampled_from(CFG_SECTIONS), hard_text))}]")
        for _ in range(draw(st.integers(0, 4))):
            key = draw(st.one_of(st.sampled_from(CFG_KEYS), hard_text))
            separator = draw(st.sampled_from([" = ", "=", ": ", " "]))
            value = draw(st.one_of(st.sampled_from(CFG_VALUES), requirement_text(), hard_text))
            lines.append(f"{key}{separator}{value}")
            for _ in range(draw(st.integers(0, 3))):
                indent = draw(st.sampled_from(["    ", "\t", " "]))
                more = draw(st.one_of(st.sampled_from(CFG_VALUES), requirement_text()))
                lines.append(indent + more)
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    if draw(st.booleans()):
        text = draw(mutated(text, max_mutations=3))
    return draw(file_bytes(text))


@fuzz(50)
@given(data=setup_cfg())
def test_setup_cfg_never_raises_and_stays_well_formed(scratch: Path, data: bytes) -> None:
    read_one(scratch, "setup.cfg", data, read_setup_cfg)


python_literals = st.recursive(
    st.one_of(
        requirement_text().map(repr),
        hard_text.map(repr),
        st.sampled_from(
            ["'>=3.8'", "'Programming Language :: Python :: 3.10'", "None", "42", "x",
             "open('r.txt').read().splitlines()", "'a\\nb'.splitlines()", "f'{x}'",
             "REQUIRES", "[*REQUIRES]", "dict(a=['x'])", "'a b'.split()", "...", "b'x'"]
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(["'test'", "'dev'", "'x:python_version<\"3\"'",
                 "1", "name"]), inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
    ),
    max_leaves=10,
)  # fmt: skip
SETUP_KEYWORDS = [
    "name", "install_requires", "extras_require", "tests_require", "python_requires",
    "classifiers", "setup_requires", "version", "packages",
]  # fmt: skip


@st.composite
def setup_py(draw: st.DrawFn) -> bytes:
    """A setup.py of literal bindings and a ``setup()`` call, often mutated or nested deep."""
    importer = draw(
        st.sampled_from(
            ["from setuptools import setup", "from setuptools import setup as s",
             "import setuptools", "from distutils.core import setup", "import setuptools as st"]
        )
    )  # fmt: skip
    call = {"from setuptools import setup as s": "s", "import setuptools": "setuptools.setup",
            "import setuptools as st": "st.setup"}.get(importer, "setup")  # fmt: skip
    lines = [importer, f"REQUIRES = {draw(python_literals)}"]
    for _ in range(draw(st.integers(0, 3))):
        lines.append(
            draw(st.sampled_from(["REQUIRES += ", "REQUIRES.append(", "EXTRAS = ", "meta = "]))
            + draw(python_literals)
            + (")" if lines[-1].endswith("(") else "")
        )
    keywords = draw(st.lists(st.sampled_from(SETUP_KEYWORDS), max_size=6))
    arguments = [f"{key}={draw(python_literals)}" for key in keywords]
    if draw(st.booleans()):
        arguments.append("**meta")
    lines.append(f"{call}(" + ",\n    ".join(arguments) + ")")
    text = "\n".join(lines)
    how = draw(st.sampled_from(["as-is", "mutated", "mutated", "deep"]))
    if how == "mutated":
        text = draw(mutated(text))
    elif how == "deep":
        depth = draw(st.integers(50, 2_000))
        text += f"\nsetup(install_requires={'[' * depth}'x'{']' * depth})\n"
    return draw(file_bytes(text))


@fuzz(40)
@given(data=setup_py())
def test_setup_py_never_raises_and_stays_well_formed(scratch: Path, data: bytes) -> None:
    read_one(scratch, "setup.py", data, read_setup_py)


# --- whole workspaces ------------------------------------------------------------------------

WORKSPACE_FILES: dict[str, st.SearchStrategy[bytes]] = {
    "pyproject.toml": toml_file(PYPROJECT_PATHS),
    "sub/pyproject.toml": toml_file(PYPROJECT_PATHS),
    "Pipfile": toml_file(PIPFILE_PATHS),
    "poetry.lock": toml_file(LOCK_PATHS),
    "uv.lock": toml_file(LOCK_PATHS),
    "pdm.lock": toml_file(LOCK_PATHS),
    "Pipfile.lock": pipfile_lock(),
    "setup.cfg": setup_cfg(),
    "setup.py": setup_py(),
    "requirements.txt": requirements_file(),
    "requirements/dev.txt": requirements_file(),
    "base.txt": requirements_file(),
    "dev.txt": requirements_file(),
    ".python-version": st.one_of(st.just(b"3.11\n"), any_text.flatmap(file_bytes)),
    "runtime.txt": st.one_of(st.just(b"python-3.12.1"), any_text.flatmap(file_bytes)),
    ".tool-versions": any_text.map(lambda text: f"python {text}\n".encode(errors="replace")),
    "tox.ini": any_text.map(lambda t: f"[tox]\nenvlist = py38,{t}\n[pytest]\n".encode()),
    "Dockerfile": any_text.map(lambda t: f"FROM python:3.12-slim\n{t}\n".encode()),
    ".github/workflows/ci.yml": st.builds(
        lambda bomb, t: f"{bomb}jobs:\n  t:\n    strategy:\n      matrix:\n"
        f"        python-version: [{t}]\n".encode(),
        st.integers(0, 4).map(lambda levels: anchor_bomb(levels, fan_out=4)),
        any_text,
    ),
    "manage.py": any_text.map(lambda t: f"import django\n{t}\n".encode()),
    "app/main.py": any_text.map(
        lambda t: f"from fastapi import FastAPI\napp = FastAPI(){t}".encode()
    ),
    "alembic.ini": any_text.flatmap(file_bytes),
}  # fmt: skip


def anchor_bomb(levels: int, fan_out: int) -> str:
    """YAML whose last anchor stands for ``fan_out ** levels`` strings in ten short lines."""
    if levels == 0:
        return ""
    lines = [f"a0: &a0 [{', '.join(['x'] * fan_out)}]"]
    lines += [
        f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * fan_out)}]"
        for level in range(1, levels)
    ]
    return "\n".join(lines) + f"\nall: *a{levels - 1}\n"


def assert_stack_well_formed(stack: Stack, root: Path, written: Files) -> None:
    present = relative_files(root)
    files = line_limits(written)
    for error in stack.errors:
        assert error.file in present, error
        assert_line_in(error.file, error.line, files, error)
    for framework in stack.frameworks:
        assert is_normalised(framework.name), framework
        assert 0 < framework.confidence <= 1, framework
        if framework.specifier:
            SpecifierSet(framework.specifier).contains("1.0")  # every version in it converts
        for evidence in framework.evidence:
            assert evidence.file in present, evidence
            assert_line_in(evidence.file, evidence.line, files, evidence)
    assert stack.python.target is None or re.fullmatch(r"\d+\.\d+", stack.python.target)
    for evidence in stack.python.evidence:
        assert evidence.file in present, evidence
        assert_line_in(evidence.file, evidence.line, files, evidence)
    for project in stack.projects:
        assert project.path in present, project
        assert all(manifest in present for manifest in project.manifests), project


@fuzz(20)
@given(
    chosen=st.lists(st.sampled_from(sorted(WORKSPACE_FILES)), min_size=1, max_size=8, unique=True),
    data=st.data(),
)
def test_detect_on_a_workspace_of_fuzzed_manifests_reports_instead_of_raising(
    scratch: Path, chosen: list[str], data: st.DataObject
) -> None:
    files = {rel: data.draw(WORKSPACE_FILES[rel], label=rel) for rel in chosen}
    with workspace_with(scratch, files) as workspace:
        root = workspace.root
        fresh = detect(root, use_cache=False)
        assert_stack_well_formed(fresh, root, files)
        document = json.loads(fresh.to_json())
        assert Stack.from_dict(document).to_dict() == fresh.to_dict()
        # What the cache stores and gives back is what a fresh detection found.
        assert detect(root).to_dict() == fresh.to_dict()
        assert detect(root).to_dict() == fresh.to_dict()
        os.utime(root / chosen[0])  # a touched file: the tree is fingerprinted again
        assert detect(root).to_dict() == fresh.to_dict()


HUGE = "9" * 5_000
OVERSIZED_NUMBERS = {
    "requirements.txt": f"django>=1.{HUGE}\n",
    "pyproject.toml": f'[project]\nname = "x"\nrequires-python = ">=3.{HUGE}"\n'
    f'classifiers = ["Programming Language :: Python :: 3.{HUGE}"]\n'
    f'[tool.ruff]\ntarget-version = "py3{HUGE}"\n[tool.mypy]\npython_version = "3.{HUGE}"\n'
    f'[tool.poetry.dependencies]\nflask = {{version = "^1", extras = 0x{"f" * 5_000}}}\n',
    "setup.cfg": f"[metadata]\nclassifiers =\n    Programming Language :: Python :: 3.{HUGE}\n",
    "poetry.lock": f'[[package]]\nname = "a"\nversion = 0x{"f" * 5_000}\n',
    "Dockerfile": f"FROM python:3.{HUGE}\n",
    ".github/workflows/ci.yml": f"jobs: {{t: {{python-version: ['3.{HUGE}']}}}}\n",
    ".python-version": f"3.{HUGE}\n",
}
"""Found by the fuzzers: numbers of over 4,300 digits, which ``packaging`` and the regular
expressions accept and ``int()`` (inside ``Version``, ``str``, ``repr``) refuses."""


@pytest.mark.parametrize("rel", sorted(OVERSIZED_NUMBERS))
def test_a_number_python_cannot_convert_is_an_error_not_a_crash(scratch: Path, rel: str) -> None:
    files = {rel: OVERSIZED_NUMBERS[rel].encode()}
    with workspace_with(scratch, files) as workspace:
        stack = detect(workspace.root, use_cache=False)
        assert_stack_well_formed(stack, workspace.root, files)
    assert stack.python.target is None
    if rel in ("requirements.txt", "pyproject.toml", "setup.cfg", "poetry.lock"):
        assert [error.file for error in stack.errors] and {e.file for e in stack.errors} == {rel}


def test_a_billion_laughs_in_a_ci_workflow_is_read_in_linear_time(tmp_path: Path) -> None:
    """Ten lines of YAML anchors stand for 10**12 strings; detection must not walk them."""
    workflow = tmp_path / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    matrix = "jobs:\n  t:\n    strategy:\n      matrix:\n        python-version: ['3.10']\n"
    workflow.write_text(anchor_bomb(12, fan_out=10) + matrix, encoding="utf-8")
    script = "import sys; from stackskills.detectors.detect import detect; " + (
        "print(detect(sys.argv[1], use_cache=False).python.target)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,  # a walk of every reference would take days
        cwd=tmp_path,
        check=True,
    )
    assert done.stdout.strip() == "3.10"
