"""Requirement strings in ``applies_to``: parsed with ``packaging``, nothing hand-rolled.

A gate is any-of a list of conditions; a condition is all-of a list of requirements. The name
``python`` stands for the workspace's Python target, every other name for a detected framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.specifiers import SpecifierSet

PYTHON = "python"


@dataclass(frozen=True)
class Gate:
    """One requirement: a normalised name and the versions it accepts."""

    name: str
    specifier: SpecifierSet
    text: str

    def __str__(self) -> str:
        return self.text


Condition = tuple[Gate, ...]
"""Requirements that must all hold."""

AppliesTo = tuple[Condition, ...]
"""Conditions of which any one must hold."""


def parse_gate(text: str) -> Gate:
    """Parse ``django>=4.2``; raises ``ValueError`` with a message fit for a user."""
    if not isinstance(text, str):
        raise ValueError(f"expected a requirement string such as 'django>=4.2', got {text!r}")
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0]
        raise ValueError(f"bad requirement string {text!r}: {reason}") from None
    if requirement.extras or requirement.marker or requirement.url:
        raise ValueError(
            f"bad requirement string {text!r}: only a name and a version specifier are allowed"
        )
    return Gate(canonical_name(requirement.name), requirement.specifier, text.strip())


_PLAIN_GATE = re.compile(
    r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*([<>=!~][\w\s.*+,<>=!~-]*)?"
)
"""``name`` or ``name<specifiers>``: the form every gate of the built-in skills takes."""


def checked_gate(text: str) -> Gate:
    """The gate of a requirement string that ``parse_gate`` accepted before (a compiled
    catalog): the plain form is split here, sparing every start-up the import of the full
    requirement grammar (markers, URLs, extras); any other form is parsed in full."""
    match = _PLAIN_GATE.fullmatch(text)
    if match is None:
        return parse_gate(text)
    name, specifiers = match.groups()
    return Gate(canonical_name(name), SpecifierSet(specifiers or ""), text.strip())


def canonical_name(name: str) -> str:
    """The PEP 503 normalised name: runs of ``-``, ``_`` and ``.`` become one ``-``, lower
    case (what ``packaging.utils.canonicalize_name`` does, without importing its module, which
    loads platform tags, logging and subprocess). The detectors have the same function; skills
    take only the ``Stack`` model from them."""
    return _SEPARATORS.sub("-", name).lower()


_SEPARATORS = re.compile(r"[-_.]+")


def parse_applies_to(raw: object) -> AppliesTo:
    """Turn the YAML value of ``applies_to`` into conditions; raises ``ValueError``."""
    if not isinstance(raw, list) or not raw:
        raise ValueError("applies_to must be a non-empty list of requirement strings")
    conditions: list[Condition] = []
    for item in raw:
        if isinstance(item, list):
            if not item:
                raise ValueError("an all-of condition in applies_to must not be empty")
            conditions.append(tuple(parse_gate(part) for part in item))
        else:
            conditions.append((parse_gate(item),))
    return tuple(conditions)


def applies_to_problems(raw: object) -> list[tuple[tuple[int, ...], str]]:
    """Every bad entry of an ``applies_to`` value, with its index path, for line numbers."""
    if not isinstance(raw, list) or not raw:
        return [((), "applies_to must be a non-empty list of requirement strings")]
    problems: list[tuple[tuple[int, ...], str]] = []
    for index, item in enumerate(raw):
        parts = item if isinstance(item, list) else [item]
        if isinstance(item, list) and not item:
            problems.append(((index,), "an all-of condition in applies_to must not be empty"))
        for inner, part in enumerate(parts):
            try:
                parse_gate(part)
            except ValueError as exc:
                path = (index, inner) if isinstance(item, list) else (index,)
                problems.append((path, str(exc)))
    return problems


def describe(applies_to: AppliesTo) -> str:
    """``django>=4.2 or (sqlalchemy>=2, python>=3.10)``: how a gate reads to a person."""
    parts = []
    for condition in applies_to:
        text = ", ".join(str(gate) for gate in condition)
        parts.append(f"({text})" if len(condition) > 1 and len(applies_to) > 1 else text)
    return " or ".join(parts)
