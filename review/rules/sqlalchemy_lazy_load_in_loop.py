"""SKS305: relationships lazy-loaded row by row from a ``select()`` without loader options.

``for user in result.scalars(): for post in user.posts`` sends one query per user (and under
``AsyncSession`` raises ``MissingGreenlet`` instead); ``selectinload``/``joinedload`` in the
statement's ``.options(...)`` load them for every row at once.

Flagged only when the file shows all of it: the rows come from ``scalars()`` (or
``.scalars().all()``) of a statement built in the function as ``select(Model)`` with no
``.options(...)`` anywhere on it, and the loop iterates a row's attribute (``for post in
user.posts``) or reads through one (``post.author.name``). Value-like attributes (dates, JSON,
names of plain columns) are never taken for relationships, and a method call on the attribute
(``user.email.lower()``) is not a relationship read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS305",
    triggers=("scalars",),
    name="sqlalchemy-lazy-load-in-loop",
    section="sqlalchemy.eager-loading",
    summary="A relationship read per row from a select() that has no selectinload/joinedload "
    "option for it.",
)

VALUE_LIKE = frozenset(
    {"id", "pk", "uuid", "name", "title", "email", "status", "type", "kind", "data", "json",
     "meta", "metadata", "config", "settings", "value", "values", "date", "time", "path",
     "url", "text", "body", "payload", "extra", "attributes", "properties", "tags_json"}
)  # fmt: skip
VALUE_SUFFIXES = ("_at", "_on", "_date", "_time", "_id", "_json", "_url", "_path", "_count")


def _value_like(attribute: str) -> bool:
    return attribute in VALUE_LIKE or attribute.endswith(VALUE_SUFFIXES)


def _only_binding(name: str, scope: ast.AST) -> ast.expr | None:
    """The value assigned to ``name`` in ``scope`` when it is assigned exactly once."""
    bound = [
        node.value
        for node in ast.walk(scope)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]
    return bound[0] if len(bound) == 1 else None


def _select_without_options(expr: ast.expr, context: NodeContext, scope: ast.AST) -> bool:
    """``select(Model)...`` (or a name bound to one in ``scope``) with no ``.options(...)``."""
    if isinstance(expr, ast.Name):
        bound = _only_binding(expr.id, scope)
        return bound is not None and _select_without_options(bound, context, scope)
    saw_select = False
    node: ast.expr = expr
    while True:
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                if func.attr == "options":
                    return False
                node = func.value
                continue
            name = context.qualified_name(func)
            saw_select = (
                name in {"sqlalchemy.select", "sqlalchemy.future.select"}
                and bool(node.args)
                and all(isinstance(arg, ast.Name) and arg.id[:1].isupper() for arg in node.args)
            )
        return saw_select


def _rows_source(iterable: ast.expr) -> ast.expr | None:
    """The ``result`` in ``result.scalars()``, ``result.scalars().all()``, ``(await s).all()``."""
    node = iterable
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"all", "unique"}
    ):
        node = node.func.value
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "scalars" and not node.args:
            return node.func.value
        if node.func.attr == "scalars" and node.args:
            return node.args[0]
    return None


def _statement_of(source: ast.expr, scope: ast.AST) -> ast.expr | None:
    """The statement executed to produce ``source`` (a ``result`` name or the call itself)."""
    if isinstance(source, ast.Name):
        bound = _only_binding(source.id, scope)
        if bound is None:
            return None
        source = bound
    if isinstance(source, ast.Await):
        source = source.value
    if (
        isinstance(source, ast.Call)
        and isinstance(source.func, ast.Attribute)
        and source.func.attr in {"execute", "scalars"}
    ):
        return source.args[0] if source.args else None
    return source


def _relationship_reads(body: list[ast.stmt] | ast.expr, row: str) -> Iterator[ast.AST]:
    nodes = [body] if isinstance(body, ast.expr) else body
    for top in nodes:
        for node in ast.walk(top):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                it = node.iter
                if (
                    isinstance(it, ast.Attribute)
                    and isinstance(it.value, ast.Name)
                    and it.value.id == row
                    and not _value_like(it.attr)
                ):
                    yield it
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id == row
                and not _value_like(node.value.attr)
                and not node.attr.startswith("_")
            ):
                yield node


def _called(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    parent = parents.get(id(node))
    return isinstance(parent, ast.Call) and parent.func is node


def _check(
    row: ast.expr, iterable: ast.expr, body: list[ast.stmt] | ast.expr, context: NodeContext
) -> Iterator[Finding]:
    if not isinstance(row, ast.Name) or in_test_code(context):
        return
    scope = context.enclosing_function()
    if scope is None:
        return
    source = _rows_source(iterable)
    if source is None:
        return
    statement = _statement_of(source, scope)
    if statement is None or not _select_without_options(statement, context, scope):
        return
    roots = [body] if isinstance(body, ast.expr) else body
    parents = {id(child): parent for top in roots for parent in ast.walk(top)
               for child in ast.iter_child_nodes(parent)}  # fmt: skip
    for read in _relationship_reads(body, row.id):
        if _called(read, parents):
            continue
        relation = read.attr if isinstance(read.value, ast.Name) else read.value.attr  # type: ignore[attr-defined]
        yield context.report(
            read,
            f"`{row.id}.{relation}` is loaded lazily once per row: the select() has no loader "
            "option for it, so the loop sends one query per row (and fails under AsyncSession)",
            fix=f"add `.options(selectinload(<Model>.{relation}))` (collections) or "
            f"`joinedload(...)` (single objects) to the select()",
        )
        return


@rule.visit(ast.For, ast.AsyncFor)
def loop_over_rows(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if isinstance(node, (ast.For, ast.AsyncFor)):
        yield from _check(node.target, node.iter, node.body, context)


@rule.visit(ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
def comprehension_over_rows(node: ast.expr, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return
    if len(node.generators) != 1:
        return
    generator = node.generators[0]
    element = node.key if isinstance(node, ast.DictComp) else node.elt
    yield from _check(generator.target, generator.iter, element, context)
