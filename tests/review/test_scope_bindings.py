"""The shortcuts the queryset semantics take must not change what they find: the statement
walk read from a table of fields finds the same binding nodes as a walk that asks every field,
and a file's analyses go with its review instead of keeping its tree alive."""

from __future__ import annotations

import ast
import gc
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from stackskills.review import engine
from stackskills.review.engine import Reviewer
from stackskills.review.semantics.django_querysets import _BINDING_NODES, _scope_nodes
from stackskills.review.target import stack_from_spec

MATCH_AND_TRY = """
def handle(command, items):
    match command:
        case {"go": target, **rest}:
            moved = target
        case [first, *others] if first:
            moved = others
        case Point(x=0, y=height) | Point(x=height, y=0):
            moved = height
        case str() as text:
            moved = text
        case _:
            pass
    try:
        import json as codec
    except* ValueError as group:
        del group
    with open(items) as (a, b), lock:
        global seen
        for index, item in enumerate(a):
            total: int = index
            total += 1
    while items:
        nonlocal_name = items.pop()
    else:
        class Inner:
            hidden = 1
        def helper(): pass
"""


def _every_field_walk(scope: ast.AST) -> Iterator[ast.AST]:
    """The reference: every node below the scope's body that is not an expression, asking
    each field what it holds, without entering expressions or nested bodies."""
    pending = list(reversed(getattr(scope, "body", [])))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.expr):
            continue
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        pending.extend(reversed(list(ast.iter_child_nodes(node))))


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    yield from (
        node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _real_modules() -> list[Path]:
    stdlib = Path(ast.__file__).parent
    picked = [stdlib / "asyncio", stdlib / "json"]
    return sorted(path for folder in picked for path in folder.rglob("*.py"))


@pytest.mark.skipif(sys.version_info < (3, 11), reason="except* needs Python 3.11")
def test_the_statement_table_finds_every_binding_in_real_code() -> None:
    sources = [MATCH_AND_TRY] + [path.read_text(encoding="utf-8") for path in _real_modules()]
    compared = 0
    for source in sources:
        tree = ast.parse(source)
        for scope in _scopes(tree):
            fast = [node for node in _scope_nodes(scope, False) if isinstance(node, _BINDING_NODES)]
            reference = [
                node for node in _every_field_walk(scope) if isinstance(node, _BINDING_NODES)
            ]
            assert fast == reference, ast.unparse(scope)[:200]
            compared += len(reference)
    assert compared > 2_000  # the comparison saw real code, not just the sample


def test_match_and_try_bindings_are_all_found() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("except* needs Python 3.11")
    tree = ast.parse(MATCH_AND_TRY)
    function = tree.body[0]
    kinds = {type(node).__name__ for node in _scope_nodes(function, False)}
    expected = {
        "MatchMapping",
        "MatchStar",
        "MatchAs",
        "ExceptHandler",
        "withitem",
        "Global",
        "AnnAssign",
        "AugAssign",
        "Delete",
        "Import",
        "ClassDef",
        "FunctionDef",
    }
    assert expected <= kinds
    assert "Assign" in kinds and "Name" not in kinds  # expressions are neither yielded nor entered


def test_a_reviewed_files_tree_is_freed_when_its_review_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Analyses cached for one file must not keep its tree (and everything computed from it)
    alive into the next file's parse."""
    trees: list[weakref.ref[ast.Module]] = []
    parse = engine._parse

    def remembering(code: str, filename: str, result: object) -> ast.Module | None:
        tree = parse(code, filename, result)  # type: ignore[arg-type]
        if tree is not None:
            trees.append(weakref.ref(tree))
        return tree

    monkeypatch.setattr(engine, "_parse", remembering)
    code = (
        "from django.db import transaction\n"
        "def move(a, b):\n"
        "    rows = Order.objects.filter(paid=True)\n"
        "    if Order.objects.filter(paid=False):\n"
        "        for row in rows:\n"
        "            row.customer.name\n"
    )
    reviewer = Reviewer(stack=stack_from_spec("django==5.1"), python=(3, 12))
    gc.disable()
    try:
        result = reviewer.review_source(code, "orders.py")
        # the queryset semantics ran (and cached what they found) for this file
        assert [finding.rule for finding in result.findings] == ["SKS103", "SKS101"]
        assert trees and trees[0]() is None
    finally:
        gc.enable()


WALRUS_AND_PLAIN = """\
from shop.models import Order


def listing():
    if (rows := Order.objects.filter(paid=True)).exists():
        for row in rows:
            print(row.customer.name)


def plain():
    rows = Order.objects.all()
    for row in rows:
        print(row.customer.name)
"""


def test_a_name_bound_by_walrus_is_followed_in_its_function_only_where_one_is_written() -> None:
    reviewer = Reviewer(stack=stack_from_spec("django==5.1"), python=(3, 12))
    result = reviewer.review_source(WALRUS_AND_PLAIN, "views.py")
    assert [(finding.rule, finding.line) for finding in result.findings] == [
        ("SKS101", 7),
        ("SKS101", 13),
    ]


def test_walrus_within_reads_the_lines_a_node_spans() -> None:
    from stackskills.review.context import FileContext

    tree = ast.parse(WALRUS_AND_PLAIN)
    target = Reviewer(stack=stack_from_spec("django")).target(frozenset())[0]
    file = FileContext("views.py", WALRUS_AND_PLAIN, target, tree=tree)
    listing, plain = tree.body[1], tree.body[2]
    assert file.walrus_within(listing) and not file.walrus_within(plain)
    assert file.walrus_within(tree)  # no line span: anywhere in the file counts
    quiet = FileContext("views.py", "x = 1\n", target, tree=ast.parse("x = 1\n"))
    assert not quiet.walrus_within(tree)
