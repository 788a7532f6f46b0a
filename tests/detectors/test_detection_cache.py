"""The cache: an unchanged tree is answered without reading files; changes are seen;
a corrupt cache is only a miss."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stackskills.detectors.cache import DetectionCache
from stackskills.detectors.detect import detect


def _project(root: Path) -> None:
    (root / "requirements.txt").write_text("flask==3.0.3\n")
    (root / "app.py").write_text("import requests\n")


def _cache_files(directory: Path) -> list[str]:
    return sorted(p.name.split(".", 1)[1] for p in directory.iterdir())


def test_cache_lives_outside_the_workspace(tmp_path: Path, isolated_cache: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    _project(root)
    detect(root)
    assert sorted(p.name for p in root.iterdir()) == ["app.py", "requirements.txt"]
    assert _cache_files(isolated_cache) == ["scans.json", "stack.json"]


def test_unchanged_tree_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    first = detect(tmp_path)
    opened: list[str] = []
    real_open = os.open

    def spy(path: str, *args: int) -> int:
        opened.append(str(path))
        return real_open(path, *args)

    monkeypatch.setattr(os, "open", spy)
    second = detect(tmp_path)
    assert second == first
    assert not [p for p in opened if p.startswith(str(tmp_path))]


def test_changed_requirement_is_seen(tmp_path: Path) -> None:
    _project(tmp_path)
    assert detect(tmp_path).framework("flask") is not None
    (tmp_path / "requirements.txt").write_text("django==5.1.4\n")
    stack = detect(tmp_path)
    assert stack.framework("flask") is None
    django = stack.framework("django")
    assert django is not None and django.version == "5.1.4"


def test_new_python_file_in_a_subfolder_is_seen(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "pkg").mkdir()
    detect(tmp_path)
    (tmp_path / "pkg" / "jobs.py").write_text("import celery\n")
    assert detect(tmp_path).framework("celery") is not None


def test_removed_file_is_seen(tmp_path: Path) -> None:
    _project(tmp_path)
    assert detect(tmp_path).framework("requests") is not None
    (tmp_path / "app.py").unlink()
    assert detect(tmp_path).framework("requests") is None


def test_same_size_edit_is_seen_through_the_mtime(tmp_path: Path) -> None:
    _project(tmp_path)
    detect(tmp_path)
    target = tmp_path / "app.py"
    stamp = target.stat().st_mtime_ns
    replacement = "import tornado\n\n"
    assert len(replacement) == len(target.read_text())
    target.write_text(replacement)
    os.utime(target, ns=(stamp + 10_000_000, stamp + 10_000_000))
    stack = detect(tmp_path)
    assert stack.framework("requests") is None
    assert stack.framework("tornado") is not None


@pytest.mark.parametrize(
    "garbage", [b"", b"{not json", b"[1, 2, 3]", b'{"version": 1}', b"\xff\xfe"]
)
def test_corrupt_cache_is_a_miss_not_a_crash(
    tmp_path: Path, isolated_cache: Path, garbage: bytes
) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    _project(root)
    detect(root)
    for entry in isolated_cache.iterdir():
        entry.write_bytes(garbage)
    stack = detect(root)
    assert stack.framework("flask") is not None and stack.framework("requests") is not None


def test_unwritable_cache_folder_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    root = tmp_path / "ws"
    root.mkdir()
    _project(root)
    stack = detect(root, cache=DetectionCache(blocker / "cache"))
    assert stack.framework("flask") is not None


def test_no_cache_mode_neither_reads_nor_writes(tmp_path: Path, isolated_cache: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    _project(root)
    detect(root, use_cache=False)
    assert list(isolated_cache.iterdir()) == []


def test_stack_to_dict_equals_the_generic_dataclass_conversion(tmp_path: Path) -> None:
    from dataclasses import asdict

    (tmp_path / "requirements.txt").write_text("django==5.1.4\npytest>=8\n")
    (tmp_path / "manage.py").write_text("import django\n")
    stack = detect(tmp_path, use_cache=False)
    generic = asdict(stack)
    assert stack.to_dict() == {"schema": generic.pop("schema"), **generic}
    assert next(iter(stack.to_dict())) == "schema"
