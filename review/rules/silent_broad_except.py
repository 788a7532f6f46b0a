"""SKS701: ``except Exception: pass`` (or a bare ``except:``) in application code.

A handler that catches everything and does nothing makes the failed item vanish without a
reason, and with it every bug raised inside the ``try``. Expected failures should come back
as values (``Err(reason)``) or be caught by their narrow class.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS701",
    triggers=("except",),
    name="silent-broad-except",
    section="errors.result-pattern",
    summary="A bare except or except Exception/BaseException whose body only passes or "
    "continues, swallowing every error silently.",
)

BROAD = frozenset({"Exception", "BaseException"})
ACKNOWLEDGED = re.compile(
    r"#.*(?:\b(?:S110|S112|B110|BLE001|E722|W0702|W0703|W0718)\b"
    r"|broad-except|broad-exception-caught|bare-except)"
)
"""Another linter's suppression of this very check: the author already decided the handler
may swallow (bandit S110/B110, flake8-blind-except, pycodestyle E722, pylint)."""


def _broad_name(handler: ast.ExceptHandler, context: NodeContext) -> str | None:
    """``Exception``/``BaseException``/``except:`` caught by the handler, else None."""
    if handler.type is None:
        return "every exception"
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for item in caught:
        name = context.qualified_name(item)
        if name is not None and name.removeprefix("builtins.") in BROAD:
            return name.removeprefix("builtins.")
    return None


def _does_nothing(body: list[ast.stmt]) -> bool:
    return all(
        isinstance(statement, (ast.Pass, ast.Continue))
        or (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and statement.value.value is Ellipsis
        )
        for statement in body
    )


@rule.visit(ast.ExceptHandler)
def silent_broad_except(node: ast.ExceptHandler, context: NodeContext) -> Iterator[Finding]:
    if not _does_nothing(node.body):
        return
    caught = _broad_name(node, context)
    if caught is None or in_test_code(context) or _acknowledged(node, context.file.lines):
        return
    what = "a bare `except:`" if node.type is None else f"`except {caught}`"
    yield context.report(
        _except_line(node),
        f"{what} whose body does nothing swallows every error, bugs included, and drops the "
        "failed item without a reason",
        fix="catch the narrow exception the code expects (e.g. `except ValueError:`) and "
        "return or record the reason (an `Err(...)` value, a log line) instead of `pass`",
    )


def _acknowledged(node: ast.ExceptHandler, lines: list[str]) -> bool:
    last = node.body[-1].end_lineno or node.lineno
    return any(ACKNOWLEDGED.search(line) for line in lines[node.lineno - 1 : last])


def _except_line(node: ast.ExceptHandler) -> ast.AST:
    """The span of the ``except ...:`` clause itself, not its body."""
    clause = ast.Pass()
    clause.lineno = node.lineno
    clause.col_offset = node.col_offset
    if node.type is None:
        clause.end_lineno = node.lineno
        clause.end_col_offset = node.col_offset + len("except")
    else:
        clause.end_lineno = node.type.end_lineno
        clause.end_col_offset = node.type.end_col_offset
    return clause
