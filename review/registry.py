"""Rules declare what they check as data; the registry finds them by importing ``rules/``.

A rule names its code, the section it enforces, any extra requirements beyond that section's
own gate (``pydantic>=2``, ``python>=3.10``) and the AST node types it wants. Adding a rule is
adding one module: nothing else lists them.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from stackskills.review.context import NodeContext
    from stackskills.review.findings import Finding, Severity

NodeT = TypeVar("NodeT", bound=ast.AST)
Check = Callable[[Any, "NodeContext"], Iterable["Finding"]]


@dataclass(eq=False)
class Rule:
    code: str
    """Stable forever: ``SKS`` + three digits."""
    name: str
    """A slug saying what is wrong, e.g. ``queryset-len-existence-check``."""
    section: str
    """The section id whose advice the rule enforces; it runs only where that section is active."""
    summary: str
    """One sentence: what the rule flags (shown in SARIF rule metadata and docs)."""
    requires: tuple[str, ...] = ()
    """Extra requirements, all of which must hold besides the section's gate."""
    severity: Severity = "warning"
    triggers: tuple[str, ...] = ()
    """Text of which at least one must occur in a file for the rule to find anything there
    (names it looks for appear at least in their import); empty means always run. Checked
    with a substring search before the walk, so most rules skip most files for free."""
    checks: dict[type[ast.AST], list[Check]] = field(default_factory=dict)
    callees: dict[Check, frozenset[str]] = field(default_factory=dict)
    """For a check of calls that only cares about some callees: their names (the ``id`` of
    a called name, the ``attr`` of a called attribute); for a check of attributes, the
    attribute names it cares about. The walk skips the others without calling the check: a
    tree has a call every dozen nodes, and an attribute more often still."""

    def wants(self, source: str) -> bool:
        return not self.triggers or any(trigger in source for trigger in self.triggers)

    def visit(
        self,
        *node_types: type[NodeT],
        callees: Iterable[str] | None = None,
        attributes: Iterable[str] | None = None,
    ) -> Callable[
        [Callable[[NodeT, NodeContext], Iterable[Finding]]],
        Callable[[NodeT, NodeContext], Iterable[Finding]],
    ]:
        """Register the decorated function for these node types (with ``callees``, only
        ``ast.Call``: calls of those names; with ``attributes``, only ``ast.Attribute``:
        those attribute names)."""
        if callees is not None and node_types != (ast.Call,):
            raise ValueError("callees= filters calls: visit(ast.Call, callees=...)")
        if attributes is not None and node_types != (ast.Attribute,):
            raise ValueError("attributes= filters attributes: visit(ast.Attribute, ...)")
        names = callees if callees is not None else attributes

        def register(
            function: Callable[[NodeT, NodeContext], Iterable[Finding]],
        ) -> Callable[[NodeT, NodeContext], Iterable[Finding]]:
            for node_type in node_types:
                self.checks.setdefault(node_type, []).append(function)
            if names is not None:
                self.callees[function] = frozenset(names)
            return function

        return register


RULES_PACKAGE = "stackskills.review.rules"


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule in ``review/rules/``, sorted by code; duplicates are a programming error."""
    package = importlib.import_module(RULES_PACKAGE)
    found: list[Rule] = []
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{RULES_PACKAGE}.{module_info.name}")
        found.extend(value for value in vars(module).values() if isinstance(value, Rule))
    codes = [rule.code for rule in found]
    duplicates = {code for code in codes if codes.count(code) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate rule codes: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda rule: rule.code))


Dispatch = tuple["Rule", Check, "frozenset[str] | None"]
"""One check in the walk's table: its rule, the check, the callees (or attribute names) it
is limited to."""


def dispatch_table(rules: Iterable[Rule]) -> dict[type[ast.AST], list[Dispatch]]:
    """Node type → the checks that asked for it, for the one walk."""
    table: dict[type[ast.AST], list[Dispatch]] = {}
    for rule in rules:
        for node_type, checks in rule.checks.items():
            table.setdefault(node_type, []).extend(
                (rule, check, rule.callees.get(check)) for check in checks
            )
    return table


def iter_rule_codes() -> Iterator[str]:
    return (rule.code for rule in all_rules())
