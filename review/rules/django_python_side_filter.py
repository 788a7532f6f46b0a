"""SKS106: a comprehension loads a queryset's rows to keep those matching a field condition.

``[u for u in User.objects.all() if u.is_staff or u.is_superuser]`` builds every row of the
table to keep a few; ``filter(Q(is_staff=True) | Q(is_superuser=True))`` lets the database
pick them. Flagged only when every condition is one the database can evaluate: a field of the
row (``u.is_active``) tested for truth or compared with a value that does not depend on the row,
joined with ``and``/``or``/``not``. A field is one the model (defined in this file) declares;
when the model is defined elsewhere, a comparison of a plain attribute, or the truth of the
``AbstractUser`` flags ``is_active``/``is_staff``/``is_superuser``. Calls, properties reached
through relations and values computed from the row are left alone, as is test code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.django_querysets import (
    models_in_file,
    queryset_of,
    scope_facts,
    scope_node,
)
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS106",
    name="python-side-queryset-filter",
    section="django.complex-queries",
    summary="Rows of a queryset are filtered in Python with conditions the database could "
    "apply with filter() and Q objects.",
)

USER_FLAGS = frozenset({"is_active", "is_staff", "is_superuser"})
"""Boolean fields of Django's ``AbstractUser``, safe to treat as fields on any model."""
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
OPERATORS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
COMPUTED_WORDS = frozenset({"display", "full", "url", "count", "total", "age", "label"})
"""Words in an attribute name that suggest a property computed in Python."""


def _field(node: ast.expr, variable: str, fields: set[str] | None) -> str | None:
    """``row.attr`` when ``attr`` can be a database column."""
    if not (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == variable
        and not node.attr.startswith("_")
    ):
        return None
    if fields is not None:
        return node.attr if node.attr in fields else None
    if set(node.attr.split("_")) & COMPUTED_WORDS:
        return None
    return node.attr


def _independent(node: ast.expr, variable: str) -> bool:
    """A value that does not depend on the row and calls nothing."""
    for inner in ast.walk(node):
        if isinstance(inner, (ast.Call, ast.Await, ast.Lambda, *COMPREHENSIONS)):
            return False
        if isinstance(inner, ast.Name) and inner.id == variable:
            return False
    return True


def _database_condition(node: ast.expr, variable: str, fields: set[str] | None) -> bool:
    if isinstance(node, ast.BoolOp):
        return all(_database_condition(value, variable, fields) for value in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _database_condition(node.operand, variable, fields)
    if isinstance(node, ast.Attribute):
        name = _field(node, variable, fields)
        return name is not None and (fields is not None or name in USER_FLAGS)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        operator, right = node.ops[0], node.comparators[0]
        if isinstance(operator, (ast.Is, ast.IsNot)):
            known = isinstance(right, ast.Constant) and right.value is None
        else:
            known = isinstance(operator, OPERATORS) and _independent(right, variable)
        return known and _field(node.left, variable, fields) is not None
    return False


def _rows_reused(name: ast.Name, context: NodeContext) -> bool:
    """The queryset variable is read elsewhere, or the comprehension runs in a loop: its rows
    are loaded once and filtered in memory on purpose."""
    if context.enclosing_loops():
        return True
    scope = scope_node(context)
    if scope is None or scope is context.file.tree:
        return True
    loads = scope_facts(scope, context).loads.get(name.id, [])
    return any(load is not name for load in loads)


@rule.visit(ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
def filtered_in_python(node: ast.expr, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return
    if len(node.generators) != 1:
        return
    generator = node.generators[0]
    if not generator.ifs or not isinstance(generator.target, ast.Name) or generator.is_async:
        return
    variable = generator.target.id
    source = queryset_of(generator.iter, context)
    if source is None or source.dict_rows or source.related:
        return  # a related manager's rows may be prefetched: filtering them in Python is right
    if isinstance(generator.iter, ast.Name) and _rows_reused(generator.iter, context):
        return
    fields = models_in_file(context).fields.get(source.model) if source.model else None
    if not all(_database_condition(test, variable, fields) for test in generator.ifs):
        return
    if in_test_code(context):
        return
    yield context.report(
        generator.ifs[0],
        "rows are loaded from the database only to be filtered in Python; the condition "
        "can run in SQL",
        fix="move the condition into the queryset: `.filter(...)` with `Q(...) | Q(...)`, "
        "`~Q(...)` or `exclude(...)`",
    )
