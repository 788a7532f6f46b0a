"""SKS702: ``raise Exception(...)`` in application code.

A bare ``Exception`` cannot be caught without catching everything else, and callers cannot
tell a missing user from a broken database; raise a class from the app's own hierarchy.

Test code is skipped: a stub that raises ``Exception("boom")`` to simulate a failure is the
point of the test, not a design choice callers live with. So is a script's
``if __name__ == "__main__":`` block: nothing calls it, so no caller has to catch it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS702",
    triggers=("Exception",),
    name="raise-bare-exception",
    section="errors.exception-hierarchy",
    summary="Raising the built-in Exception itself instead of a specific application error.",
)

GENERIC = frozenset({"Exception", "BaseException"})
ACKNOWLEDGED = re.compile(r"#.*(?:\bTRY002\b|\bW0719\b|broad-exception-raised)")
"""Another linter's suppression of this very check (ruff TRY002, pylint W0719)."""

_rebound: PerNodeCache[frozenset[str]] = PerNodeCache()


def _module_rebinds(tree: ast.AST) -> frozenset[str]:
    """``Exception``/``BaseException`` when the module defines or assigns its own."""
    assert isinstance(tree, ast.Module)
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef) and statement.name in GENERIC:
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names.update(
                target.id
                for target in statement.targets
                if isinstance(target, ast.Name) and target.id in GENERIC
            )
    return frozenset(names)


def _generic_name(raised: ast.expr | None, context: NodeContext) -> str | None:
    if isinstance(raised, ast.Call):
        raised = raised.func
    if raised is None:
        return None
    name = context.qualified_name(raised)
    if name is None:
        return None
    name = name.removeprefix("builtins.")
    if name not in GENERIC:
        return None  # imported under that name from elsewhere, or another class
    tree = context.file.tree
    if tree is not None and name in _rebound.get(context, tree, _module_rebinds):
        return None
    return name


def _in_main_block(context: NodeContext) -> bool:
    for node in context.ancestors[1:2]:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            sides = [node.test.left, *node.test.comparators]
            names = {side.id for side in sides if isinstance(side, ast.Name)}
            values = {side.value for side in sides if isinstance(side, ast.Constant)}
            return names == {"__name__"} and values == {"__main__"}
    return False


@rule.visit(ast.Raise)
def raise_generic(node: ast.Raise, context: NodeContext) -> Iterator[Finding]:
    name = _generic_name(node.exc, context)
    if name is None or in_test_code(context) or _in_main_block(context):
        return
    lines = context.file.lines[node.lineno - 1 : node.end_lineno]
    if any(ACKNOWLEDGED.search(line) for line in lines):
        return
    yield context.report(
        node,
        f"raising the generic {name} forces callers to catch everything; raise a "
        "specific error class from the application's exception hierarchy",
        fix=f"raise a subclass such as `class AppError({name})` or a more specific one",
    )
