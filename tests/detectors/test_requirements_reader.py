"""Requirements files: lines, options, includes, and compiled (locked) files."""

from __future__ import annotations

from pathlib import Path

from stackskills.detectors.manifests.requirements import (
    is_compiled_requirements,
    logical_lines,
    read_requirements,
)
from stackskills.detectors.models import Dependency, DetectionError, ManifestReading
from stackskills.detectors.source import Workspace


def _workspace(root: Path, files: dict[str, str]) -> Workspace:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Workspace.at(root)


def _read(root: Path, files: dict[str, str], main: str = "requirements.txt") -> ManifestReading:
    workspace = _workspace(root, files)
    return read_requirements(workspace, workspace.root / main)


def _by_name(reading: ManifestReading) -> dict[str, Dependency]:
    return {dependency.name: dependency for dependency in reading.dependencies}


def _lines(reading: ManifestReading) -> list[tuple[str, int | None]]:
    return [(d.name, d.evidence.line) for d in reading.dependencies]


# --- requirement lines ------------------------------------------------------------------


def test_requirement_lines_become_dependencies_with_their_own_lines(tmp_path: Path) -> None:
    text = "\nDjango>=5.0,<6\nrequests[socks,security] ; python_version >= '3.8'\nAttrs==23.2.0\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    assert reading.locked == []
    django, requests, attrs = reading.dependencies
    assert (django.name, django.specifier, django.scope) == ("django", "<6,>=5.0", "runtime")
    assert django.evidence.file == "requirements.txt"
    assert django.evidence.line == 2
    assert django.evidence.kind == "requirement"
    assert django.evidence.detail == "Django>=5.0,<6"
    assert requests.extras == ("security", "socks")
    assert requests.marker == 'python_version >= "3.8"'
    assert requests.evidence.line == 3
    assert (attrs.name, attrs.pinned, attrs.evidence.line) == ("attrs", "23.2.0", 4)


