"""A loaded catalog kept as plain JSON, reused while no skill file changed.

Validating front matter with pydantic costs more than detecting a whole workspace (mostly
pydantic's own import); the result depends only on the skill files, so it is computed once and
read back, without pydantic, until a file's size or mtime changes. Any unreadable or
mismatched cache entry is simply a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stackskills.skills.places import skill_file_stamps, skill_places
from stackskills.skills.problems import SkillProblem
from stackskills.skills.records import Section, Skill, SkillCatalog, Variant
from stackskills.skills.requirements import AppliesTo, checked_gate

FORMAT = 1


def _raw(applies_to: AppliesTo) -> list[list[str]]:
    return [[gate.text for gate in condition] for condition in applies_to]


def _gates(raw: list[list[str]]) -> AppliesTo:
    return tuple(tuple(checked_gate(text) for text in condition) for condition in raw)


def _section_data(section: Section) -> dict[str, Any]:
    return {
        "id": section.id,
        "title": section.title,
        "summary": section.summary,
        "applies_to": _raw(section.applies_to),
        "variants": [{"name": v.name, "applies_to": _raw(v.applies_to)} for v in section.variants],
        "tags": list(section.tags),
        "priority": section.priority,
        "rules": list(section.rules),
        "body": section.body,
        "path": str(section.path),
        "body_line": section.body_line,
        "skill": section.skill,
        "skill_version": section.skill_version,
    }


def _section(data: dict[str, Any]) -> Section:
    return Section(
        id=data["id"],
        title=data["title"],
        summary=data["summary"],
        applies_to=_gates(data["applies_to"]),
        variants=tuple(
            Variant(name=v["name"], applies_to=_gates(v["applies_to"])) for v in data["variants"]
        ),
        tags=tuple(data["tags"]),
        priority=data["priority"],
        rules=tuple(data["rules"]),
        body=data["body"],
        path=Path(data["path"]),
        body_line=data["body_line"],
        skill=data["skill"],
        skill_version=data["skill_version"],
    )


def _skill_data(skill: Skill) -> dict[str, Any]:
    return {
        "name": skill.name,
        "version": skill.version,
        "description": skill.description,
        "license": skill.license,
        "overview": skill.overview,
        "overview_line": skill.overview_line,
        "path": str(skill.path),
        "source": skill.source,
        "sections": [_section_data(section) for section in skill.sections],
    }


def _skill(data: dict[str, Any]) -> Skill:
    return Skill(
        name=data["name"],
        version=data["version"],
        description=data["description"],
        license=data["license"],
        overview=data["overview"],
        overview_line=data["overview_line"],
        path=Path(data["path"]),
        source=data["source"],
        sections=tuple(_section(section) for section in data["sections"]),
    )


def load_catalog_cached(
    cache_dir: Path, *, workspace: Path | None, extra_dirs: Iterable[Path] = ()
) -> SkillCatalog:
    """``load_catalog(...)``, served from ``cache_dir`` while the skill files are unchanged."""
    extra = [Path(folder) for folder in extra_dirs]
    places = skill_places(workspace, extra, built_in=True)
    stamps = skill_file_stamps(places)
    where = json.dumps([[str(path), source] for path, source in places])
    key = hashlib.sha256(f"{FORMAT}\n{where}\n{json.dumps(stamps)}".encode()).hexdigest()
    path = cache_dir / f"catalog-{hashlib.sha256(where.encode()).hexdigest()[:20]}.json"
    try:
        data = json.loads(path.read_bytes())
        if data["key"] == key:
            return SkillCatalog(
                skills=[_skill(item) for item in data["skills"]],
                problems=[SkillProblem(**item) for item in data["problems"]],
                notes=[str(note) for note in data["notes"]],
            )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    from stackskills.skills.sources import load_catalog

    catalog = load_catalog(workspace=workspace, extra_dirs=extra)
    document = {
        "key": key,
        "skills": [_skill_data(skill) for skill in catalog.skills],
        "problems": [problem.__dict__ for problem in catalog.problems],
        "notes": catalog.notes,
    }
    _write(path, document)
    return catalog


def _write(path: Path, document: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(document))
        os.replace(name, path)
    except OSError:
        Path(name).unlink(missing_ok=True)
