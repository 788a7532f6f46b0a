"""How a skill section reads in this workspace, and which sections a request asks for.

Shared by the tools and the prompts so ``get_guidance``, ``review`` and ``section`` always hand
over the same text: the variant that fits the workspace when the section is active, every
variant (marked) when it is not.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from stackskills.server.workspace import WorkspaceView, section_uri
from stackskills.skills.bundle import priority_key
from stackskills.skills.markdown import render_variant
from stackskills.skills.model import Section
from stackskills.skills.search import search_sections, sections_for_frameworks, take_within_budget
from stackskills.skills.tokens import estimate_tokens

Selector = Literal["topic", "frameworks", "section_ids", "active"]


@dataclass(frozen=True)
class SectionReading:
    """One section as this workspace reads it."""

    section: Section
    active: bool
    reason: str
    variant: str | None
    text: str

    @property
    def uri(self) -> str:
        return section_uri(self.section.skill, self.section.id)

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.text)


def read_section(view: WorkspaceView, section: Section) -> SectionReading:
    active = view.active_for(section)
    if active is not None:
        variant = None if active.variant is None else active.variant.name
        return SectionReading(section, True, active.reason, variant, active.text)
    reason = f"not active in this workspace; applies to {section.gate_text}"
    return SectionReading(section, False, reason, None, render_variant(section.body, None))


def find_section(view: WorkspaceView, section_id: str) -> Section | None:
    """The section with this id in the skills in use."""
    return next((s for s in view.sections_in_use() if s.id == section_id), None)


def unknown_section_message(view: WorkspaceView, section_id: str) -> str:
    ids = [section.id for section in view.sections_in_use()]
    close = difflib.get_close_matches(section_id, ids, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown section id {section_id!r}{hint} (list_sections shows every id)"


class SelectionError(ValueError):
    """The request named something that does not exist; the message says what does."""


@dataclass(frozen=True)
class Selection:
    selected_by: Selector
    readings: list[SectionReading]
    left_out: list[SectionReading]


def select_guidance(
    view: WorkspaceView,
    *,
    topic: str | None,
    frameworks: Sequence[str] | None,
    section_ids: Sequence[str] | None,
    budget_tokens: int,
) -> Selection:
    """Sections by id, else by frameworks, else by topic, else the active ones; the first
    given wins, so a precise request is never diluted by a vague one."""
    selected_by: Selector
    if section_ids:
        selected_by = "section_ids"
        sections = []
        for section_id in section_ids:
            section = find_section(view, section_id)
            if section is None:
                raise SelectionError(unknown_section_message(view, section_id))
            sections.append(section)
        readings = [read_section(view, section) for section in sections]
    elif frameworks:
        selected_by = "frameworks"
        matching = sections_for_frameworks(view.sections_in_use(), frameworks)
        if not matching:
            known = sorted(
                {
                    gate.name
                    for section in view.sections_in_use()
                    for condition in section.applies_to
                    for gate in condition
                }
            )
            raise SelectionError(
                f"no section applies to {', '.join(frameworks)}; sections exist for "
                f"{', '.join(known)}"
            )
        readings = _active_first([read_section(view, section) for section in matching])
    elif topic and topic.strip():
        selected_by = "topic"
        matches = search_sections(view.sections_in_use(), topic)
        if not matches:
            raise SelectionError(
                f"no section mentions {topic!r}; try other words, or list_sections for every title"
            )
        # Matches at least half as good as the best, those that fit this workspace first.
        best = matches[0].score
        strong = [match.section for match in matches if match.score >= best / 2]
        readings = _active_first([read_section(view, section) for section in strong])
    else:
        selected_by = "active"
        ordered = sorted(view.active, key=priority_key)
        readings = [read_section(view, active.section) for active in ordered]
    taken, left_out = take_within_budget(readings, lambda r: r.tokens, budget_tokens)
    return Selection(selected_by=selected_by, readings=taken, left_out=left_out)


def _active_first(readings: list[SectionReading]) -> list[SectionReading]:
    return [r for r in readings if r.active] + [r for r in readings if not r.active]
