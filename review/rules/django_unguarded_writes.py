"""SKS105: multi-step writes without a transaction, and checks on rows read without a lock.

Two shapes, both narrow enough to be sure of:

- Outside ``transaction.atomic``, one function moves amounts between two rows with ``F()``
  arithmetic (``source.balance = F("balance") - amount`` ... ``target.balance = F("balance") +
  amount``, or two ``update(x=F("x") ± n)`` calls): a failure between them commits half the
  move. Plain ``save()`` pairs are left alone (``ATOMIC_REQUESTS`` may cover them).
- Inside ``atomic``, a row read with ``get()`` (no ``select_for_update()``) is checked
  (``if account.balance < amount: raise``) and then written: a concurrent transaction can
  change the row between the check and the write.

Test code is skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.django_querysets import model_instance_source, queryset_of
from stackskills.review.semantics.statements import child_nodes
from stackskills.review.semantics.test_code import in_test_code, is_test_function

rule = Rule(
    code="SKS105",
    triggers=("F(", "atomic"),
    name="unguarded-multi-step-write",
    section="django.transactions",
    summary="Related F() writes run outside transaction.atomic, or a row checked inside "
    "atomic was read without select_for_update().",
)

ATOMIC = frozenset({"django.db.transaction.atomic", "transaction.atomic"})
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass
class WriteFacts:
    """One function's writes, each with whether it runs inside ``atomic``."""

    arithmetic: list[tuple[ast.AST, str, bool]] = field(default_factory=list)
    """(statement, receiver, atomic) of ``F()`` arithmetic writes."""
    reads: list[tuple[ast.Assign, str, bool]] = field(default_factory=list)
    """(``name = qs.get(...)``, name, atomic)."""
    checks: list[tuple[ast.If, bool]] = field(default_factory=list)
    saves: list[tuple[ast.Call, str]] = field(default_factory=list)
    assigned: list[tuple[int, str, str]] = field(default_factory=list)
    """(line, name, field) of ``name.field = ...`` / ``name.field += ...``."""
    updates: list[tuple[ast.Call, ast.expr, bool]] = field(default_factory=list)
    """(``qs.update(...)``, ``qs``, atomic)."""


def _is_atomic(expr: ast.expr, context: NodeContext) -> bool:
    if isinstance(expr, ast.Call):
        expr = expr.func
    name = context.qualified_name(expr)
    return name is not None and (name in ATOMIC or name.endswith(".transaction.atomic"))


def _f_arithmetic(value: ast.expr, context: NodeContext) -> bool:
    """``F("x") + n`` / ``F("x") - n``."""
    return (
        isinstance(value, ast.BinOp)
        and isinstance(value.op, (ast.Add, ast.Sub))
        and any(
            isinstance(side, ast.Call)
            and context.qualified_name(side.func) in {"django.db.models.F", "F"}
            for side in (value.left, value.right)
        )
    )


def _collect(function: ast.FunctionDef | ast.AsyncFunctionDef, context: NodeContext) -> WriteFacts:
    facts = WriteFacts()
    decorated = any(_is_atomic(decorator, context) for decorator in function.decorator_list)
    pending: list[tuple[ast.AST, bool]] = [(statement, decorated) for statement in function.body]
    while pending:
        node, atomic = pending.pop()
        if isinstance(node, FUNCTIONS):
            continue
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
            _is_atomic(item.context_expr, context) for item in node.items
        ):
            pending.extend((statement, True) for statement in node.body)
            continue
        if isinstance(node, _RECORDED):
            _record(node, atomic, facts, context)
        pending.extend((child, atomic) for child in child_nodes(node))
    return facts


_RECORDED = (ast.Assign, ast.AugAssign, ast.If, ast.Call)
"""The nodes ``_record`` reads."""


