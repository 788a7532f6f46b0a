"""The light paths that spare start-up the import of the full requirement grammar must give
what ``packaging`` gives: the split of a compiled gate, and PEP 503 name normalisation."""

from __future__ import annotations

import random
import string

import pytest
from packaging.utils import canonicalize_name

from stackskills.detectors.names import normalise
from stackskills.review.registry import all_rules
from stackskills.skills.requirements import canonical_name, checked_gate, parse_gate
from stackskills.skills.sources import load_catalog

GATES = [
    "django",
    "django>=4.2",
    "django>=4.2,<5",
    " Django >= 4.2 , < 6.0 ",
    "pydantic==1.*",
    "python>=3.11",
    "sqlalchemy~=2.0",
    "zope.interface!=5.0.1",
    "Flask_SQLAlchemy>=3",
    "django-rest-framework===3.14.0",
    "django (>=4.2)",
    "django[bcrypt]>=4.2",
    "django>=4.2; python_version >= '3.10'",
]


@pytest.mark.parametrize("text", GATES)
def test_a_checked_gate_equals_the_full_parse(text: str) -> None:
    try:
        expected = parse_gate(text)
    except ValueError as exc:  # extras and markers are refused either way
        with pytest.raises(ValueError, match="only a name and a version"):
            checked_gate(text)
        assert "only a name" in str(exc)
        return
    gate = checked_gate(text)
    assert gate == expected
    assert str(gate.specifier) == str(expected.specifier)


def test_every_gate_of_the_skills_and_rules_splits_as_the_full_parse() -> None:
    texts = {text for rule in all_rules() for text in rule.requires}
    texts |= {
        gate.text
        for skill in load_catalog(workspace=None).skills
        for section in skill.sections
        for condition in section.applies_to
        for gate in condition
    }
    assert len(texts) > 10 and any(">=" in text for text in texts)
    for text in texts:
        assert checked_gate(text) == parse_gate(text), text


def test_name_normalisation_is_pep_503_as_packaging_does_it() -> None:
    rng = random.Random(503)
    alphabet = string.ascii_letters + string.digits + "-_."
    names = ["Django", "Flask_SQLAlchemy", "zope.interface", "a--b__c..d", "A-_.B"]
    names += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(2000)]
    for name in names:
        assert normalise(name) == canonical_name(name) == canonicalize_name(name), name
