"""Analysis a rule computes once per function (or per file) and reuses for every node in it.

The cache belongs to the tree being walked: it is replaced when the walk moves on to another
file, so it never grows beyond one file and ids of dead nodes cannot be confused. Each thread
has its own: the server reviews in worker threads, and two reviews sharing one cache replaced
each other's entries on every lookup (each recomputing per node what it should have computed
per function, so a large module took minutes instead of a second) and could read a dictionary
the other had just swapped out.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from stackskills.review.context import NodeContext

ValueT = TypeVar("ValueT")


class _TreeValues(threading.local, Generic[ValueT]):
    """One thread's tree and the values computed for its nodes."""

    def __init__(self) -> None:
        self.tree: ast.Module | None = None
        self.values: dict[int, ValueT] = {}


class PerNodeCache(Generic[ValueT]):
    """``cache.get(context, node, compute)``: ``compute(node)`` once per node of the current
    file (of the current thread)."""

    def __init__(self) -> None:
        self._local: _TreeValues[ValueT] = _TreeValues()

    def get(
        self, context: NodeContext, node: ast.AST, compute: Callable[[ast.AST], ValueT]
    ) -> ValueT:
        local = self._local
        tree = context.file.tree
        if tree is not local.tree:
            local.tree = tree
            local.values = {}
        values = local.values
        key = id(node)
        if key not in values:
            values[key] = compute(node)
        return values[key]
