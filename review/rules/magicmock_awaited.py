"""SKS601: a plain ``MagicMock``/``Mock`` standing in for something the test awaits.

Calling a ``MagicMock`` returns another ``MagicMock``, which cannot be awaited, and it has no
``assert_awaited*`` methods (they raise ``AttributeError``). The rule decides only from what
the file shows: the mock (or a child of it) is awaited, checked with ``assert_awaited*`` or
``await_count``, or passed to a function or class of the same file that awaits it. A spec, an
``AsyncMock`` child, or a configured ``return_value`` (which may be a coroutine) keeps it
silent. The finding sits where the mock is created, where ``AsyncMock`` goes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.semantics.mock_usage import (
    ASSERT_AWAITED,
    AWAIT_ATTRIBUTES,
    MockReader,
    evidence,
    origins,
)

rule = Rule(
    code="SKS601",
    triggers=("Mock", "mock"),
    name="magicmock-awaited",
    section="testing.mocking",
    summary="A MagicMock or Mock used for something awaited (awaited, or checked with "
    "assert_awaited*); use AsyncMock.",
)

_readers: PerNodeCache[MockReader | None] = PerNodeCache()


def _reader(context: NodeContext) -> MockReader | None:
    """The file's reader, or None when the file never mentions a mock class."""
    tree = context.file.tree
    if tree is None:
        return None

    def build(node: ast.AST) -> MockReader | None:
        assert isinstance(node, ast.Module)
        if "Mock" not in context.file.source:
            return None
        return MockReader(node, context.file.imports)

    return _readers.get(context, tree, build)


def _top_function(
    context: NodeContext,
) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None] | None:
    """The module-level function or the method (of a class at any depth outside functions)
    the node sits in, with its class."""
    owner: ast.ClassDef | None = None
    for node in context.ancestors:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node, owner
        if isinstance(node, ast.Lambda):
            return None
        owner = node if isinstance(node, ast.ClassDef) else None
    return None


@rule.visit(ast.Attribute, attributes=ASSERT_AWAITED | AWAIT_ATTRIBUTES)
def mock_read_as_awaitable(node: ast.Attribute, context: NodeContext) -> Iterator[Finding]:
    """``x.assert_awaited_once()``, ``x.await_count``: only these names are worth a look."""
    return _findings(node, context)


@rule.visit(ast.Await, ast.Call)
def magicmock_awaited(node: ast.expr, context: NodeContext) -> Iterator[Finding]:
    return _findings(node, context)


def _findings(node: ast.expr, context: NodeContext) -> Iterator[Finding]:
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or not (node.args or node.keywords):
            return
        reader = _reader(context)
        reads = list(reader.passed_to_awaiting_code(node)) if reader is not None else []
    else:
        read = evidence(node)
        reader = _reader(context) if read is not None else None
        reads = [read] if read is not None else []
    if reader is None or not reads:
        return
    where = _top_function(context)
    if where is None:
        return
    for read in reads:
        if not reader.may_hold_mock(*where, read.parts[0], context.file.lines):
            continue
        for origin in origins(reader.scope_for(*where), read):
            if id(origin) in reader.reported:
                continue
            reader.reported.add(id(origin))
            yield context.report(
                origin,
                f"this plain MagicMock/Mock is {read.how} (line {node.lineno}), but calling it "
                "returns another MagicMock that cannot be awaited and has no assert_awaited* "
                "methods",
                fix="create it as `AsyncMock(...)` (or `new_callable=AsyncMock`); give it "
                "`spec=` the real class so only its async methods become awaitable",
            )
