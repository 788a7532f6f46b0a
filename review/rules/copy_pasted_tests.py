"""SKS602: test functions that are copies of each other except for their literals.

Two tests whose bodies are the same tree once constants are blanked out test one behaviour
with two inputs; ``@pytest.mark.parametrize`` lists the inputs once and keeps the body in one
place. Tests that call different functions or read different attributes are different tests
and stay silent, as do bodies too small to be worth merging (one statement that is not an
``assert``) and tests already parametrized. unittest ``TestCase`` methods are skipped: pytest
cannot parametrize them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.file_cache import PerNodeCache

rule = Rule(
    code="SKS602",
    triggers=("test",),
    name="copy-pasted-tests",
    section="testing.parametrize",
    summary="Test functions identical except for their constants; write one test with "
    "@pytest.mark.parametrize.",
)

TestFunction = ast.FunctionDef | ast.AsyncFunctionDef

_classes: PerNodeCache[dict[str, ast.ClassDef]] = PerNodeCache()


def _dump(node: object, constants: list[tuple[str, str]]) -> str:
    """``node``'s tree as text with every constant blanked (and appended to ``constants``)."""
    if isinstance(node, ast.Constant):
        constants.append((type(node.value).__name__, repr(node.value)))
        return "_"
    if isinstance(node, ast.AST):
        fields = ",".join(_dump(value, constants) for _, value in ast.iter_fields(node))
        return f"{type(node).__name__}({fields})"
    if isinstance(node, list):
        return "[" + ",".join(_dump(item, constants) for item in node) + "]"
    return repr(node)


def _shape(function: TestFunction) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The function's tree with constants blanked and the constants themselves; None when the
    body is too small to count as a copied test."""
    body = function.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]  # the docstring says what differs, it is no part of the test
    if len(body) < 2 and not any(isinstance(statement, ast.Assert) for statement in body):
        return None
    constants: list[tuple[str, str]] = []
    parts = [function.args, function.returns, function.decorator_list, body]
    try:
        key = "|".join(_dump(part, constants) for part in parts)
    except RecursionError:
        return None
    kind = "async" if isinstance(function, ast.AsyncFunctionDef) else "def"
    return f"{kind}|{key}", tuple(constants)


def _parametrized_or_fixture(function: TestFunction) -> bool:
    """Already parametrized (pytest, ``parameterized.expand``), or a fixture named ``test_*``."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        text = ast.unparse(target)
        if any(word in text for word in ("parametrize", "parameterized", "expand", "fixture")):
            return True
    return False


def _tests(body: list[ast.stmt]) -> Iterator[TestFunction]:
    for statement in body:
        if (
            isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
            and statement.name.startswith("test")
            and not _parametrized_or_fixture(statement)
        ):
            yield statement


def _unittest_class(node: ast.ClassDef, context: NodeContext, depth: int = 0) -> bool:
    """A ``TestCase`` subclass, directly or through a base class defined in this module."""
    for base in node.bases:
        name = context.qualified_name(base) or ""
        if name.startswith("unittest.") or "TestCase" in name or "IsolatedAsyncio" in name:
            return True
        tree = context.file.tree
        if isinstance(base, ast.Name) and tree is not None and depth < 5:
            local = _classes.get(context, tree, _classes_by_name).get(base.id)
            if (
                local is not None
                and local is not node
                and _unittest_class(local, context, depth + 1)
            ):
                return True
    return False


def _classes_by_name(tree: ast.AST) -> dict[str, ast.ClassDef]:
    assert isinstance(tree, ast.Module)
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


_STRING = "|".join(
    [
        r'"""[\s\S]*?"""',
        r"'''[\s\S]*?'''",
        r'"(?:\\.|[^"\\\n])*"',
        r"'(?:\\.|[^'\\\n])*'",
    ]
)
_LITERALS_AND_LAYOUT = re.compile(
    rf"[rRbBuUfF]{{0,2}}(?:{_STRING})"  # string literals, with their prefixes
    r"|#[^\n]*"  # comments
    r"|\.?\b\d[\w.]*"  # numbers
    r"|\b(?:True|False|None)\b"
    r"|[\s(),\[\]{}\\;]+"  # layout a formatter may change
)
"""String/number literals, comments, brackets and layout: what a copy may change."""


def _rough_key(function: TestFunction, lines: list[str]) -> str:
    """The body's source without literals and layout: equal for any two tests whose trees
    are equal up to constants (and for some others), and cheap to compute for every test."""
    first = function.body[0]
    text = [lines[first.lineno - 1][first.col_offset :], *lines[first.lineno : function.end_lineno]]
    return _LITERALS_AND_LAYOUT.sub("", "\n".join(text))


def _copies(body: list[ast.stmt], context: NodeContext) -> Iterator[Finding]:
    tests = list(_tests(body))
    if len(tests) < 2:
        return
    groups: dict[tuple[bool, str], list[TestFunction]] = {}
    for function in tests:
        rough = (
            isinstance(function, ast.AsyncFunctionDef),
            _rough_key(function, context.file.lines),
        )
        groups.setdefault(rough, []).append(function)
    candidates = {id(f) for group in groups.values() if len(group) > 1 for f in group}
    first_of_shape: dict[str, tuple[TestFunction, tuple[tuple[str, str], ...]]] = {}
    for function in tests:
        if id(function) not in candidates:
            continue
        shape = _shape(function)
        if shape is None:
            continue
        key, constants = shape
        original = first_of_shape.get(key)
        if original is None:
            first_of_shape[key] = (function, constants)
            continue
        if constants == original[1]:
            continue  # the very same test twice is a redefinition, not a parametrize case
        yield context.report(
            _def_line(function),
            f"`{function.name}` repeats `{original[0].name}` (line {original[0].lineno}) "
            "with other literals; copies drift apart when one of them is edited",
            fix="merge them into one test decorated with `@pytest.mark.parametrize(...)`, one "
            "`pytest.param(..., id=...)` per case",
        )


def _def_line(function: TestFunction) -> ast.AST:
    """The span of ``def name`` alone: a finding should not cover the whole body."""
    marker = ast.Pass()
    marker.lineno = marker.end_lineno = function.lineno
    marker.col_offset = function.col_offset
    keyword = "async def " if isinstance(function, ast.AsyncFunctionDef) else "def "
    marker.end_col_offset = function.col_offset + len(keyword) + len(function.name)
    return marker


@rule.visit(ast.Module)
def module_copies(node: ast.Module, context: NodeContext) -> Iterator[Finding]:
    yield from _copies(node.body, context)


@rule.visit(ast.ClassDef)
def class_copies(node: ast.ClassDef, context: NodeContext) -> Iterator[Finding]:
    if _unittest_class(node, context):
        return
    yield from _copies(node.body, context)
