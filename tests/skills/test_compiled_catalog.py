"""The cached catalog is the catalog: same skills and sections, rebuilt when a file changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stackskills.skills.compiled import load_catalog_cached
from stackskills.skills.sources import load_catalog


def _summary(catalog: object) -> list[tuple[str, str, str, list[tuple[str, str, str, int]]]]:
    return [
        (
            skill.name,
            skill.version,
            skill.overview,
            [(s.id, s.body, s.gate_text, s.priority) for s in skill.sections],
        )
        for skill in catalog.skills  # type: ignore[attr-defined]
    ]


def test_cached_catalog_equals_a_fresh_load_and_follows_edits(
    tmp_path: Path, make_skill: Callable[..., Path]
) -> None:
    folder = make_skill(name="team")
    cache = tmp_path / "cache"
    first = load_catalog_cached(cache, workspace=None, extra_dirs=[folder.parent])
    again = load_catalog_cached(cache, workspace=None, extra_dirs=[folder.parent])
    fresh = load_catalog(workspace=None, extra_dirs=[folder.parent])
    assert _summary(first) == _summary(again) == _summary(fresh)
    assert [s.variants for s in again.find("python-expert").sections] == [  # type: ignore[union-attr]
        s.variants
        for s in fresh.find("python-expert").sections  # type: ignore[union-attr]
    ]
    section = folder / "sections" / "demo.topic.md"
    section.write_text(section.read_text().replace("Some advice.", "Changed advice, longer."))
    edited = load_catalog_cached(cache, workspace=None, extra_dirs=[folder.parent])
    assert "Changed advice" in edited.find("team").sections[0].body  # type: ignore[union-attr]


def test_corrupt_cache_entry_is_a_miss(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_catalog_cached(cache, workspace=None)
    for entry in cache.glob("catalog-*.json"):
        entry.write_text("{not json")
    catalog = load_catalog_cached(cache, workspace=None)
    assert catalog.find("python-expert") is not None
