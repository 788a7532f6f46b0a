"""Analysis a rule computes once per function (or per file) and reuses for every node in it.

The values live on the file under review (``FileContext.analyses``), so they go when its
review ends: they never outlive the tree, ids of dead nodes cannot be confused, and two
reviews running at once (the server reviews in worker threads) never see each other's. A
cache shared across reviews was replaced by each in turn, so every lookup recomputed per node
what it should have computed per function (a large module took minutes instead of a second);
a cache kept per thread held the last tree alive until the next file's first lookup, so each
parse ran beside a dead tree instead of in the memory it had freed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from stackskills.review.context import NodeContext

ValueT = TypeVar("ValueT")


class PerNodeCache(Generic[ValueT]):
    """``cache.get(context, node, compute)``: ``compute(node)`` once per node of the file
    under review."""

    def get(
        self, context: NodeContext, node: ast.AST, compute: Callable[[ast.AST], ValueT]
    ) -> ValueT:
        analyses: dict[Any, dict[int, ValueT]] = context.file.analyses
        values = analyses.get(self)
        if values is None:
            values = analyses[self] = {}
        key = id(node)
        if key in values:
            return values[key]
        value = values[key] = compute(node)
        return value
