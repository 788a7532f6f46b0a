"""SKS104: one INSERT or UPDATE per row inside a ``for`` loop.

Flags ``Model.objects.create(...)``, ``Model(...).save()`` and ``obj = Model(...); obj.save()``
inside a ``for`` loop or comprehension (``bulk_create``), and a loop over a queryset whose body
only assigns fields of the row and saves it (``bulk_update`` or ``update()``). ``Model`` must be
a model by what the file shows (defined here, or imported from a ``models`` module) or sit
before ``.objects``. Skipped: ``while`` loops and loops that ``break`` or ``return`` (retries
and searches, not batches), writes guarded by ``except IntegrityError`` (each row may fail on
its own), ``get_or_create``/``update_or_create``, and test code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.django_querysets import (
    manager_model,
    model_classes,
    queryset_of,
    scope_facts,
    scope_node,
)
from stackskills.review.semantics.statements import child_nodes
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS104",
    name="row-by-row-writes",
    section="django.bulk-operations",
    summary="Rows are inserted or updated one statement at a time inside a loop instead of "
    "with bulk_create/bulk_update.",
)

COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
SAVE_KEYWORDS = frozenset({"update_fields", "using", "force_insert", "force_update"})
"""``Model.save()``'s own keywords; any other (``save(user=...)``) means an overridden
``save()`` whose logic the bulk methods would skip."""


def _plain_save(call: ast.Call) -> bool:
    return not call.args and all(keyword.arg in SAVE_KEYWORDS for keyword in call.keywords)


def _leaves_early(loop: ast.For | ast.AsyncFor) -> bool:
    """The loop body can ``return``, or ``break`` out of this loop (retries and searches)."""
    pending: list[tuple[ast.AST, bool]] = [(statement, False) for statement in loop.body]
    while pending:
        node, in_inner_loop = pending.pop()
        if isinstance(node, ast.Return) or (isinstance(node, ast.Break) and not in_inner_loop):
            return True
        if isinstance(node, FUNCTIONS):
            continue
        inner = in_inner_loop or isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        pending.extend((child, inner) for child in child_nodes(node))
    return False


def _catches_integrity_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return False
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        (t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", "")) == "IntegrityError"
        for t in types
    )


def _per_row_loop(context: NodeContext) -> ast.AST | None:
    """The innermost ``for`` loop or comprehension whose body runs the node, when it is a
    batch (no ``while`` around the node inside it, no early exit, no IntegrityError guard)."""
    ancestors = context.ancestors
    for index in range(len(ancestors) - 1, -1, -1):
        node = ancestors[index]
        child = ancestors[index + 1] if index + 1 < len(ancestors) else None
        if isinstance(node, FUNCTIONS):
            return None
        if isinstance(node, ast.While):
            return None
        if (
            isinstance(node, ast.Try)
            and any(_catches_integrity_error(handler) for handler in node.handlers)
            and any(statement is child for statement in node.body)
        ):
            return None
        if isinstance(node, (ast.For, ast.AsyncFor)):
            if not any(statement is child for statement in node.body):
                return None
            return None if _leaves_early(node) else node
        if isinstance(node, COMPREHENSIONS):
            if isinstance(child, ast.comprehension):
                return None
            return node
    return None


def _model_call(expr: ast.expr, context: NodeContext) -> str | None:
    """``Post`` for ``Post(...)`` when ``Post`` is a model by what the file shows."""
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id in model_classes(context)
    ):
        return expr.func.id
    return None


def _sets_private_state(name: str, context: NodeContext) -> bool:
    """``obj._actor = user`` before ``obj.save()``: an overridden ``save()`` reads it."""
    scope = scope_node(context)
    return scope is not None and any(
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and node.attr.startswith("_")
        and isinstance(node.value, ast.Name)
        and node.value.id == name
        for node in ast.walk(scope)
    )


def _instance_model(name: str, context: NodeContext) -> str | None:
    scope = scope_node(context)
    if scope is None:
        return None
    bindings = scope_facts(scope, context).bindings.get(name, [])
    models = set()
    for binding in bindings:
        if binding.kind != "value" or not isinstance(binding.node, ast.expr):
            return None
        model = _model_call(binding.node, context)
        if model is None:
            return None
        models.add(model)
    return models.pop() if len(models) == 1 else None


@rule.visit(ast.Call, callees={"create", "acreate", "save"})
def write_in_loop(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in {"create", "acreate", "save"}:
        return
    # the loop first: most writes are not in one, and it is read off the ancestors while
    # the model takes the function's bindings
    if _per_row_loop(context) is None:
        return
    if func.attr == "save":
        if not _plain_save(node):
            return
        receiver = func.value
        if isinstance(receiver, ast.Name):
            model = _instance_model(receiver.id, context)
            if model is not None and _sets_private_state(receiver.id, context):
                return
        else:
            model = _model_call(receiver, context)
    else:
        model = manager_model(func.value, context)
    if model is None or in_test_code(context):
        return
    model = model or "Model"
    yield context.report(
        node,
        f"one INSERT per loop iteration: each `{ast.unparse(func)}()` is its own query "
        "and its own commit",
        fix=f"build the `{model}(...)` objects in a list and call "
        f"`{model}.objects.bulk_create(objects, batch_size=...)` once after the loop",
    )


def _assigns_only(statements: list[ast.stmt], variable: str) -> bool:
    """Statements that only assign fields of ``variable`` or local names (in ``if`` too)."""
    for statement in statements:
        if isinstance(statement, ast.If):
            if not (
                _assigns_only(statement.body, variable)
                and _assigns_only(statement.orelse, variable)
            ):
                return False
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                if target.id == variable:
                    return False
                continue
            if not (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == variable
            ):
                return False
            if any(
                isinstance(inner, ast.Call) and getattr(inner.func, "id", None) == "F"
                for inner in ast.walk(statement.value)
            ):
                return False
        else:
            return False
    return True


def _field_assigned(statements: list[ast.stmt], variable: str) -> bool:
    return any(
        isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Attribute)
        and isinstance(node.targets[0].value, ast.Name)
        and node.targets[0].value.id == variable
        for statement in statements
        for node in ast.walk(statement)
    )


def _copies_rows(statements: list[ast.stmt], variable: str) -> bool:
    """``row.pk = None`` before ``save()``: each save inserts a copy."""
    return any(
        isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Attribute)
        and node.targets[0].attr in {"pk", "id"}
        and isinstance(node.value, ast.Constant)
        and node.value.value is None
        for statement in statements
        for node in ast.walk(statement)
    )


def _save_of(statement: ast.stmt, variable: str) -> ast.Call | None:
    value = statement.value if isinstance(statement, ast.Expr) else None
    if isinstance(value, ast.Await):
        value = value.value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in {"save", "asave"}
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == variable
        and _plain_save(value)
    ):
        return value
    return None


@rule.visit(ast.For, ast.AsyncFor)
def save_per_row(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.For, ast.AsyncFor)):
        return
    if not isinstance(node.target, ast.Name) or not node.body:
        return
    variable = node.target.id
    save = _save_of(node.body[-1], variable)
    if save is None:
        return
    body = node.body[:-1]
    if not (_assigns_only(body, variable) and _field_assigned(body, variable)):
        return
    source = queryset_of(node.iter, context)
    if source is None or source.dict_rows or in_test_code(context):
        return
    model = source.model or "Model"
    if _copies_rows(body, variable):
        yield context.report(
            save,
            f"one INSERT per row: `{variable}.save()` copies each row with its own query",
            fix=f"collect the copies in a list and call `{model}.objects.bulk_create(copies, "
            "batch_size=...)` once after the loop",
        )
        return
    yield context.report(
        save,
        f"one UPDATE per row: `{variable}.save()` runs a query for every row of the loop",
        fix=f"collect the changed rows and call `{model}.objects.bulk_update(rows, [fields], "
        "batch_size=...)` once, or `queryset.update(field=value)` when every row gets the "
        "same value",
    )
