"""Find skill sections by what an assistant asks about: a topic in its own words, or frameworks.

An assistant asks "how do I put a timeout on an httpx call" or "n+1 queries", not for the id
``async.timeouts``; a small weighted word match over id, tags, title, summary and body finds the
right section without an index or a model, and is deterministic so tests can pin it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from stackskills.skills.model import Section
from stackskills.skills.requirements import canonical_name

_WORD = re.compile(r"[a-z0-9]+")

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "for",
        "from",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "my",
        "of",
        "on",
        "or",
        "should",
        "the",
        "this",
        "to",
        "use",
        "using",
        "what",
        "when",
        "where",
        "which",
        "with",
        "without",
    }
)

# Where a word is found, and how much that says about the section being the right one.
WEIGHT_ID = 4.0
WEIGHT_TAG = 4.0
WEIGHT_TITLE = 3.0
WEIGHT_SUMMARY = 2.0
WEIGHT_BODY = 0.5
WEIGHT_PHRASE = 3.0
"""The whole topic (two words or more) appearing as written in the title, summary or body."""


def _stem(word: str) -> str:
    """A crude singular, so 'timeouts' finds 'timeout' and 'queries' finds 'query'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _stems(text: str) -> set[str]:
    return {_stem(word) for word in _WORD.findall(text.lower())}


def topic_words(topic: str) -> list[str]:
    """The searchable words of a topic, stemmed, stopwords dropped, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(topic.lower()):
        if word not in STOPWORDS:
            seen.setdefault(_stem(word), None)
    return list(seen)


@dataclass(frozen=True)
class SectionMatch:
    section: Section
    score: float


def score_section(section: Section, words: Sequence[str], phrase: str = "") -> float:
    """How well ``section`` answers a topic made of ``words`` (0 when no word is found)."""
    fields = (
        (WEIGHT_ID, _stems(section.id.replace(".", " ").replace("-", " "))),
        (WEIGHT_TAG, set().union(*(_stems(tag.replace("_", " ")) for tag in section.tags))),
        (WEIGHT_TITLE, _stems(section.title)),
        (WEIGHT_SUMMARY, _stems(section.summary)),
        (WEIGHT_BODY, _stems(section.body)),
    )
    score = 0.0
    for word in words:
        score += max((weight for weight, stems in fields if word in stems), default=0.0)
    if score and len(phrase.split()) > 1:
        text = f"{section.title}\n{section.summary}\n{section.body}".lower()
        if phrase.lower() in text:
            score += WEIGHT_PHRASE
    return score


def search_sections(sections: Iterable[Section], topic: str) -> list[SectionMatch]:
    """Sections that mention the topic, best first (score, then declared priority, then id)."""
    words = topic_words(topic)
    if not words:
        return []
    phrase = " ".join(topic.split())
    matches = [
        SectionMatch(section, score)
        for section in sections
        if (score := score_section(section, words, phrase)) > 0
    ]
    return sorted(matches, key=lambda m: (-m.score, -m.section.priority, m.section.id))


def sections_for_frameworks(
    sections: Iterable[Section], frameworks: Iterable[str]
) -> list[Section]:
    """Sections whose ``applies_to`` names one of ``frameworks`` (``python`` names every
    general Python section)."""
    wanted = {canonical_name(name) for name in frameworks}
    return [
        section
        for section in sections
        if any(gate.name in wanted for condition in section.applies_to for gate in condition)
    ]


Item = TypeVar("Item")


def take_within_budget(
    items: Iterable[Item], tokens: Callable[[Item], int], budget_tokens: int
) -> tuple[list[Item], list[Item]]:
    """Keep the given order; take each item that still fits, list the ones that did not."""
    taken: list[Item] = []
    left_out: list[Item] = []
    used = 0
    for item in items:
        size = tokens(item)
        if used + size <= budget_tokens:
            taken.append(item)
            used += size
        else:
            left_out.append(item)
    return taken, left_out
