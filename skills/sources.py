"""Where skills come from: the built-in ones, ``--skills-dir`` folders and the workspace's
``.stackskills/skills/``; which version of each is in use, and what clashed.

The same name and version in two places is an error naming both (which one would be served
is a guess); a newer version of a built-in skill shadows it, and the catalog says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from stackskills.skills.loader import load_skill
from stackskills.skills.places import BUILT_IN, WORKSPACE, inside, skill_places
from stackskills.skills.problems import SkillProblem
from stackskills.skills.records import SkillCatalog as SkillCatalog
from stackskills.skills.validate import skill_folders


def load_catalog(
    *,
    workspace: Path | None,
    extra_dirs: Iterable[Path] = (),
    built_in: bool = True,
    more_workspaces: Iterable[Path] = (),
) -> SkillCatalog:
    """Load every skill; problems in one folder never stop the others from loading.

    A workspace's skills are its content, not the user's configuration: a skill folder
    linked out of ``.stackskills/skills`` is skipped, and each file of a skill must lie
    inside its skill folder (the same rule the server applies when serving the file).
    """
    catalog = SkillCatalog()
    places = skill_places(workspace, extra_dirs, built_in, more_workspaces=more_workspaces)
    where: dict[str, str] = {}
    for folder, source in places:
        if not folder.is_dir():
            catalog.problems.append(SkillProblem(file=str(folder), message="not a folder"))
            continue
        confined = source == WORKSPACE
        for skill_dir in skill_folders(folder):
            if confined and not inside(skill_dir, Path(os.path.realpath(folder))):
                continue
            load = load_skill(skill_dir, source=source, shown_root=folder.parent, confined=confined)
            catalog.problems.extend(load.problems)
            skill = load.skill
            if skill is None:
                continue
            here = f"{source}: {skill_dir}"
            if skill.key in where:
                catalog.problems.append(
                    SkillProblem(
                        file=str(skill_dir / "SKILL.md"),
                        message=f"{skill.key} is defined twice: in {where[skill.key]} "
                        f"and in {here}; only the first is used",
                    )
                )
                continue
            where[skill.key] = here
            catalog.skills.append(skill)
    catalog.notes.extend(_shadowing_notes(catalog))
    return catalog


def _shadowing_notes(catalog: SkillCatalog) -> list[str]:
    notes: list[str] = []
    for name in catalog.names():
        newest = catalog.versions(name)[0]
        if newest.source == BUILT_IN:
            continue
        notes.extend(
            f"{name} {newest.version} from {newest.source} shadows the built-in {older.version}"
            for older in catalog.versions(name)[1:]
            if older.source == BUILT_IN
        )
    return notes
