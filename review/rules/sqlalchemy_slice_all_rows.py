"""SKS304: a page cut in Python from every row a SQLAlchemy query returned.

``session.scalars(stmt).all()[start:end]`` transfers and builds every row of the query to show
one page: memory and latency grow with the table, not with the page. ``.offset()`` and
``.limit()`` put the page in the SQL.

Flagged: a slice of ``.all()`` rows (``result.scalars().all()``, ``session.query(...).all()``,
``session.execute(...).all()``) whose bounds come from the function's parameters (a page, an
offset, a size), directly or through a variable the function assigns once. Skipped: slices in
loops (batching every row is not paging), queries that already have ``.limit()``, index access
(``rows[0]``), slices with constant bounds, and rows from objects not known to be sessions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.bindings import lookup, scope_chain
from stackskills.review.semantics.sqlalchemy_sessions import (
    conventional_session,
    session_kind,
)

rule = Rule(
    code="SKS304",
    triggers=("all()",),
    name="sqlalchemy-slice-all-rows",
    section="sqlalchemy.pagination",
    summary="A page sliced in Python from query(...).all()/scalars(...).all() rows instead of "
    ".offset()/.limit() in the statement.",
)

SESSION_READS = frozenset({"execute", "scalars", "query"})
ROW_STEPS = frozenset({"scalars", "unique", "mappings", "all", "tuples"})
MAX_DEPTH = 4


def _function_parameters(context: NodeContext) -> set[str]:
    function = context.enclosing_function()
    if function is None:
        return set()
    arguments = function.args
    return {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}


def _bounds_from_parameters(slice_: ast.Slice, context: NodeContext) -> bool:
    parameters = _function_parameters(context) - {"self", "cls"}
    names = {
        inner.id
        for bound in (slice_.lower, slice_.upper)
        if bound is not None
        for inner in ast.walk(bound)
        if isinstance(inner, ast.Name)
    }
    return bool(names & parameters)


def _all_rows(expr: ast.expr, context: NodeContext, depth: int) -> bool:
    """``expr`` is the list of every row of a session query without ``.limit()``."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(expr, ast.Name):
        value = _single_local_value(expr.id, context)
        return value is not None and _all_rows(value, context, depth + 1)
    if not (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "all"
        and not expr.args
    ):
        return False
    return _session_result(expr.func.value, context, depth + 1)


def _session_result(expr: ast.expr, context: NodeContext, depth: int) -> bool:
    """``session.execute(stmt)`` (awaited or not, maybe through ``.scalars()``) or
    ``session.query(...)...`` on a known session, with no ``.limit()`` in sight."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Name):
        value = _single_local_value(expr.id, context)
        return value is not None and _session_result(value, context, depth + 1)
    if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Attribute):
        return False
    method, receiver = expr.func.attr, expr.func.value
    if method in SESSION_READS and expr.args and _is_session(receiver, context):
        return not _limited(expr.args[0])
    if method in ROW_STEPS or method in QUERY_STEPS:
        return _session_result(receiver, context, depth + 1)
    return False


QUERY_STEPS = frozenset(
    {"filter", "filter_by", "where", "order_by", "join", "outerjoin", "options", "distinct"}
)


def _single_local_value(name: str, context: NodeContext) -> ast.expr | None:
    """The one value the enclosing function assigns to ``name``."""
    found = lookup(name, scope_chain(context), context)
    if found is None:
        return None
    scope, position = found
    values = scope.values.get(name, [])
    if position != 0 or len(values) != 1 or name in scope.opaque or name in scope.annotations:
        return None
    return values[0]


def _is_session(expr: ast.expr, context: NodeContext) -> bool:
    return session_kind(expr, context) is not None or conventional_session(expr, context)


def _limited(statement: ast.expr) -> bool:
    return any(
        isinstance(inner, ast.Attribute) and inner.attr in {"limit", "offset", "slice"}
        for inner in ast.walk(statement)
    )


@rule.visit(ast.Subscript)
def sliced_rows(node: ast.Subscript, context: NodeContext) -> Iterator[Finding]:
    slice_ = node.slice
    if not isinstance(slice_, ast.Slice) or slice_.step is not None:
        return
    if slice_.lower is None and slice_.upper is None:
        return
    if not isinstance(node.ctx, ast.Load) or context.enclosing_loops():
        return
    if not _bounds_from_parameters(slice_, context) or not _all_rows(node.value, context, 0):
        return
    yield context.report(
        node,
        "the page is sliced in Python after `.all()` loaded every row of the query, so "
        "memory and latency grow with the table instead of the page",
        fix="put the page in the statement: `.order_by(...).offset(start).limit(size)` and "
        "return its rows",
    )
