"""SKS804: a Flask app built and configured at import time instead of in a factory.

An ``app = Flask(__name__)`` that the module then configures (``app.config.from_object``,
``ext.init_app(app)``, ``app.register_blueprint``) fixes one configuration at import: tests
cannot build an app with their own settings, and two apps (tests, workers) share one set of
extensions. ``create_app()`` builds a fresh, configured app on each call.

A one-file app that only creates ``Flask(__name__)`` and adds routes is left alone (the
section says such small apps are fine); what is flagged is configuring it at module level.
Test code and ``if __name__ == "__main__":`` blocks are skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.test_code import is_test_path

rule = Rule(
    code="SKS804",
    triggers=("Flask",),
    name="flask-app-configured-at-import",
    section="flask.application-factory",
    summary="A module-level Flask app that the module configures at import time instead of "
    "in an application factory.",
)

CONFIG_LOADERS = frozenset(
    {"from_object", "from_pyfile", "from_envvar", "from_prefixed_env", "from_mapping",
     "from_file", "update"}
)  # fmt: skip


def _app_name(node: ast.Assign, context: NodeContext) -> str | None:
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return None
    value = node.value
    if not isinstance(value, ast.Call) or context.qualified_name(value.func) != "flask.Flask":
        return None
    return node.targets[0].id


def _configures(statement: ast.stmt, app: str) -> bool:
    """True for ``app.config.from_x(...)``, ``ext.init_app(app)``, ``app.register_blueprint``."""
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return False
    call = statement.value
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    target = func.value
    if func.attr == "init_app":
        return any(isinstance(arg, ast.Name) and arg.id == app for arg in call.args)
    if func.attr == "register_blueprint":
        return isinstance(target, ast.Name) and target.id == app
    return (
        func.attr in CONFIG_LOADERS
        and isinstance(target, ast.Attribute)
        and target.attr == "config"
        and isinstance(target.value, ast.Name)
        and target.value.id == app
    )


@rule.visit(ast.Assign)
def module_level_app(node: ast.Assign, context: NodeContext) -> Iterator[Finding]:
    tree = context.file.tree
    if tree is None or context.parent is not tree or is_test_path(context.file.filename):
        return
    app = _app_name(node, context)
    if app is None:
        return
    later = tree.body[tree.body.index(node) + 1 :]
    if any(_configures(statement, app) for statement in later):
        yield context.report(
            node,
            f"the Flask app `{app}` is created and configured when the module is imported, so "
            "tests and workers cannot build an app with other settings",
            fix="move the creation and configuration into `def create_app(test_config=None)` "
            "that returns the app; register routes on a Blueprint",
        )
