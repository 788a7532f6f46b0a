"""Analysis a rule computes once per function (or per file) and reuses for every node in it.

The cache belongs to the tree being walked: it is replaced when the walk moves on to another
file, so it never grows beyond one file and ids of dead nodes cannot be confused.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Generic, TypeVar

from stackskills.review.context import NodeContext

ValueT = TypeVar("ValueT")


class PerNodeCache(Generic[ValueT]):
    """``cache.get(context, node, compute)``: ``compute(node)`` once per node of the current
    file."""

    def __init__(self) -> None:
        self._tree: ast.Module | None = None
        self._values: dict[int, ValueT] = {}

    def get(
        self, context: NodeContext, node: ast.AST, compute: Callable[[ast.AST], ValueT]
    ) -> ValueT:
        tree = context.file.tree
        if tree is not self._tree:
            self._tree = tree
            self._values = {}
        key = id(node)
        if key not in self._values:
            self._values[key] = compute(node)
        return self._values[key]
