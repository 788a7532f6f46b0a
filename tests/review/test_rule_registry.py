"""Rules and sections point at each other: every rule is listed by the section it enforces,
every listed code is a real rule, and codes are unique and well formed."""

from __future__ import annotations

import re

from stackskills.review.registry import all_rules
from stackskills.skills.sources import load_catalog

SKILL = load_catalog(workspace=None).find("python-expert")


def test_rule_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in all_rules()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"SKS[1-9]\d\d", code) for code in codes)
    names = [rule.name for rule in all_rules()]
    assert len(names) == len(set(names))


def test_every_rule_is_listed_by_its_section() -> None:
    assert SKILL is not None
    unlisted = []
    for rule in all_rules():
        section = SKILL.section(rule.section)
        assert section is not None, f"{rule.code} enforces unknown section {rule.section}"
        if rule.code not in section.rules:
            unlisted.append(f"{rule.code} -> {rule.section}")
    assert unlisted == []


def test_every_listed_rule_exists_and_enforces_that_section() -> None:
    assert SKILL is not None
    by_code = {rule.code: rule for rule in all_rules()}
    for section in SKILL.sections:
        for code in section.rules:
            assert code in by_code, f"{section.id} lists unknown rule {code}"
            assert by_code[code].section == section.id


def test_every_rule_has_a_summary_sentence() -> None:
    for rule in all_rules():
        assert rule.summary.endswith("."), rule.code
        assert 20 <= len(rule.summary) <= 200, rule.code
