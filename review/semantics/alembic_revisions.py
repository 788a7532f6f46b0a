"""Whether a file is an Alembic revision script: frozen history that replays old schema
changes, where models and queries are snapshots nobody modernises."""

from __future__ import annotations

import ast

from stackskills.review.context import NodeContext
from stackskills.review.semantics.file_cache import PerNodeCache

_revisions: PerNodeCache[bool] = PerNodeCache()


def in_alembic_revision(context: NodeContext) -> bool:
    """The module assigns both ``revision`` and ``down_revision`` at top level."""
    tree = context.file.tree
    return tree is not None and _revisions.get(context, tree, _is_revision)


def _is_revision(tree: ast.AST) -> bool:
    assert isinstance(tree, ast.Module)
    names: set[str] = set()
    for statement in tree.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return {"revision", "down_revision"} <= names
