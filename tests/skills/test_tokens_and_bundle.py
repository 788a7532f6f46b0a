"""Sizes are estimated without a tokenizer and bundles fit a budget, highest priority first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stackskills.detectors.models import Framework, PythonTarget, Stack
from stackskills.skills.activation import activate
from stackskills.skills.bundle import bundle
from stackskills.skills.sources import load_catalog
from stackskills.skills.tokens import estimate_tokens


def test_token_estimate_counts_word_pieces_and_punctuation() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("a cat") == 2
    assert estimate_tokens("select_related") == 5  # select(2), _, related(2)
    assert estimate_tokens("x = f(1)") == 6
    assert estimate_tokens("   \n\t") == 0


def test_token_estimate_is_near_four_characters_per_token_on_prose() -> None:
    text = "Prefetch related rows once instead of querying for each row in the loop. " * 20
    assert 0.18 < estimate_tokens(text) / len(text) < 0.32


def _section(section_id: str, priority: int, words: int, applies: str = "[python]") -> str:
    return (
        f"---\nid: {section_id}\ntitle: T\nsummary: S.\napplies_to: {applies}\n"
        f"priority: {priority}\n---\n\n" + "word " * words + "\n"
    )


def test_bundle_takes_highest_priority_first_and_skips_what_does_not_fit(
    make_skill: Callable[..., Path],
) -> None:
    folder = make_skill(
        sections={
            "demo.big": _section("demo.big", 90, 500),
            "demo.small": _section("demo.small", 40, 10),
            "demo.mid": _section("demo.mid", 60, 100),
            "demo.framework": _section("demo.framework", 60, 100, "[flask]"),
        }
    )
    catalog = load_catalog(workspace=None, extra_dirs=[folder.parent], built_in=False)
    stack = Stack(
        root="/w",
        python=PythonTarget(target="3.12"),
        frameworks=[Framework(name="flask", version="3.0.0", confidence=1.0)],
    )
    active = activate(stack, catalog.skills)
    result = bundle(active, budget_tokens=250)
    assert [a.id for a in result.sections] == ["demo.framework", "demo.mid", "demo.small"]
    assert [a.id for a in result.omitted] == ["demo.big"]
    assert result.tokens <= 250
    assert [a.id for a in bundle(active, budget_tokens=10_000).sections] == [
        "demo.big",
        "demo.framework",
        "demo.mid",
        "demo.small",
    ]
