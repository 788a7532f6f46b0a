"""Every statement of a file, at any depth, without visiting a single expression.

Analyses that look for classes, assignments or imports anywhere in a file used to walk every
node of it; statements are a small part of a tree, and they sit only in statement lists
(``body``, ``orelse``, ``finalbody``, and the bodies of ``except`` and ``case`` clauses).
"""

from __future__ import annotations

import ast

from stackskills.review.context import NodeContext
from stackskills.review.semantics.file_cache import PerNodeCache

_BODIES = ("body", "orelse", "finalbody")
_CLAUSES = ("handlers", "cases")

_statements: PerNodeCache[tuple[ast.stmt, ...]] = PerNodeCache()


def file_statements(context: NodeContext) -> tuple[ast.stmt, ...]:
    """The statements of the file being reviewed, outer ones before those nested in them."""
    tree = context.file.tree
    if tree is None:
        return ()
    return _statements.get(context, tree, statements_below)


def statements_below(node: ast.AST) -> tuple[ast.stmt, ...]:
    """Every statement inside ``node`` (not ``node`` itself), breadth first."""
    found: list[ast.stmt] = []
    queue: list[ast.AST] = [node]
    index = 0
    while index < len(queue):
        current = queue[index]
        index += 1
        for name in _BODIES:
            body = getattr(current, name, None)
            if type(body) is list:
                found.extend(body)
                queue.extend(body)
        for name in _CLAUSES:
            for clause in getattr(current, name, None) or ():
                found.extend(clause.body)
                queue.extend(clause.body)
    return tuple(found)


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` as a list, without its two generators per node: analyses
    that walk a whole function call it for every node in it."""
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            children.append(value)
        elif type(value) is list:
            children.extend(item for item in value if isinstance(item, ast.AST))
    return children
