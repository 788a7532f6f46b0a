"""Fit active sections into a token budget, most important first.

An assistant's context is finite: the server hands over what fits, chosen by the section's
declared priority, then by how specific it is to the stack (framework sections before general
Python ones), and says what it left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from stackskills.skills.activation import ActiveSection
from stackskills.skills.requirements import PYTHON

DEFAULT_BUDGET_TOKENS = 8000
"""About a twentieth of a typical context window: room for the stack's core advice."""


@dataclass(frozen=True)
class Bundle:
    sections: list[ActiveSection] = field(default_factory=list)
    omitted: list[ActiveSection] = field(default_factory=list)
    budget_tokens: int = DEFAULT_BUDGET_TOKENS

    @property
    def tokens(self) -> int:
        return sum(section.tokens for section in self.sections)


def _framework_specific(active: ActiveSection) -> bool:
    return any(match.name != PYTHON for match in active.matches)


def priority_key(active: ActiveSection) -> tuple[int, int, str]:
    section = active.section
    return (-section.priority, 0 if _framework_specific(active) else 1, section.id)


def bundle(sections: Iterable[ActiveSection], budget_tokens: int) -> Bundle:
    """Greedy by priority: take each section that still fits, skip (and list) the rest."""
    chosen: list[ActiveSection] = []
    omitted: list[ActiveSection] = []
    used = 0
    for active in sorted(sections, key=priority_key):
        if used + active.tokens <= budget_tokens:
            chosen.append(active)
            used += active.tokens
        else:
            omitted.append(active)
    return Bundle(sections=chosen, omitted=omitted, budget_tokens=budget_tokens)
