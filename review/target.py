"""What a file is judged against: the Python target and the frameworks (with versions), and
from those, which rules run.

A rule runs only where the section it enforces is active (the skills' own activation, so the
review and the served guidance never disagree) and where its extra requirements hold. The stack
comes from detection of the file's project, from ``--stack``, or, for a lone snippet, from what
the file imports; a framework the file imports is always added (at an unknown version) so a
FastAPI module in a monorepo folder is still judged as FastAPI code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from stackskills.detectors.import_names import distribution_for_import, is_stdlib
from stackskills.detectors.models import Framework, PythonTarget, Stack
from stackskills.review.registry import Rule, all_rules
from stackskills.skills.activation import IMPLIED_BY, activate_section, match_gate
from stackskills.skills.records import Section
from stackskills.skills.requirements import canonical_name, checked_gate
from stackskills.skills.version_match import NEWEST_PYTHON


class StackSpecError(ValueError):
    """``--stack`` or ``--python`` could not be understood."""


@dataclass(frozen=True)
class ReviewTarget:
    python: tuple[int, int]
    stack: Stack
    rules: tuple[Rule, ...] = field(default=())

    @property
    def python_text(self) -> str:
        return f"{self.python[0]}.{self.python[1]}"


def parse_python(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    parts = text.strip().split(".")
    if len(parts) < 2 or not all(part.isdigit() for part in parts[:2]) or parts[0] != "3":
        raise StackSpecError(f"--python expects a version like 3.12, got {text!r}")
    return (3, int(parts[1]))


def stack_from_spec(spec: str, root: str = "<stack>") -> Stack:
    """``django,pydantic==1.10`` → a stack with those frameworks (``==`` gives the version)."""
    from packaging.requirements import InvalidRequirement, Requirement

    frameworks = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        try:
            requirement = Requirement(item)
        except InvalidRequirement as exc:
            raise StackSpecError(
                f"--stack: bad entry {item!r}: {str(exc).splitlines()[0]}"
            ) from None
        pinned = [s.version for s in requirement.specifier if s.operator in {"==", "==="}]
        frameworks.append(
            Framework(
                name=canonical_name(requirement.name),
                version=pinned[0] if pinned and "*" not in pinned[0] else None,
                specifier=str(requirement.specifier) or None,
                confidence=1.0,
            )
        )
    return Stack(root=root, frameworks=frameworks)


def imported_distributions(tree: ast.Module) -> set[str]:
    """Distributions the module imports at top level (inside ``if``/``try`` too)."""
    found: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            if isinstance(node, (ast.If, ast.Try)):
                pending.extend(node.body)
                pending.extend(node.orelse)
                if isinstance(node, ast.Try):
                    for handler in node.handlers:
                        pending.extend(handler.body)
            continue
        for module in modules:
            dist = _distribution(module)
            if dist is not None:
                found.add(dist)
    return found


@lru_cache(maxsize=8192)
def _distribution(module: str) -> str | None:
    """Module → its distribution, remembered: the same imports recur in every file of a
    project. Bounded, since the server reviews whatever its clients send for as long as it
    runs."""
    return None if is_stdlib(module.split(".", 1)[0]) else distribution_for_import(module)


def with_imports(
    stack: Stack, distributions: Iterable[str], python: tuple[int, int] | None
) -> Stack:
    """The stack plus frameworks the file imports, with the Python target overridden."""
    known = {framework.name for framework in stack.frameworks}
    extra = [
        Framework(name=name, confidence=0.5) for name in sorted(distributions) if name not in known
    ]
    target = stack.python
    if python is not None:
        target = PythonTarget(target=f"{python[0]}.{python[1]}", evidence=[])
    elif target.target is None:
        target = PythonTarget(target=NEWEST_PYTHON, evidence=[])
    return Stack(
        root=stack.root,
        python=target,
        frameworks=[*stack.frameworks, *extra],
        projects=stack.projects,
    )


def python_of(stack: Stack) -> tuple[int, int]:
    text = stack.python.target or NEWEST_PYTHON
    major, minor = text.split(".")[:2]
    return (int(major), int(minor))


@cache
def _sections() -> dict[str, Section]:
    from stackskills.detectors.cache import default_cache_dir
    from stackskills.skills.compiled import load_catalog_cached

    catalog = load_catalog_cached(default_cache_dir(), workspace=None)
    return {section.id: section for skill in catalog.in_use() for section in skill.sections}


def warm_up() -> None:
    """Load the built-in sections now (before worker processes fork)."""
    _sections()


@cache
def deciding_names() -> frozenset[str]:
    """The frameworks whose presence can change which rules apply: those named in a section's
    gates (its variants' too), in a rule's extra requirements, and those that imply one of
    them. A file importing anything else is judged by the same rules as without it."""
    gates = [
        gate
        for section in _sections().values()
        for applies_to in (section.applies_to, *(v.applies_to for v in section.variants))
        for condition in applies_to
        for gate in condition
    ]
    gates += [checked_gate(text) for rule in all_rules() for text in rule.requires]
    names = {gate.name for gate in gates}
    return frozenset(names.union(*(IMPLIED_BY.get(name, ()) for name in names)))


def rule_applies(rule: Rule, stack: Stack, sections: dict[str, Section] | None = None) -> bool:
    section = (sections if sections is not None else _sections()).get(rule.section)
    if section is None or activate_section(section, stack) is None:
        return False
    return all(match_gate(checked_gate(text), stack) is not None for text in rule.requires)


def target_for(
    stack: Stack,
    selected: Iterable[Rule] | None = None,
) -> ReviewTarget:
    """The rules (of ``selected``, default all) that apply to ``stack``."""
    candidates = all_rules() if selected is None else selected
    rules = tuple(rule for rule in candidates if rule_applies(rule, stack))
    return ReviewTarget(python=python_of(stack), stack=stack, rules=rules)
