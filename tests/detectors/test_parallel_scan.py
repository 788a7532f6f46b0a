"""A cold detection of a large tree may share the import scan with forked children (the CLI
asks for it); the result must be exactly the serial one, errors included."""

from __future__ import annotations

from pathlib import Path

from stackskills.detectors.detect import PARALLEL_SCAN_FROM, detect
from stackskills.detectors.python_scan import _collect, scan_python_file, scan_python_files
from stackskills.detectors.source import Workspace
from stackskills.detectors.walk import walk

FRAMEWORKS = ("django", "flask", "fastapi", "sqlalchemy", "httpx")


def _large_tree(root: Path) -> None:
    (root / "requirements.txt").write_text("django==5.1.4\n")
    for index in range(PARALLEL_SCAN_FROM + 50):
        package = root / f"pkg{index % 7}"
        package.mkdir(exist_ok=True)
        framework = FRAMEWORKS[index % len(FRAMEWORKS)]
        (package / f"module_{index}.py").write_text(
            f"import os\nfrom {framework} import thing_{index}\n\n\ndef f():\n    return os\n"
        )
    (root / "pkg0" / "binary.py").write_bytes(b"import django\x00\n")
    (root / "pkg1" / "latin.py").write_bytes(b"import flask\n# \xff\xfe\n")


def test_parallel_scan_gives_the_serial_result(tmp_path: Path) -> None:
    _large_tree(tmp_path)
    serial = detect(tmp_path, use_cache=False, workers=1).to_dict()
    parallel = detect(tmp_path, use_cache=False, workers=3).to_dict()
    assert parallel == serial
    assert {f["name"] for f in serial["frameworks"]} >= set(FRAMEWORKS)
    assert {e["file"] for e in serial["errors"]} == {"pkg0/binary.py", "pkg1/latin.py"}


def test_scan_python_files_keeps_the_order_of_the_files(tmp_path: Path) -> None:
    _large_tree(tmp_path)
    tree = walk(tmp_path)
    workspace = Workspace.at(tmp_path)
    sizes = {entry.rel: entry.size for entry in tree.files}
    todo = [(rel, sizes[rel]) for rel in tree.python_files]
    expected = [scan_python_file(workspace, tree, rel, size) for rel, size in todo]
    assert scan_python_files(workspace, tree, todo, 2) == expected


def test_a_share_no_child_delivered_is_scanned_here(tmp_path: Path) -> None:
    _large_tree(tmp_path)
    tree = walk(tmp_path)
    workspace = Workspace.at(tmp_path)
    sizes = {entry.rel: entry.size for entry in tree.files}
    share = [(rel, sizes[rel]) for rel in tree.python_files[:5]]
    found = _collect(workspace, tree, share, None)
    assert found == {rel: scan_python_file(workspace, tree, rel, size) for rel, size in share}