def _record(node: ast.AST, atomic: bool, facts: WriteFacts, context: NodeContext) -> None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and _f_arithmetic(node.value, context)
        ):
            facts.arithmetic.append((node, target.value.id, atomic))
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in {"get", "aget"}
        ):
            facts.reads.append((node, target.id, atomic))
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        facts.assigned.extend(
            (node.lineno, target.value.id, target.attr)
            for target in targets
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
        )
    if isinstance(node, ast.If):
        facts.checks.append((node, atomic))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method, receiver = node.func.attr, node.func.value
        if method in {"save", "asave"} and isinstance(receiver, ast.Name):
            facts.saves.append((node, receiver.id))
        elif method in {"update", "aupdate"}:
            facts.updates.append((node, receiver, atomic))


def _split_moves(
    facts: WriteFacts, function: ast.AST, context: NodeContext
) -> Iterator[tuple[ast.AST, str]]:
    writes: list[tuple[ast.AST, str, bool]] = list(facts.arithmetic)
    for call, queryset, in_atomic in facts.updates:
        if any(_f_arithmetic(keyword.value, context) for keyword in call.keywords) and (
            queryset_of(queryset, context, function) is not None
        ):
            writes.append((call, ast.unparse(queryset), in_atomic))
    writes.sort(
        key=lambda write: (getattr(write[0], "lineno", 0), getattr(write[0], "col_offset", 0))
    )
    outside = [(node, receiver) for node, receiver, atomic in writes if not atomic]
    receivers: set[str] = set()
    for node, receiver in outside:
        if receivers and receiver not in receivers:
            yield node, receiver
            return
        receivers.add(receiver)


def _check_then_act(
    facts: WriteFacts, function: ast.AST, context: NodeContext
) -> Iterator[tuple[ast.Assign, str]]:
    for read, name, atomic in facts.reads:
        if not atomic:
            continue
        source = model_instance_source(name, context, function)
        if source is None or source.locked:
            continue
        checked: set[str] = set()
        for check, atomic_check in facts.checks:
            if atomic_check and check.lineno > read.lineno:
                checked |= _checked_fields(check, name)
        if not checked:
            continue
        written = {
            field for line, owner, field in facts.assigned if owner == name and line > read.lineno
        }
        saved = any(owner == name and call.lineno > read.lineno for call, owner in facts.saves)
        if not saved:
            written = set()
        if source.model:
            for call, receiver, _ in facts.updates:
                target = queryset_of(receiver, context, function)
                if (
                    call.lineno > read.lineno
                    and target is not None
                    and target.model == source.model
                ):
                    written.update(keyword.arg for keyword in call.keywords if keyword.arg)
        if checked & written:
            yield read, name


def _checked_fields(check: ast.If, name: str) -> set[str]:
    """Fields of ``name`` compared in ``if name.field <op> ...: raise`` (or return)."""
    if not any(isinstance(statement, (ast.Raise, ast.Return)) for statement in check.body):
        return set()
    return {
        side.attr
        for node in ast.walk(check.test)
        if isinstance(node, ast.Compare)
        for side in (node.left, *node.comparators)
        if isinstance(side, ast.Attribute)
        and isinstance(side.value, ast.Name)
        and side.value.id == name
    }


@rule.visit(ast.FunctionDef, ast.AsyncFunctionDef)
def unguarded_writes(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    # Both patterns need an F() expression or an atomic block (the triggers skip files with
    # neither); most functions of the other files have neither, and a look at their text is
    # far cheaper than walking them.
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    text = "\n".join(context.file.lines[first - 1 : node.end_lineno])
    if "F(" not in text and "atomic" not in text:
        return
    facts = _collect(node, context)
    if not (facts.arithmetic or facts.updates or facts.reads):
        return
    if in_test_code(context) or is_test_function(node, context.parent):
        return
    for write, receiver in _split_moves(facts, node, context):
        yield context.report(
            write,
            f"this F() write to `{receiver}` and the one before it commit separately: a "
            "failure between them leaves only half of the change in the database",
            fix="wrap both writes in `with transaction.atomic():` (or decorate the function "
            "with `@transaction.atomic`)",
        )
    for read, name in _check_then_act(facts, node, context):
        yield context.report(
            read,
            f"`{name}` is read without a row lock, checked, then written: a concurrent "
            "transaction can change it between the check and the write",
            fix="read it with `.select_for_update().get(...)` inside the atomic block",
        )
