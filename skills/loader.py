"""Load one skill folder into a ``Skill``, turning every defect into a ``SkillProblem``.

Loading is what the server and the CLI do on every start, so it reads only the front matter and
the bodies; the slower checks (examples parse, links resolve) live in ``validate``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stackskills.detectors.source import open_regular_file, within_root
from stackskills.skills.frontmatter import FrontMatterError, MarkdownDocument, split_front_matter
from stackskills.skills.model import (
    Section,
    SectionFrontMatter,
    Skill,
    SkillFrontMatter,
    Variant,
)
from stackskills.skills.problems import SkillProblem
from stackskills.skills.requirements import applies_to_problems, parse_applies_to

SKILL_FILE = "SKILL.md"
SECTIONS_DIR = "sections"
MAX_FILE_BYTES = 512 * 1024
"""A section is a page of guidance; anything bigger is a mistake, not content."""


class SkillLoad:
    """The outcome of loading a folder: the skill when it is usable, and every problem."""

    def __init__(self, skill: Skill | None, problems: list[SkillProblem]) -> None:
        self.skill = skill
        self.problems = problems


def read_markdown(
    path: Path, shown: str, problems: list[SkillProblem], within: Path | None = None
) -> MarkdownDocument | None:
    """Read and split one Markdown file; a problem is recorded instead of raising.

    ``within`` (a workspace skill's real folder) is where the file must resolve: a section
    linked to ``~/.ssh/config`` is not read. A FIFO is refused instead of waited on.
    """
    if within is not None and not within_root(Path(os.path.realpath(path)), within):
        message = "symlink points outside its skill folder; not read"
        problems.append(SkillProblem(file=shown, message=message))
        return None
    try:
        with open_regular_file(path) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.append(SkillProblem(file=shown, message=f"cannot read: {exc.strerror or exc}"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(SkillProblem(file=shown, message="file is larger than 512 KiB"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(SkillProblem(file=shown, line=line, message="not valid UTF-8"))
        return None
    try:
        return split_front_matter(text)
    except FrontMatterError as exc:
        problems.append(SkillProblem(file=shown, line=exc.line, message=str(exc)))
        return None


def pydantic_problems(
    exc: ValidationError, document: MarkdownDocument, shown: str
) -> list[SkillProblem]:
    """One ``file:line: message`` per pydantic error, at the line where the field is written."""
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        field_name = _field_path(loc)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            text = f"unknown field {field_name!r}"
        elif error["type"] == "missing":
            text = f"missing required field {field_name!r}"
        else:
            text = f"field {field_name!r}: {message}"
        line = document.line_of(loc) if error["type"] != "missing" else 1
        problems.append(SkillProblem(file=shown, line=line, message=text))
    return problems


def _field_path(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def load_skill(
    folder: Path, *, source: str, shown_root: Path | None = None, confined: bool = False
) -> SkillLoad:
    """Load ``folder`` (holding ``SKILL.md``); problems name paths from ``shown_root``.

    ``confined``: every file must resolve inside ``folder`` (a workspace's skill).
    """
    base = shown_root if shown_root is not None else folder.parent
    within = Path(os.path.realpath(folder)) if confined else None
    problems: list[SkillProblem] = []

    def shown(path: Path) -> str:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()

    skill_path = folder / SKILL_FILE
    document = read_markdown(skill_path, shown(skill_path), problems, within)
    if document is None:
        return SkillLoad(None, problems)
    try:
        meta = SkillFrontMatter.model_validate(document.data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, document, shown(skill_path)))
        return SkillLoad(None, problems)
    if meta.name != folder.name:
        problems.append(
            SkillProblem(
                file=shown(skill_path),
                line=document.line_of(("name",)),
                message=f"name {meta.name!r} must equal the folder name {folder.name!r}",
            )
        )
    sections = _load_sections(folder / SECTIONS_DIR, meta, shown, problems, within)
    skill = Skill(
        name=meta.name,
        version=meta.version,
        description=meta.description,
        license=meta.license,
        overview=document.body,
        overview_line=document.body_line,
        path=folder,
        source=source,
        sections=tuple(sections),
        front_matter=meta,
    )
    return SkillLoad(skill, problems)


def _load_sections(
    folder: Path,
    meta: SkillFrontMatter,
    shown: Any,
    problems: list[SkillProblem],
    within: Path | None = None,
) -> list[Section]:
    try:
        files = sorted(entry for entry in folder.iterdir() if entry.suffix == ".md")
    except FileNotFoundError:
        return []
    except OSError as exc:
        problems.append(SkillProblem(file=shown(folder), message=f"cannot list: {exc.strerror}"))
        return []
    sections: list[Section] = []
    seen: dict[str, str] = {}
    for path in files:
        section = load_section(path, meta, shown(path), problems, within)
        if section is None:
            continue
        if section.id in seen:
            problems.append(
                SkillProblem(
                    file=shown(path),
                    line=2,
                    message=f"duplicate section id {section.id!r} (also in {seen[section.id]})",
                )
            )
            continue
        seen[section.id] = shown(path)
        sections.append(section)
    return sections


def load_section(
    path: Path,
    meta: SkillFrontMatter,
    shown: str,
    problems: list[SkillProblem],
    within: Path | None = None,
) -> Section | None:
    document = read_markdown(path, shown, problems, within)
    if document is None:
        return None
    try:
        front = SectionFrontMatter.model_validate(document.data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, document, shown))
        return None
    gate_problems: list[tuple[tuple[str | int, ...], str]] = [
        (("applies_to", *where), message)
        for where, message in applies_to_problems(front.applies_to)
    ]
    for index, variant in enumerate(front.variants):
        gate_problems.extend(
            (("variants", index, "applies_to", *where), message)
            for where, message in applies_to_problems(variant.applies_to)
        )
    if gate_problems:
        problems.extend(
            SkillProblem(
                file=shown,
                line=document.line_of(where),
                message=f"field {_field_path(where)!r}: {message}",
            )
            for where, message in gate_problems
        )
        return None
    if path.stem != front.id:
        problems.append(
            SkillProblem(
                file=shown,
                line=document.line_of(("id",)),
                message=f"id {front.id!r} must equal the file name {path.stem!r} without '.md'",
            )
        )
    names = [variant.name for variant in front.variants]
    for index, name in enumerate(names):
        if name in names[:index]:
            problems.append(
                SkillProblem(
                    file=shown,
                    line=document.line_of(("variants", index)),
                    message=f"duplicate variant name {name!r}",
                )
            )
    return Section(
        id=front.id,
        title=front.title,
        summary=front.summary,
        applies_to=parse_applies_to(front.applies_to),
        variants=tuple(
            Variant(name=variant.name, applies_to=parse_applies_to(variant.applies_to))
            for variant in front.variants
        ),
        tags=tuple(front.tags),
        priority=front.priority,
        rules=tuple(front.rules),
        body=document.body,
        path=path,
        body_line=document.body_line,
        skill=meta.name,
        skill_version=meta.version,
    )
