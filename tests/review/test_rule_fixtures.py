"""Each rule's fixture file says, line by line, what must be flagged; the review must find
exactly those (line, code) pairs — no more, no less.

A fixture's first lines may set what it is judged against:
``# stack: django==5.1, pydantic==2.9`` and ``# python: 3.12``. Without them a fixture is a
lone snippet, judged by its own imports on the newest Python.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stackskills.review.engine import Reviewer
from stackskills.review.registry import all_rules
from stackskills.review.target import parse_python, stack_from_spec

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)")
HEADER = re.compile(r"^#\s*(stack|python):\s*(.*)$")


def expected_pairs(text: str) -> set[tuple[int, str]]:
    pairs: set[tuple[int, str]] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            pairs.update((number, code.strip()) for code in match[1].split(","))
    return pairs


def reviewer_for(text: str) -> Reviewer:
    settings = {}
    for line in text.splitlines()[:5]:
        match = HEADER.match(line)
        if match:
            settings[match[1]] = match[2].strip()
    stack = stack_from_spec(settings["stack"]) if "stack" in settings else None
    return Reviewer(stack=stack, python=parse_python(settings.get("python")))


FIXTURE_FILES = sorted(FIXTURES.glob("*.py"))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[path.stem for path in FIXTURE_FILES])
def test_fixture_findings_are_exactly_the_expected_ones(fixture: Path) -> None:
    text = fixture.read_text(encoding="utf-8")
    result = reviewer_for(text).review_source(text, fixture.name)
    assert result.errors == []
    found = {(finding.line, finding.rule) for finding in result.findings}
    expected = expected_pairs(text)
    assert sorted(found - expected) == [], "flagged but not expected"
    assert sorted(expected - found) == [], "expected but not flagged"


def test_every_rule_has_a_fixture_with_an_expected_finding() -> None:
    expected_codes: set[str] = set()
    for fixture in FIXTURE_FILES:
        expected_codes.update(code for _, code in expected_pairs(fixture.read_text()))
    missing = [rule.code for rule in all_rules() if rule.code not in expected_codes]
    assert missing == []
