"""Which sections fit a workspace, which variant of each, and why.

Activation is a pure function of the detected ``Stack`` and the loaded skills: every active
section carries the requirement that matched, the framework or Python target it matched, and
the detection evidence behind it, so an assistant (and its user) can see why advice was given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from stackskills.detectors.models import Evidence, SectionRef, Stack
from stackskills.skills.records import Section, Skill, Variant
from stackskills.skills.requirements import PYTHON, AppliesTo, Condition, Gate
from stackskills.skills.tokens import estimate_tokens
from stackskills.skills.version_match import NEWEST_PYTHON, check_version


@dataclass(frozen=True, kw_only=True)
class Match:
    """One requirement of a gate and what in the workspace satisfied it."""

    name: str
    """The normalised name the requirement is on: a distribution or ``python``."""
    requirement: str
    subject: str
    """``django 5.1.4``, ``django (>=4.2, version not pinned)``, ``python 3.12``."""
    assumed: bool
    evidence: tuple[Evidence, ...]

    def describe(self) -> str:
        where = ", ".join(_where(item) for item in self.evidence[:2])
        text = f"{self.subject} meets {self.requirement}"
        return f"{text} ({where})" if where else text


def _where(evidence: Evidence) -> str:
    return evidence.file if evidence.line is None else f"{evidence.file}:{evidence.line}"


@dataclass(frozen=True, kw_only=True)
class ActiveSection:
    section: Section
    variant: Variant | None
    matches: tuple[Match, ...]
    variant_matches: tuple[Match, ...] = ()

    @property
    def id(self) -> str:
        return self.section.id

    @property
    def assumed_latest(self) -> bool:
        """True when a version was unknown and the newest fitting text was chosen."""
        return any(match.assumed for match in (*self.matches, *self.variant_matches))

    @property
    def reason(self) -> str:
        text = "; ".join(match.describe() for match in self.matches)
        if self.variant is not None:
            why = ", ".join(f"{m.subject} meets {m.requirement}" for m in self.variant_matches)
            text += f"; variant {self.variant.name!r} because {why}"
        if self.assumed_latest:
            text += " (version not known exactly: the newest fitting advice is used)"
        return text

    @cached_property
    def text(self) -> str:
        """The Markdown served to a reader: shared text plus this variant's blocks."""
        # imported here: listing what is active (``detect``) never renders a section
        from stackskills.skills.markdown import render_variant

        return render_variant(
            self.section.body, None if self.variant is None else self.variant.name
        )

    @cached_property
    def tokens(self) -> int:
        return estimate_tokens(self.text)

    def ref(self) -> SectionRef:
        return SectionRef(
            id=self.section.id,
            skill=self.section.skill,
            version=self.section.skill_version,
            reason=self.reason,
        )


def has_python_code(stack: Stack) -> bool:
    return bool(stack.projects or stack.frameworks or stack.python.target)


def match_gate(gate: Gate, stack: Stack) -> Match | None:
    """The match when ``gate`` holds for the stack, else None."""
    if gate.name == PYTHON:
        if not has_python_code(stack):
            return None
        target = stack.python.target
        check = check_version(gate.specifier, target or NEWEST_PYTHON, None)
        subject = (
            f"python {target}" if target else f"python (target unknown: {NEWEST_PYTHON} assumed)"
        )
        evidence = tuple(stack.python.evidence)
        assumed = check.assumed or target is None
    else:
        framework = stack.framework(gate.name)
        if framework is None:
            return _implied_match(gate, stack)
        check = check_version(gate.specifier, framework.version, framework.specifier)
        if framework.version:
            subject = f"{framework.name} {framework.version}"
        elif framework.specifier:
            subject = f"{framework.name} ({framework.specifier}, no exact version)"
        else:
            subject = f"{framework.name} (version unknown)"
        evidence = tuple(framework.evidence)
        assumed = check.assumed and bool(str(gate.specifier))
    if not check.holds:
        return None
    return Match(
        name=gate.name, requirement=gate.text, subject=subject, assumed=assumed, evidence=evidence
    )


IMPLIED_BY: dict[str, tuple[str, ...]] = {
    "pydantic": ("fastapi", "sqlmodel", "pydantic-settings"),
    "starlette": ("fastapi",),
    "sqlalchemy": ("flask-sqlalchemy", "sqlmodel", "alembic"),
    "django": ("djangorestframework", "wagtail", "django-ninja"),
    "flask": ("flask-sqlalchemy", "flask-login", "flask-wtf"),
    "pytest": ("pytest-asyncio", "pytest-django", "pytest-mock", "pytest-cov", "pytest-xdist"),
}
"""Frameworks that cannot run without another: a FastAPI project uses Pydantic even when it
never declares it, so Pydantic advice applies (at a version not known exactly)."""


def _implied_match(gate: Gate, stack: Stack) -> Match | None:
    for dependent in IMPLIED_BY.get(gate.name, ()):
        framework = stack.framework(dependent)
        if framework is None:
            continue
        check = check_version(gate.specifier, None, None)
        if not check.holds:
            return None
        return Match(
            name=gate.name,
            requirement=gate.text,
            subject=f"{gate.name} (required by {dependent}, version not declared)",
            assumed=bool(str(gate.specifier)),
            evidence=tuple(framework.evidence),
        )
    return None


def match_condition(condition: Condition, stack: Stack) -> tuple[Match, ...] | None:
    matches = []
    for gate in condition:
        match = match_gate(gate, stack)
        if match is None:
            return None
        matches.append(match)
    return tuple(matches)


def match_applies_to(applies_to: AppliesTo, stack: Stack) -> tuple[Match, ...] | None:
    """The matches of the first condition that holds (any-of), else None."""
    for condition in applies_to:
        matches = match_condition(condition, stack)
        if matches is not None:
            return matches
    return None


def activate_section(section: Section, stack: Stack) -> ActiveSection | None:
    matches = match_applies_to(section.applies_to, stack)
    if matches is None:
        return None
    if not section.variants:
        return ActiveSection(section=section, variant=None, matches=matches)
    for variant in section.variants:
        variant_matches = match_applies_to(variant.applies_to, stack)
        if variant_matches is not None:
            return ActiveSection(
                section=section, variant=variant, matches=matches, variant_matches=variant_matches
            )
    return None


def activate(stack: Stack, skills: Iterable[Skill] | None = None) -> list[ActiveSection]:
    """The sections of ``skills`` (default: the skills in use) that fit ``stack``."""
    if skills is None:
        from stackskills.skills.sources import load_catalog

        skills = load_catalog(workspace=None).in_use()
    active = []
    for skill in skills:
        for section in skill.sections:
            activated = activate_section(section, stack)
            if activated is not None:
                active.append(activated)
    return active
