"""Finding sections by a topic in an assistant's own words, or by framework, and fitting the
result in a budget."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stackskills.skills.model import Section
from stackskills.skills.search import (
    WEIGHT_BODY,
    WEIGHT_ID,
    WEIGHT_PHRASE,
    WEIGHT_SUMMARY,
    WEIGHT_TAG,
    WEIGHT_TITLE,
    score_section,
    search_sections,
    sections_for_frameworks,
    take_within_budget,
    topic_words,
)
from stackskills.skills.sources import load_catalog


def _section(section_id: str, title: str, summary: str, tags: str, applies: str, body: str) -> str:
    return (
        f"---\nid: {section_id}\ntitle: {title}\nsummary: {summary}\napplies_to: {applies}\n"
        f"tags: [{tags}]\n---\n\n{body}\n"
    )


def _sections(make_skill: Callable[..., Path]) -> list[Section]:
    folder = make_skill(
        sections={
            "net.deadlines": _section(
                "net.deadlines",
                "Put a deadline on outside calls",
                "Bound each network operation.",
                "timeouts, httpx",
                "[python]",
                "Slow peers hold requests forever. Use a deadline for calls to other services.",
            ),
            "db.queries": _section(
                "db.queries",
                "Load related rows up front",
                "One query per page, not per row.",
                "django, orm",
                '["django>=4.2"]',
                "Loops that query per row are slow; under load they end in timeouts.",
            ),
            "web.blueprints": _section(
                "web.blueprints",
                "Split views into blueprints",
                "Register views on blueprints.",
                "flask",
                '[["flask", "python>=3.9"]]',
                "Blueprints keep imports flat.",
            ),
        }
    )
    catalog = load_catalog(workspace=None, extra_dirs=[folder.parent], built_in=False)
    return list(catalog.skills[0].sections)


def test_topic_words_drop_stopwords_and_plurals() -> None:
    assert topic_words("How do I mock the HTTP clients?") == ["mock", "http", "client"]
    assert topic_words("N+1 queries, queries again") == ["n", "1", "query", "again"]
    assert topic_words("the of and") == []


def test_tags_and_titles_outrank_body_mentions(make_skill: Callable[..., Path]) -> None:
    sections = _sections(make_skill)
    matches = search_sections(sections, "timeouts")
    assert [(m.section.id, m.score) for m in matches] == [
        ("net.deadlines", WEIGHT_TAG),
        ("db.queries", WEIGHT_BODY),
    ]


def test_each_word_counts_where_it_weighs_most_and_phrases_add_a_bonus(
    make_skill: Callable[..., Path],
) -> None:
    deadlines = {s.id: s for s in _sections(make_skill)}["net.deadlines"]
    # "deadline" is in the id (and title), "network" in the summary, "call" in the title.
    assert score_section(deadlines, ["deadline", "network", "call"]) == (
        WEIGHT_ID + WEIGHT_SUMMARY + WEIGHT_TITLE
    )
    phrase = "calls to other services"
    words = topic_words(phrase)
    assert score_section(deadlines, words, phrase) == (
        WEIGHT_TITLE + WEIGHT_BODY + WEIGHT_BODY + WEIGHT_PHRASE
    )


def test_no_match_and_empty_topic_find_nothing(make_skill: Callable[..., Path]) -> None:
    sections = _sections(make_skill)
    assert search_sections(sections, "xylophone") == []
    assert search_sections(sections, "  how to  ") == []


def test_sections_for_frameworks_reads_every_condition(make_skill: Callable[..., Path]) -> None:
    sections = _sections(make_skill)
    assert [s.id for s in sections_for_frameworks(sections, ["Flask"])] == ["web.blueprints"]
    assert [s.id for s in sections_for_frameworks(sections, ["python"])] == [
        "net.deadlines",
        "web.blueprints",
    ]
    assert [s.id for s in sections_for_frameworks(sections, ["Django", "flask"])] == [
        "db.queries",
        "web.blueprints",
    ]
    assert sections_for_frameworks(sections, ["cobol"]) == []


def test_take_within_budget_keeps_order_and_skips_what_does_not_fit() -> None:
    taken, left_out = take_within_budget(["aaaa", "bb", "cccccc", "d"], len, 7)
    assert (taken, left_out) == (["aaaa", "bb", "d"], ["cccccc"])
    assert take_within_budget([], len, 10) == ([], [])
