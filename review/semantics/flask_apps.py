"""What the file shows of Flask: whether it imports Flask (or an extension), and whether an
expression is a ``Flask`` app or a ``Blueprint``."""

from __future__ import annotations

import ast

from stackskills.review.context import NodeContext
from stackskills.review.semantics.bindings import Kind, instance_of
from stackskills.review.semantics.file_cache import PerNodeCache

APP = Kind(classes=frozenset({"flask.Flask", "flask.app.Flask", "flask.sansio.app.App"}))
APP_OR_BLUEPRINT = Kind(
    classes=APP.classes
    | frozenset(
        {"flask.Blueprint", "flask.blueprints.Blueprint", "flask.sansio.blueprints.Blueprint"}
    )
)
CURRENT_APP = frozenset({"flask.current_app", "flask.globals.current_app"})

_flask_modules: PerNodeCache[bool] = PerNodeCache()


def is_flask_app(expr: ast.expr, context: NodeContext) -> bool:
    """``Flask(...)`` by every binding in view, a parameter annotated ``Flask``, or
    ``current_app``."""
    return context.imported(expr) in CURRENT_APP or instance_of(expr, APP, context)


def is_app_or_blueprint(expr: ast.expr, context: NodeContext) -> bool:
    return context.imported(expr) in CURRENT_APP or instance_of(expr, APP_OR_BLUEPRINT, context)


def imports_flask(context: NodeContext) -> bool:
    """The module imports ``flask`` or a ``flask_*`` extension anywhere at top level."""
    tree = context.file.tree
    return tree is not None and _flask_modules.get(context, tree, _imports_flask)


def _imports_flask(tree: ast.AST) -> bool:
    assert isinstance(tree, ast.Module)
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        elif isinstance(node, (ast.If, ast.Try)):
            pending.extend(node.body)
            pending.extend(node.orelse)
        if any(module == "flask" or module.startswith(("flask.", "flask_")) for module in modules):
            return True
    return False
