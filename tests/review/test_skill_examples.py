"""The guidance and the reviewer agree: every good example in the built-in skill yields no
finding, and every bad example yields a finding of its own section.

Each example is judged against the stack its section (and variant) describes: the frameworks
its gate names, at a version the gate allows, on the lowest Python the gate allows.
"""

from __future__ import annotations

import sys

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from stackskills.detectors.models import Framework, PythonTarget, Stack
from stackskills.review.engine import Reviewer
from stackskills.skills.markdown import Example, parse_body
from stackskills.skills.model import Section
from stackskills.skills.python_floor import lowest_python
from stackskills.skills.requirements import PYTHON, Condition
from stackskills.skills.sources import load_catalog
from stackskills.skills.version_match import overlaps

_FOUND = load_catalog(workspace=None).find("python-expert")
assert _FOUND is not None
SKILL = _FOUND


def _version_for(specifier: SpecifierSet) -> str | None:
    """A concrete version the specifier allows (the highest of its boundary neighbours)."""
    if not str(specifier):
        return None
    candidates = []
    for spec in specifier:
        base = Version(spec.version.removesuffix(".*"))
        major, minor, micro = (*base.release, 0, 0)[:3]
        candidates += [
            base,
            Version(f"{major}.{minor}.{micro + 1}"),
            Version(f"{major}.{minor + 1}"),
            Version(f"{major}.{max(minor - 1, 0)}.99"),
            Version(f"{max(major - 1, 0)}.99"),
        ]
    allowed = [v for v in candidates if specifier.contains(v, prereleases=True)]
    return str(max(allowed)) if allowed else None


def stack_for(section: Section, variant: str | None) -> Stack:
    conditions: list[Condition] = [section.applies_to[0]]
    if variant is not None:
        conditions.append(section.variant(variant).applies_to[0])
    specifiers: dict[str, SpecifierSet] = {}
    for condition in conditions:
        for gate in condition:
            specifiers[gate.name] = specifiers.get(gate.name, SpecifierSet()) & gate.specifier
    gates = [section.applies_to] + ([section.variant(variant).applies_to] if variant else [])
    minor = lowest_python(*gates)
    assert minor is not None
    frameworks = [
        Framework(name=name, version=_version_for(spec), confidence=1.0)
        for name, spec in specifiers.items()
        if name != PYTHON
    ]
    return Stack(root="<example>", python=PythonTarget(target=f"3.{minor}"), frameworks=frameworks)


def examples() -> list[tuple[str, Section, Example]]:
    return [
        (f"{section.id}:{example.line}:{example.kind}", section, example)
        for section in SKILL.sections
        for example in parse_body(section.body, section.body_line).examples
        if example.kind != "plain"
    ]


EXAMPLES = examples()


@pytest.mark.parametrize(
    ("section", "example"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES]
)
def test_example_verdict_matches_its_label(section: Section, example: Example) -> None:
    stack = stack_for(section, example.variant)
    python = tuple(int(part) for part in (stack.python.target or "3.14").split("."))
    if python > sys.version_info[:2]:
        pytest.skip(f"syntax of Python {stack.python.target} cannot be parsed here")
    result = Reviewer(stack=stack, python=(python[0], python[1])).review_source(
        example.code, f"{section.id}.md"
    )
    assert result.errors == []
    if example.kind == "good":
        assert [(f.rule, f.line, f.message) for f in result.findings] == []
    else:
        got = [(f.rule, f.section) for f in result.findings]
        assert any(f.section == section.id for f in result.findings), got


def test_examples_exist_for_every_section_with_rules() -> None:
    with_rules = {s.id for s in SKILL.sections if s.rules}
    with_bad = {section.id for _, section, example in EXAMPLES if example.kind == "bad"}
    assert with_rules <= with_bad


def test_overlap_helper_is_used_consistently() -> None:
    # the stack built for an example satisfies the section's own gate
    for _, section, example in EXAMPLES:
        stack = stack_for(section, example.variant)
        for gate in section.applies_to[0]:
            if gate.name == PYTHON:
                continue
            framework = stack.framework(gate.name)
            assert framework is not None
            if framework.version:
                assert overlaps(gate.specifier, SpecifierSet(f"=={framework.version}"))
