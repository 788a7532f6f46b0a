"""SKS303: ``.offset(...)`` on a query with no ``.order_by(...)``.

Without ``ORDER BY`` the database may return rows in any order, and the order can change
between two requests: with ``OFFSET`` rows then show up on two pages or on none.

Only chains the file shows from their start count: ``select(...)....offset(n)`` and
``session.query(...)....offset(n)`` on a known session. A chain that starts from a variable
(``stmt.offset(n)``, where ``stmt`` may already be ordered) stays silent, as does a statement
assigned to a name that is ordered later in the function, and ``offset(0)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.sqlalchemy_sessions import (
    conventional_session,
    session_kind,
)

rule = Rule(
    code="SKS303",
    triggers=("offset",),
    name="sqlalchemy-offset-without-order",
    section="sqlalchemy.pagination",
    summary="A select()/query() paginated with .offset() but never ordered with .order_by(), "
    "so pages overlap and skip rows.",
)

SELECTS = frozenset(
    {
        "sqlalchemy.select",
        "sqlalchemy.sql.select",
        "sqlalchemy.sql.expression.select",
        "sqlalchemy.future.select",
        "sqlmodel.select",
        "sqlmodel.sql.expression.select",
    }
)


def _ordered_below(call: ast.Call, context: NodeContext) -> bool | None:
    """Walking from ``call`` down its chain: True when an ``.order_by()`` comes first, False
    when the chain starts at ``select(...)``/``session.query(...)`` without one, None when it
    starts anywhere else (a variable that may already be ordered)."""
    node: ast.expr = call.func
    while isinstance(node, ast.Attribute):
        node = node.value
        if not isinstance(node, ast.Call):
            return None
        if _statement_root(node, context):
            return False
        if not isinstance(node.func, ast.Attribute):
            return None
        if node.func.attr == "order_by":
            return True
        node = node.func
    return None


def _outer_chain(node: ast.Call, context: NodeContext) -> tuple[list[str], ast.expr]:
    """Methods called on the result further up (``.offset(n).order_by(...)``) and the
    outermost call of the chain."""
    methods: list[str] = []
    outer: ast.expr = node
    ancestors = context.ancestors
    index = len(ancestors) - 1
    while index >= 1:
        attribute, call = ancestors[index], ancestors[index - 1]
        if not (
            isinstance(attribute, ast.Attribute)
            and isinstance(call, ast.Call)
            and call.func is attribute
        ):
            break
        methods.append(attribute.attr)
        outer = call
        index -= 2
    return methods, outer


def _statement_root(root: ast.expr, context: NodeContext) -> bool:
    if not isinstance(root, ast.Call):
        return False
    if context.imported(root.func) in SELECTS:
        return True
    func = root.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "query"
        and bool(root.args)
        and (
            session_kind(func.value, context) is not None
            or conventional_session(func.value, context)
        )
    )


def _ordered_later(name: str, context: NodeContext) -> bool:
    scope = context.enclosing_function() or context.file.tree
    if scope is None:
        return False
    for inner in ast.walk(scope):
        if (
            isinstance(inner, ast.Attribute)
            and inner.attr == "order_by"
            and isinstance(inner.value, ast.Name)
            and inner.value.id == name
        ):
            return True
    return False


@rule.visit(ast.Call)
def offset_without_order(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr != "offset" or len(node.args) != 1:
        return
    amount = node.args[0]
    if isinstance(amount, ast.Constant) and amount.value in (0, None):
        return
    if _ordered_below(node, context) is not False:
        return
    outer, expression = _outer_chain(node, context)
    if "order_by" in outer:
        return
    holder = _holder(expression, context)
    if holder is not None and _ordered_later(holder, context):
        return
    yield context.report(
        _method_span(node),
        "`.offset()` without `.order_by()`: the database may return rows in any order, so "
        "pages overlap and skip rows between requests",
        fix="order by the sort column and then the primary key before offsetting, e.g. "
        "`.order_by(Model.created_at.desc(), Model.id.desc()).offset(...)`",
    )


def _holder(expression: ast.expr, context: NodeContext) -> str | None:
    """The name the whole chain is assigned to, if any."""
    for parent in reversed(context.ancestors):
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if (
                parent.value is expression
                and len(targets) == 1
                and isinstance(targets[0], ast.Name)
            ):
                return targets[0].id
            return None
        if isinstance(parent, ast.stmt):
            return None
    return None


def _method_span(call: ast.Call) -> ast.AST:
    """A node spanning ``offset(...)`` alone, so a multi-line chain is flagged on the line
    of the offset rather than where the chain starts."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    span = ast.Name(id=func.attr, ctx=ast.Load())
    end_line = func.end_lineno or call.lineno
    end_column = func.end_col_offset or 0
    span.lineno, span.col_offset = end_line, max(end_column - len(func.attr), 0)
    span.end_lineno, span.end_col_offset = call.end_lineno, call.end_col_offset
    return span
