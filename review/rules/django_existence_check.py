"""SKS103: testing a queryset for emptiness by loading or counting its rows.

``len(qs) > 0`` and ``if qs:`` fetch every matching row; ``qs.count() > 0`` counts them all;
``qs.exists()`` stops at the first. Flagged on querysets the file shows (see
``semantics.django_querysets``) and on related managers of a fetched instance
(``order.items.count() > 0``). ``len(qs)`` and ``if qs:`` on a variable are left alone when the
variable is used anywhere else in the function: evaluating it once caches the rows for that
later use, which is what the section recommends. Test code is skipped (``assert qs.count() == 0``
reports a clearer failure).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.django_querysets import (
    manager_model,
    queryset_of,
    related_manager,
    scope_facts,
    scope_node,
)
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS103",
    name="queryset-emptiness-check",
    section="django.efficient-checks",
    summary="A queryset is tested for emptiness with len(), count() or truthiness instead of "
    "exists().",
)

_EMPTY = {
    # (operator, constant on the right) → True when the comparison means "is empty"
    (ast.Eq, 0): True,
    (ast.Lt, 1): True,
    (ast.LtE, 0): True,
    (ast.NotEq, 0): False,
    (ast.Gt, 0): False,
    (ast.GtE, 1): False,
}
_MIRRORED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
    ast.Lt: ast.Gt,
    ast.Gt: ast.Lt,
    ast.LtE: ast.GtE,
    ast.GtE: ast.LtE,
}


def _int_constant(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _emptiness(node: ast.Compare) -> tuple[ast.expr, bool] | None:
    """(the measured expression, whether the comparison means "empty")."""
    if len(node.ops) != 1:
        return None
    left, operator, right = node.left, type(node.ops[0]), node.comparators[0]
    constant = _int_constant(right)
    measured = left
    if constant is None:
        constant = _int_constant(left)
        measured = right
        if constant is None:
            return None
        operator = _MIRRORED.get(operator, ast.Is)
    empty = _EMPTY.get((operator, constant))
    if empty is None:
        return None
    return measured, empty


def _only_use(name: ast.Name, context: NodeContext) -> bool:
    """The variable is read nowhere else in its function."""
    scope = scope_node(context)
    if scope is None or scope is context.file.tree:
        return False
    loads = scope_facts(scope, context).loads.get(name.id, [])
    return all(load is name for load in loads)


def _rows_expression(expr: ast.expr, context: NodeContext, *, cached_use: bool) -> bool:
    """A queryset (or ``instance.related.all()``) whose rows would be loaded. With
    ``cached_use``, a variable counts only when nothing else reads it."""
    if queryset_of(expr, context) is None:
        return False
    if isinstance(expr, ast.Name) and cached_use:
        return _only_use(expr, context)
    return True


def _counted(expr: ast.expr, context: NodeContext) -> ast.expr | None:
    """The queryset of ``qs.count()`` / ``await qs.acount()``."""
    if isinstance(expr, ast.Await):
        expr = expr.value
    if not (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in {"count", "acount"}
        and not expr.args
        and not expr.keywords
    ):
        return None
    receiver = expr.func.value
    if (
        queryset_of(receiver, context) is not None
        or manager_model(receiver, context) is not None
        or related_manager(receiver, context)
    ):
        return receiver
    return None


def _measured(expr: ast.expr, context: NodeContext) -> tuple[str, ast.expr] | None:
    """("len", qs) for ``len(qs)``, ("count", qs) for ``qs.count()``."""
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id == "len"
        and len(expr.args) == 1
        and not expr.keywords
        and context.file.imports.get("len") is None
    ):
        argument = expr.args[0]
        if _rows_expression(argument, context, cached_use=True):
            return "len", argument
        return None
    counted = _counted(expr, context)
    if counted is not None:
        return "count", counted
    return None


def _fix(queryset: ast.expr, empty: bool, context: NodeContext) -> str:
    method = "aexists" if context.in_async_function() else "exists"
    call = f"{ast.unparse(queryset)}.{method}()"
    if method == "aexists":
        call = f"await {call}"
    return f"`not {call}`" if empty else f"`{call}`"


def _report(
    node: ast.expr, how: str, queryset: ast.expr, empty: bool, context: NodeContext
) -> Finding:
    if how == "len":
        message = "`len()` loads every matching row only to test whether there are any"
    elif how == "count":
        message = "`count()` makes the database count every match to answer a yes/no question"
    else:
        message = "testing a queryset's truth loads every matching row to see if there is one"
    return context.report(node, message, fix=f"use {_fix(queryset, empty, context)}")


@rule.visit(ast.Compare)
def compared_with_zero(node: ast.Compare, context: NodeContext) -> Iterator[Finding]:
    emptiness = _emptiness(node)
    if emptiness is None:
        return
    measured_expr, empty = emptiness
    measured = _measured(measured_expr, context)
    if measured is None or in_test_code(context):
        return
    how, queryset = measured
    yield _report(node, how, queryset, empty, context)


def _truth_operands(test: ast.expr) -> Iterator[ast.expr]:
    """Expressions whose truth a test takes directly (``a and b`` → a, b)."""
    if isinstance(test, ast.BoolOp):
        for value in test.values:
            yield from _truth_operands(value)
    else:
        yield test


def _truth_findings(test: ast.expr, empty: bool, context: NodeContext) -> Iterator[Finding]:
    for operand in _truth_operands(test):
        measured = _measured(operand, context)
        if measured is not None:
            how, queryset = measured
        elif _rows_expression(operand, context, cached_use=True):
            how, queryset = "truth", operand
        else:
            continue
        if in_test_code(context):
            return
        yield _report(operand, how, queryset, empty, context)


@rule.visit(ast.If, ast.While, ast.IfExp, ast.Assert)
def tested_for_truth(node: ast.AST, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
        return
    yield from _truth_findings(node.test, False, context)


@rule.visit(ast.comprehension)
def filtered_by_truth(node: ast.comprehension, context: NodeContext) -> Iterator[Finding]:
    for condition in node.ifs:
        yield from _truth_findings(condition, False, context)


@rule.visit(ast.UnaryOp)
def negated(node: ast.UnaryOp, context: NodeContext) -> Iterator[Finding]:
    if isinstance(node.op, ast.Not):
        yield from _truth_findings(node.operand, True, context)


@rule.visit(ast.Call, callees={"bool"})
def converted_to_bool(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    if (
        isinstance(node.func, ast.Name)
        and node.func.id == "bool"
        and len(node.args) == 1
        and context.file.imports.get("bool") is None
    ):
        yield from _truth_findings(node.args[0], False, context)
