"""Shared fixtures: every test caches detections in a folder of its own, and skill folders
are written to disk for the loader and validator to read."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SKILL_MD = """\
---
name: {name}
description: Test guidance for a demo stack; use it when testing stackskills.
version: {version}
license: MIT
---

# Demo

{links}
"""

SECTION_MD = """\
---
id: {id}
title: A demo section
summary: One line that says what to do.
applies_to: {applies_to}
---

Some advice.
"""


def write_skill(
    root: Path,
    name: str = "demo",
    version: str = "1.0.0",
    sections: dict[str, str] | None = None,
    skill_md: str | None = None,
) -> Path:
    """A skill folder ``root/name`` whose SKILL.md links every section given."""
    folder = root / name
    (folder / "sections").mkdir(parents=True)
    if sections is None:
        sections = {"demo.topic": SECTION_MD.format(id="demo.topic", applies_to="[python]")}
    links = "\n".join(f"- [{sid}](sections/{sid}.md)" for sid in sections)
    text = (
        skill_md
        if skill_md is not None
        else SKILL_MD.format(name=name, version=version, links=links)
    )
    (folder / "SKILL.md").write_text(text, encoding="utf-8")
    for section_id, body in sections.items():
        (folder / "sections" / f"{section_id}.md").write_text(
            textwrap.dedent(body), encoding="utf-8"
        )
    return folder


@pytest.fixture(autouse=True)
def isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Each test gets its own detection cache, so no test sees another's results."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("STACKSKILLS_CACHE_DIR", str(directory))
    yield directory


@pytest.fixture
def make_skill(tmp_path: Path) -> Callable[..., Path]:
    """``make_skill(name=..., version=..., sections={id: text})`` under ``tmp_path/skills``."""

    def make(**kwargs: object) -> Path:
        root = tmp_path / "skills"
        root.mkdir(exist_ok=True)
        return write_skill(root, **kwargs)  # type: ignore[arg-type]

    return make
