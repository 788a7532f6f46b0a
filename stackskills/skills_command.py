"""``stackskills skills list|show|validate``: what guidance exists, what it says, and whether a
skill folder is well formed."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from stackskills.detectors.detect import NotADirectory, detect
from stackskills.detectors.models import Stack
from stackskills.skills.activation import ActiveSection, activate
from stackskills.skills.model import Section, Skill
from stackskills.skills.sources import SkillCatalog, load_catalog
from stackskills.skills.tokens import estimate_tokens
from stackskills.skills.validate import validate_path
from stackskills.terminal import notify

USAGE_ERROR = 2


def _error(message: str) -> int:
    print(f"stackskills: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _catalog(workspace: str | None, skills_dirs: Sequence[str]) -> SkillCatalog:
    catalog = load_catalog(
        workspace=Path(workspace) if workspace else None,
        extra_dirs=[Path(folder) for folder in skills_dirs],
    )
    for note in catalog.notes:
        notify(f"note: {note}")
    for problem in catalog.problems:
        notify(f"warning: {problem}")
    return catalog


def _stack(workspace: str) -> Stack | None:
    try:
        return detect(workspace)
    except NotADirectory:
        return None


def run_list(workspace: str, skills_dirs: Sequence[str], output_format: str | None) -> int:
    stack = _stack(workspace)
    if stack is None:
        return _error(f"workspace {workspace!r} is not a folder")
    catalog = _catalog(workspace, skills_dirs)
    in_use = {skill.key for skill in catalog.in_use()}
    rows: list[dict[str, str | int | bool]] = []
    for name in catalog.names():
        for skill in catalog.versions(name):
            active = len(activate(stack, [skill]))
            rows.append(
                {
                    "name": skill.name,
                    "version": skill.version,
                    "source": skill.source,
                    "sections": len(skill.sections),
                    "active": active,
                    "in_use": skill.key in in_use,
                }
            )
    chosen = output_format or ("text" if sys.stdout.isatty() else "json")
    if chosen == "json":
        sys.stdout.write(json.dumps({"workspace": stack.root, "skills": rows}, indent=2) + "\n")
        return 0
    table = [("NAME", "VERSION", "SOURCE", "SECTIONS", "ACTIVE", "")]
    table.extend(
        (
            str(row["name"]),
            str(row["version"]),
            str(row["source"]),
            str(row["sections"]),
            str(row["active"]),
            "" if row["in_use"] else "(not in use: a newer version is)",
        )
        for row in rows
    )
    sys.stdout.write(_table(table) + f"Active counts are for {stack.root}\n")
    return 0


def _table(rows: Sequence[Sequence[object]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def run_show(
    target: str, section_id: str | None, workspace: str, skills_dirs: Sequence[str]
) -> int:
    name, _, version = target.partition("@")
    catalog = _catalog(workspace, skills_dirs)
    skill = catalog.find(name, version or None)
    if skill is None:
        known = ", ".join(f"{s.name}@{s.version}" for s in catalog.skills) or "none"
        return _error(f"no skill {target!r} (known: {known})")
    stack = _stack(workspace)
    active = {a.id: a for a in activate(stack, [skill])} if stack is not None else {}
    if section_id is None:
        sys.stdout.write(render_skill(skill, active))
        return 0
    section = skill.section(section_id)
    if section is None:
        return _error(
            f"{skill.key} has no section {section_id!r}; see 'stackskills skills show {skill.key}'"
        )
    sys.stdout.write(render_section(section, active.get(section_id)))
    return 0


def render_skill(skill: Skill, active: dict[str, ActiveSection]) -> str:
    lines = [f"{skill.name} {skill.version}  ({skill.source}, {skill.license})", ""]
    lines.extend(textwrap.wrap(skill.description, 88))
    lines.append("")
    rows: list[tuple[str, ...]] = [("SECTION", "ACTIVE", "TOKENS", "SUMMARY")]
    rows.extend(
        (
            section.id,
            "yes" if section.id in active else "-",
            str(estimate_tokens(section.body)),
            section.summary,
        )
        for section in skill.sections
    )
    lines.append(_table(rows).rstrip("\n"))
    lines.append("")
    lines.append(f"Read one: stackskills skills show {skill.key} <section>")
    return "\n".join(lines) + "\n"


def render_section(section: Section, active: ActiveSection | None) -> str:
    """A section as a person reads it in a terminal: heading, why it applies, then the text."""
    heading = f"{section.title}  [{section.id} · {section.skill} {section.skill_version}]"
    lines = [heading, "=" * min(len(heading), 88), "", *textwrap.wrap(section.summary, 88), ""]
    lines.append(f"Applies to: {section.gate_text}")
    if active is not None:
        lines.extend(textwrap.wrap(f"Active here: {active.reason}", 88, subsequent_indent="  "))
        body = active.text
    else:
        lines.append(
            "Active here: no (every variant is shown)" if section.variants else "Active here: no"
        )
        from stackskills.skills.markdown import render_variant

        body = render_variant(section.body, None)
    lines.append("")
    lines.append(body.rstrip("\n"))
    return "\n".join(lines) + "\n"


def run_validate(paths: Sequence[str]) -> int:
    for path in paths:
        if not Path(path).is_dir():
            return _error(f"{path!r} is not a folder")
    problems = []
    for path in paths:
        problems.extend(validate_path(Path(path)))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"ok: {', '.join(paths)}", file=sys.stderr)
    return 0