def test_comments_are_dropped_but_an_egg_fragment_is_not_a_comment(tmp_path: Path) -> None:
    text = (
        "# the web framework\n"
        "flask>=3  # inline comment\n"
        "   # indented comment\n"
        "git+https://github.com/org/tool.git@v1#egg=tool\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    flask, tool = reading.dependencies
    assert (flask.name, flask.specifier, flask.evidence.detail) == ("flask", ">=3", "flask>=3")
    assert tool.name == "tool"
    assert tool.url == "git+https://github.com/org/tool.git@v1#egg=tool"
    assert tool.evidence.line == 4


def test_continued_lines_join_and_keep_the_first_line_number(tmp_path: Path) -> None:
    text = (
        "numpy==1.26.4 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        "pandas>=2 \\\n"
        "    ,<3\n"
        "scipy\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    assert _lines(reading) == [("numpy", 1), ("pandas", 4), ("scipy", 6)]
    numpy, pandas, _ = reading.dependencies
    assert (numpy.specifier, numpy.evidence.detail) == ("==1.26.4", "numpy==1.26.4")
    assert pandas.specifier == "<3,>=2"


def test_a_comment_line_ends_a_continuation_as_pip_does(tmp_path: Path) -> None:
    text = "attrs \\\n# a comment\nclick\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    assert _lines(reading) == [("attrs", 1), ("click", 3)]


def test_per_requirement_options_are_stripped(tmp_path: Path) -> None:
    text = (
        "cryptography==42.0.5 --hash=sha256:abcd --hash=sha256:ef01\n"
        'pillow --config-settings="--build-option=--disable-jpeg"\n'
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    assert [(d.name, d.specifier) for d in reading.dependencies] == [
        ("cryptography", "==42.0.5"),
        ("pillow", ""),
    ]


def test_global_options_are_ignored(tmp_path: Path) -> None:
    text = (
        "-i https://pypi.org/simple\n"
        "--index-url https://pypi.org/simple\n"
        "--extra-index-url=https://example.com/simple\n"
        "-f https://example.com/wheels\n"
        "--find-links ./wheels\n"
        "--trusted-host example.com\n"
        "--no-binary :all:\n"
        "--only-binary=:all:\n"
        "--pre\n"
        "--prefer-binary\n"
        "--require-hashes\n"
        "--use-feature=truststore\n"
        "--no-index\n"
        "--config-settings editable_mode=compat\n"
        "--some-future-option\n"
        "httpx\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    assert _lines(reading) == [("httpx", 16)]


def test_environment_variables_are_left_as_written(tmp_path: Path) -> None:
    text = "https://${TOKEN}@example.com/private-1.0.zip#egg=private-pkg\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    (private,) = reading.dependencies
    assert private.name == "private-pkg"
    assert private.url == "https://${TOKEN}@example.com/private-1.0.zip#egg=private-pkg"


def test_a_line_packaging_cannot_parse_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    text = "flask\nnot a requirement!\nclick\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert _lines(reading) == [("flask", 1), ("click", 3)]
    (error,) = reading.errors
    assert (error.file, error.line) == ("requirements.txt", 2)
    assert "'not a requirement!'" in error.message
    assert error.message.startswith("invalid requirement")


def test_name_at_url_keeps_the_url(tmp_path: Path) -> None:
    text = "mylib[fast] @ https://example.com/mylib-1.0.tar.gz ; sys_platform == 'linux'\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    (mylib,) = reading.dependencies
    assert (mylib.name, mylib.extras) == ("mylib", ("fast",))
    assert mylib.url == "https://example.com/mylib-1.0.tar.gz"
    assert mylib.marker == 'sys_platform == "linux"'


def test_url_with_egg_and_marker_keeps_both(tmp_path: Path) -> None:
    text = "https://example.com/pkg.zip#egg=pkg[extra]&subdirectory=src ; python_version < '3.12'\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    (pkg,) = reading.dependencies
    assert (pkg.name, pkg.extras, pkg.specifier) == ("pkg", ("extra",), "")
    assert pkg.url == "https://example.com/pkg.zip#egg=pkg[extra]&subdirectory=src"
    assert pkg.marker == 'python_version < "3.12"'


def test_urls_without_an_egg_name_are_skipped(tmp_path: Path) -> None:
    text = "https://example.com/pkg-1.0.zip\ngit+https://github.com/org/repo.git@main\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.dependencies == []
    assert reading.errors == []


def test_an_invalid_egg_name_is_reported(tmp_path: Path) -> None:
    text = "git+https://github.com/org/repo.git#egg=not/a/name\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.dependencies == []
    (error,) = reading.errors
    assert error.line == 1
    assert error.message.startswith("invalid #egg= name")


def test_editable_vcs_checkouts_with_egg_are_dependencies(tmp_path: Path) -> None:
    text = (
        "-e git+https://github.com/org/lib.git@v2#egg=Some_Lib\n"
        "--editable=hg+https://hg.example.com/other#egg=other\n"
        "--editable git+ssh://git@github.com/org/third.git#egg=third\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    assert _lines(reading) == [("some-lib", 1), ("other", 2), ("third", 3)]
    assert reading.dependencies[0].url == "git+https://github.com/org/lib.git@v2#egg=Some_Lib"


def test_editable_local_paths_and_vcs_without_egg_are_skipped(tmp_path: Path) -> None:
    text = (
        "-e .\n"
        "-e ./libs/core\n"
        "--editable ../sibling\n"
        "-e file:///srv/project#egg=project\n"
        "-e git+https://github.com/org/lib.git\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.dependencies == []
    assert reading.errors == []


def test_local_paths_and_archives_are_skipped(tmp_path: Path) -> None:
    text = (
        ".\n"
        "./packages/core\n"
        "../shared\n"
        "/opt/wheels/thing-1.0-py3-none-any.whl\n"
        "dist/mypkg-1.0.tar.gz\n"
        "mypkg-1.0-py3-none-any.whl\n"
        "file:///srv/project\n"
        "file:../local#egg=local\n"
        "C:\\src\\pkg\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.dependencies == []
    assert reading.errors == []


def test_crlf_line_endings_and_a_bom_are_read(tmp_path: Path) -> None:
    root = tmp_path
    (root / "requirements.txt").write_bytes(b"\xef\xbb\xbfflask\r\nclick \\\r\n  >=8\r\n")
    workspace = Workspace.at(root)
    reading = read_requirements(workspace, workspace.root / "requirements.txt")
    assert reading.errors == []
    assert [(d.name, d.specifier, d.evidence.line) for d in reading.dependencies] == [
        ("flask", "", 1),
        ("click", ">=8", 2),
    ]


def test_scope_follows_the_file_name(tmp_path: Path) -> None:
    reading = _read(tmp_path, {"requirements/dev.txt": "pytest\n"}, main="requirements/dev.txt")
    (pytest_dependency,) = reading.dependencies
    assert pytest_dependency.scope == "dev"
    assert pytest_dependency.evidence.file == "requirements/dev.txt"


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"flask\n\x00\x01")
    workspace = Workspace.at(tmp_path)
    reading = read_requirements(workspace, workspace.root / "requirements.txt")
    assert reading.dependencies == []
    assert reading.errors == [
        DetectionError(file="requirements.txt", line=2, message="binary file (NUL byte)")
    ]


def test_a_relative_path_is_taken_from_the_workspace_root(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, {"requirements.txt": "flask\n"})
    reading = read_requirements(workspace, Path("requirements.txt"))
    assert _lines(reading) == [("flask", 1)]


# --- includes ---------------------------------------------------------------------------


def test_includes_are_read_with_the_included_files_own_scope(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "-r requirements/base.txt\nflask\n",
        "requirements/base.txt": "sqlalchemy>=2\n",
        "requirements/test.txt": "--requirement=base.txt\n--requirement lint.txt\npytest\n",
        "requirements/lint.txt": "-rbase.txt\nruff\n",
    }
    reading = _read(tmp_path, files, main="requirements/test.txt")
    assert reading.errors == []
    found = [(d.name, d.scope, d.evidence.file, d.evidence.line) for d in reading.dependencies]
    assert sorted(found) == [
        ("pytest", "dev", "requirements/test.txt", 3),
        ("ruff", "dev", "requirements/lint.txt", 2),
        ("sqlalchemy", "runtime", "requirements/base.txt", 1),
    ]


def test_includes_are_relative_to_the_including_files_folder(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "-r requirements/prod.txt\n",
        "requirements/prod.txt": "-r ../common/base.txt\ngunicorn\n",
        "common/base.txt": "django\n",
    }
    reading = _read(tmp_path, files)
    assert reading.errors == []
    assert sorted((d.name, d.evidence.file) for d in reading.dependencies) == [
        ("django", "common/base.txt"),
        ("gunicorn", "requirements/prod.txt"),
    ]


def test_constraint_files_give_constraint_only_dependencies(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "-c constraints.txt\n--constraint=more.txt\ncelery\n",
        "constraints.txt": "urllib3<3\n",
        "more.txt": "kombu==5.3.4\n",
    }
    reading = _read(tmp_path, files)
    assert reading.errors == []
    by_name = _by_name(reading)
    assert by_name["celery"].constraint_only is False
    urllib3 = by_name["urllib3"]
    assert (urllib3.constraint_only, urllib3.specifier) == (True, "<3")
    assert (urllib3.evidence.kind, urllib3.evidence.file) == ("constraint", "constraints.txt")
    assert by_name["kombu"].constraint_only is True
    assert reading.locked == []


def test_an_include_cycle_is_reported_at_the_include_line(tmp_path: Path) -> None:
    files = {"a.txt": "flask\n-r b.txt\n", "b.txt": "click\n\n-r a.txt\n"}
    reading = _read(tmp_path, files, main="a.txt")
    assert sorted(d.name for d in reading.dependencies) == ["click", "flask"]
    assert reading.errors == [
        DetectionError(file="b.txt", line=3, message="include cycle: a.txt -> b.txt -> a.txt")
    ]


def test_a_file_including_itself_is_a_cycle(tmp_path: Path) -> None:
    reading = _read(tmp_path, {"requirements.txt": "-r requirements.txt\nflask\n"})
    assert _lines(reading) == [("flask", 2)]
    (error,) = reading.errors
    assert (error.line, error.message) == (
        1,
        "include cycle: requirements.txt -> requirements.txt",
    )


def test_a_missing_include_is_reported_at_its_line(tmp_path: Path) -> None:
    reading = _read(tmp_path, {"requirements.txt": "flask\n-r nowhere.txt\nclick\n"})
    assert _lines(reading) == [("flask", 1), ("click", 3)]
    assert reading.errors == [
        DetectionError(
            file="requirements.txt", line=2, message="cannot include 'nowhere.txt': file not found"
        )
    ]


def test_an_include_of_a_folder_is_reported_at_the_include_line(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    reading = _read(tmp_path, {"requirements.txt": "-r reqs\n"})
    (error,) = reading.errors
    assert (error.file, error.line) == ("requirements.txt", 1)
    assert error.message.startswith("cannot include 'reqs': cannot read")


def test_includes_outside_the_workspace_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret-package\n", encoding="utf-8")
    text = f"-r ../outside.txt\n-c {outside}\n"
    workspace = _workspace(tmp_path / "ws", {"requirements.txt": text})
    reading = read_requirements(workspace, workspace.root / "requirements.txt")
    assert reading.dependencies == []
    assert reading.errors == [
        DetectionError(
            file="requirements.txt",
            line=1,
            message="cannot include '../outside.txt': outside the workspace; not read",
        ),
        DetectionError(
            file="requirements.txt",
            line=2,
            message=f"cannot include '{outside}': outside the workspace; not read",
        ),
    ]


def test_a_symlinked_include_pointing_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("secret-package\n", encoding="utf-8")
    workspace = _workspace(tmp_path / "ws", {"requirements.txt": "-r link.txt\n"})
    (workspace.root / "link.txt").symlink_to(tmp_path / "outside.txt")
    reading = read_requirements(workspace, workspace.root / "requirements.txt")
    assert reading.dependencies == []
    (error,) = reading.errors
    assert (error.line, error.message) == (
        1,
        "cannot include 'link.txt': outside the workspace; not read",
    )


def test_remote_includes_are_ignored(tmp_path: Path) -> None:
    text = "-r https://example.com/requirements.txt\n-c http://example.com/c.txt\nflask\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.errors == []
    assert _lines(reading) == [("flask", 3)]


def test_an_include_option_without_a_file_is_reported(tmp_path: Path) -> None:
    reading = _read(tmp_path, {"requirements.txt": "flask\n-r\n--constraint\n"})
    assert [(e.line, e.message) for e in reading.errors] == [
        (2, "option -r needs a value"),
        (3, "option -c needs a value"),
    ]


def test_shared_seen_set_reads_each_file_once(tmp_path: Path) -> None:
    workspace = _workspace(
        tmp_path,
        {
            "requirements.txt": "-r base.txt\nflask\n",
            "base.txt": "click\n",
            "dev.txt": "-r base.txt\n",
        },
    )
    seen: set[Path] = set()
    first = read_requirements(workspace, workspace.root / "requirements.txt", seen)
    assert sorted(d.name for d in first.dependencies) == ["click", "flask"]
    assert seen == {workspace.root / "requirements.txt", workspace.root / "base.txt"}
    assert read_requirements(workspace, workspace.root / "base.txt", seen) == ManifestReading()
    dev = read_requirements(workspace, workspace.root / "dev.txt", seen)
    assert dev.dependencies == []
    assert dev.errors == []
    assert workspace.root / "dev.txt" in seen


def test_a_file_included_twice_is_read_once(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "-r a.txt\n-r b.txt\n",
        "a.txt": "-r common.txt\n",
        "b.txt": "-r common.txt\n",
        "common.txt": "attrs\n",
    }
    reading = _read(tmp_path, files)
    assert reading.errors == []
    assert _lines(reading) == [("attrs", 1)]


# --- compiled files ---------------------------------------------------------------------

PIP_COMPILE_OUTPUT = """\
#
# This file is autogenerated by pip-compile with Python 3.12
# by the following command:
#
#    pip-compile --generate-hashes requirements.in
#
--index-url https://pypi.org/simple

asgiref==3.8.1 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
    # via django
django==5.0.4 \\
    --hash=sha256:cccc
    # via -r requirements.in
sqlparse==0.5.0 \\
    --hash=sha256:dddd
    # via
    #   -r requirements.in
    #   django
typing-extensions==4.11.0 ; python_version < "3.11" \\
    --hash=sha256:eeee
    # via asgiref

# The following packages are considered to be unsafe in a requirements file:
# setuptools
"""


def test_pip_compile_output_is_a_lock_with_direct_entries_as_dependencies(
    tmp_path: Path,
) -> None:
    reading = _read(tmp_path, {"requirements.txt": PIP_COMPILE_OUTPUT})
    assert reading.errors == []
    assert [(lv.name, lv.version, lv.evidence.line) for lv in reading.locked] == [
        ("asgiref", "3.8.1", 9),
        ("django", "5.0.4", 13),
        ("sqlparse", "0.5.0", 16),
        ("typing-extensions", "4.11.0", 21),
    ]
    django_lock = reading.locked[1]
    assert (django_lock.evidence.kind, django_lock.evidence.detail) == ("pinned", "5.0.4")
    assert django_lock.evidence.file == "requirements.txt"
    assert [(d.name, d.pinned, d.evidence.line) for d in reading.dependencies] == [
        ("django", "5.0.4", 13),
        ("sqlparse", "0.5.0", 16),
    ]


def test_uv_output_with_one_line_via_annotations(tmp_path: Path) -> None:
    text = (
        "# This file was autogenerated by uv via the following command:\n"
        "#    uv pip compile requirements.in -o requirements.txt\n"
        "anyio==4.3.0\n"
        "    # via\n"
        "    #   httpx\n"
        "    #   starlette\n"
        "fastapi==0.110.0\n"
        "    # via -r requirements.in\n"
        "httpx==0.27.0\n"
        "    # via -r requirements/base.in\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert [lv.name for lv in reading.locked] == ["anyio", "fastapi", "httpx"]
    assert _lines(reading) == [("fastapi", 7), ("httpx", 9)]


def test_old_inline_via_annotations_are_understood(tmp_path: Path) -> None:
    text = (
        "#\n# This file is autogenerated by pip-compile\n#\n"
        "asgiref==3.2.10           # via django\n"
        "django==3.1.0             # via -r requirements.in\n"
        "pytz==2020.1              # via django\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert [lv.name for lv in reading.locked] == ["asgiref", "django", "pytz"]
    assert _lines(reading) == [("django", 5)]


def test_unannotated_entries_of_an_annotated_lock_are_direct(tmp_path: Path) -> None:
    # Older pip-compile and uv wrote no "# via" under what the input file asked for.
    text = (
        "# This file was autogenerated by uv via the following command:\n"
        "#    uv pip compile requirements.in\n"
        "blinker==1.7.0\n"
        "    # via flask\n"
        "flask==3.0.0\n"
        "itsdangerous==2.1.2\n"
        "    # via flask\n"
    )
    reading = _read(tmp_path, {"requirements.txt": text})
    assert len(reading.locked) == 3
    assert _lines(reading) == [("flask", 5)]


def test_via_annotations_alone_mark_a_lock(tmp_path: Path) -> None:
    text = "click==8.1.7\n    # via flask\nflask==3.0.3\n    # via -r requirements.in\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert [lv.name for lv in reading.locked] == ["click", "flask"]
    assert _lines(reading) == [("flask", 3)]


def test_a_txt_next_to_its_in_file_is_a_lock_without_dependencies(tmp_path: Path) -> None:
    files = {"requirements.in": "django\n", "requirements.txt": "asgiref==3.8.1\ndjango==5.0.4\n"}
    reading = _read(tmp_path, files)
    assert reading.dependencies == []
    assert [(lv.name, lv.version, lv.evidence.line) for lv in reading.locked] == [
        ("asgiref", "3.8.1", 1),
        ("django", "5.0.4", 2),
    ]
    source = _read(tmp_path, {}, main="requirements.in")
    assert _lines(source) == [("django", 1)]
    assert source.locked == []


def test_a_header_without_annotations_gives_only_locked_versions(tmp_path: Path) -> None:
    text = "# This file is autogenerated by pip-compile with Python 3.11\nflask==3.0.3\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.dependencies == []
    assert [lv.name for lv in reading.locked] == ["flask"]


def test_via_another_lock_is_transitive(tmp_path: Path) -> None:
    # pallets-style: dev.in includes tests.txt, itself compiled from tests.in.
    files = {
        "requirements/tests.in": "pytest\n",
        "requirements/tests.txt": "iniconfig==2.0.0\n    # via pytest\npytest==8.1.1\n"
        "    # via -r tests.in\n",
        "requirements/dev.in": "-r tests.txt\ntox\n",
        "requirements/dev.txt": (
            "# This file is autogenerated by pip-compile with Python 3.12\n"
            "iniconfig==2.0.0\n    # via\n    #   -r tests.txt\n    #   pytest\n"
            "pytest==8.1.1\n    # via -r tests.txt\n"
            "tox==4.14.2\n    # via -r dev.in\n"
        ),
    }
    reading = _read(tmp_path, files, main="requirements/dev.txt")
    assert [lv.name for lv in reading.locked] == ["iniconfig", "pytest", "tox"]
    # tox comes via -r dev.in, which is present and declares it itself
    assert _lines(reading) == []


def test_an_in_file_including_a_lock_takes_only_its_pins(tmp_path: Path) -> None:
    files = {
        "requirements/tests.in": "pytest\n",
        "requirements/tests.txt": "iniconfig==2.0.0\n    # via pytest\npytest==8.1.1\n"
        "    # via -r tests.in\n",
        "requirements/dev.in": "-r tests.txt\ntox\n",
    }
    reading = _read(tmp_path, files, main="requirements/dev.in")
    # pytest is declared by tests.in (read on its own by detection), not by the lock
    assert sorted((d.name, d.evidence.file) for d in reading.dependencies) == [
        ("tox", "requirements/dev.in"),
    ]
    assert [lv.name for lv in reading.locked] == ["iniconfig", "pytest"]


def test_a_compiled_constraint_file_gives_locks_and_constraints(tmp_path: Path) -> None:
    files = {
        "requirements.in": "django\n",
        "requirements.txt": "asgiref==3.8.1\n    # via django\ndjango==5.0.4\n"
        "    # via -r requirements.in\n",
        "requirements-dev.in": "-c requirements.txt\npytest-django\n",
    }
    reading = _read(tmp_path, files, main="requirements-dev.in")
    assert [lv.name for lv in reading.locked] == ["asgiref", "django"]
    constraints = [(d.name, d.constraint_only) for d in reading.dependencies]
    assert constraints == [("asgiref", True), ("django", True), ("pytest-django", False)]


def test_a_hand_written_pinned_file_is_not_a_lock(tmp_path: Path) -> None:
    text = "# production pins\nDjango==4.2.11\npsycopg[binary]==3.1.18\n"
    reading = _read(tmp_path, {"requirements.txt": text})
    assert reading.locked == []
    assert [(d.name, d.pinned) for d in reading.dependencies] == [
        ("django", "4.2.11"),
        ("psycopg", "3.1.18"),
    ]


def test_is_compiled_requirements_recognises_tool_output() -> None:
    assert is_compiled_requirements("# This file is autogenerated by pip-compile\nx==1\n")
    assert is_compiled_requirements("#    uv pip compile requirements.in\nx==1\n")
    assert is_compiled_requirements("# This file was autogenerated by uv via the\nx==1\n")
    assert is_compiled_requirements("x==1\n    # via y\n")
    assert is_compiled_requirements("x==1  # via y\n")
    assert not is_compiled_requirements("# pinned by hand\nx==1\ny>=2\n")
    assert not is_compiled_requirements("# run pip-compile upgrades weekly? no\nx==1\n")


def test_logical_lines_split_comments_and_join_continuations() -> None:
    lines = logical_lines("a \\\n  b  # note\n# full\n\nurl#egg=x\n")
    assert [(line.number, line.content, line.comment) for line in lines] == [
        (1, "a   b", "note"),
        (3, "", "full"),
        (4, "", None),
        (5, "url#egg=x", None),
        (6, "", None),
    ]
