"""SKS102: ``obj.field += n`` then ``obj.save()`` on an instance read from the database.

Two requests that read the same row both write back their own sum and one change is lost.
Flagged only when the instance comes from a queryset the file shows (``Model.objects.get()``,
``get_object_or_404(Model, ...)``, ``get_or_create()``, a loop over a queryset), the queryset
does not lock the row (``select_for_update()``), the value added is not text or a list (string
and list concatenation have no ``F() + n`` form), and ``save()`` on the same name follows.
Methods of the model itself (``self.views += 1``) and test code are left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.django_querysets import model_instance_source, scope_node
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS102",
    name="read-modify-write-save",
    section="django.atomic-updates",
    summary="A counter or balance is changed in Python and saved back instead of updated with "
    "an F() expression.",
)

NOT_COUNTER_WORDS = frozenset(
    {
        # dates moved by a timedelta
        "date", "time", "datetime", "at", "on", "from", "to", "start", "end", "until",
        "since",
        # text extended with a string held in a variable
        "name", "title", "text", "description", "notes", "note", "body", "content", "slug",
        "message", "comment", "log", "html", "label", "path", "url", "email", "tags",
    }
)  # fmt: skip
_saves: PerNodeCache[dict[str, list[int]]] = PerNodeCache()


def _save_lines(scope: ast.AST) -> dict[str, list[int]]:
    """Lines of ``name.save(...)`` / ``await name.asave(...)`` calls in a function, and of
    plain ``name.field = value`` assignments (keyed ``name.field``)."""
    found: dict[str, list[int]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and not _reads_itself(node.value, target)
            ):
                found.setdefault(f"{target.value.id}.{target.attr}", []).append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"save", "asave"}
            and isinstance(node.func.value, ast.Name)
        ):
            found.setdefault(node.func.value.id, []).append(node.lineno)
    return found


def _not_numeric(value: ast.expr) -> bool:
    """Text, lists and other literals that ``F() + n`` cannot express, or a value that
    already is an expression (``F(...)``)."""
    if isinstance(value, ast.Constant):
        return not isinstance(value.value, (int, float)) or isinstance(value.value, bool)
    if isinstance(
        value, (ast.JoinedStr, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.Lambda)
    ):
        return True
    for node in ast.walk(value):
        if isinstance(node, ast.JoinedStr):
            return True
        if isinstance(node, ast.BinOp) and any(
            isinstance(side, ast.Constant) and isinstance(side.value, str)
            for side in (node.left, node.right)
        ):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if callee in {"F", "str", "list", "format", "join", "Concat", "timedelta"}:
                return True
    return False


def _reads_itself(value: ast.expr, target: ast.Attribute) -> bool:
    return any(
        _same_attribute(target, node) for node in ast.walk(value) if isinstance(node, ast.expr)
    )


def _same_attribute(left: ast.expr, right: ast.expr) -> bool:
    return (
        isinstance(left, ast.Attribute)
        and isinstance(right, ast.Attribute)
        and isinstance(left.value, ast.Name)
        and isinstance(right.value, ast.Name)
        and left.value.id == right.value.id
        and left.attr == right.attr
    )


def _increment(node: ast.AugAssign | ast.Assign) -> tuple[ast.Attribute, ast.expr, str] | None:
    """(the attribute, the amount, "+" or "-") of ``obj.f += n`` / ``obj.f = obj.f + n``."""
    target: ast.expr
    if isinstance(node, ast.AugAssign):
        target, operator, amount = node.target, node.op, node.value
    else:
        if len(node.targets) != 1 or not isinstance(node.value, ast.BinOp):
            return None
        target, operator = node.targets[0], node.value.op
        if _same_attribute(target, node.value.left):
            amount = node.value.right
        elif isinstance(operator, ast.Add) and _same_attribute(target, node.value.right):
            amount = node.value.left
        else:
            return None
    if not isinstance(operator, (ast.Add, ast.Sub)) or _not_numeric(amount):
        return None
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
        return None
    if target.attr.startswith("_") or set(target.attr.split("_")) & NOT_COUNTER_WORDS:
        return None  # private state, a date or a text: not a counter
    return target, amount, "+" if isinstance(operator, ast.Add) else "-"


@rule.visit(ast.AugAssign, ast.Assign)
def incremented_then_saved(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.AugAssign, ast.Assign)):
        return
    increment = _increment(node)
    if increment is None:
        return
    target, amount, sign = increment
    assert isinstance(target.value, ast.Name)
    name, field = target.value.id, target.attr
    scope = scope_node(context)
    if scope is None or scope is context.file.tree:
        return
    lines = _saves.get(context, scope, _save_lines)
    if not any(line >= node.lineno for line in lines.get(name, [])):
        return
    if any(line < node.lineno for line in lines.get(f"{name}.{field}", [])):
        return  # the value was set in Python earlier in the function, not read from the row
    source = model_instance_source(name, context)
    if source is None or source.locked or in_test_code(context):
        return
    model = source.model or "Model"
    yield context.report(
        node,
        f"`{name}.{field}` is read into Python, changed and saved back: a concurrent request "
        "doing the same overwrites this change (lost update)",
        fix=f'`{model}.objects.filter(pk={name}.pk).update({field}=F("{field}") {sign} '
        f"{ast.unparse(amount)})`, or lock the row with `select_for_update()` inside "
        "`transaction.atomic()`",
    )
