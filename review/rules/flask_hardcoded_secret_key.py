"""SKS802: a string literal as Flask's ``SECRET_KEY``.

A secret in the source is in every clone, fork, CI log and backup, and stays in the git history
after it is deleted; whoever has it can forge the signed session cookies. The key belongs to the
deployment: an environment variable or a file in the instance folder.

Flagged: ``app.config["SECRET_KEY"] = "..."``, ``app.secret_key = "..."``,
``app.config.update(SECRET_KEY="...")``/``from_mapping(...)`` and ``SECRET_KEY = "..."`` in a
config class. Skipped: test code and test/development config classes, files in the instance
folder (that is where the key should live), a literal that the same function then overrides
from a file or the environment (Flask's tutorial ``SECRET_KEY="dev"`` followed by
``from_pyfile``), values read from the environment, empty strings, and module-level
``SECRET_KEY`` constants, which may be a deployment's own config file.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.flask_apps import imports_flask, is_flask_app
from stackskills.review.semantics.test_code import in_test_code, is_test_path

rule = Rule(
    code="SKS802",
    triggers=("SECRET_KEY", "secret_key"),
    name="flask-hardcoded-secret-key",
    section="flask.configuration",
    summary="A string literal assigned to Flask's SECRET_KEY (app.config, app.secret_key, "
    "config.update/from_mapping or a config class).",
)

SECRET_NAMES = frozenset({"SECRET_KEY", "JWT_SECRET_KEY"})
APP_NAMES = frozenset({"app", "application", "flask_app"})
CONFIG_WRITERS = frozenset({"update", "from_mapping"})
OVERRIDES = frozenset({"from_pyfile", "from_envvar", "from_prefixed_env", "from_file"})
"""Loaders that replace an in-code default with the deployment's value."""
NON_PRODUCTION_CLASS = re.compile(r"test|dev|local|debug|example|sample|demo", re.IGNORECASE)
FIX = (
    "read it from the deployment: `app.config.from_prefixed_env()` (FLASK_SECRET_KEY), "
    '`os.environ["SECRET_KEY"]`, or `instance/config.py` via `from_pyfile`'
)


def _secret_literal(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and isinstance(value.value, str) and bool(value.value)


def _flask_receiver(expr: ast.expr, context: NodeContext) -> bool:
    """Anything the file shows is a ``Flask`` (or ``current_app``), or, in a module that
    imports Flask, a name spelled ``app``/``self.app``."""
    if is_flask_app(expr, context):
        return True
    named = (isinstance(expr, ast.Name) and expr.id in APP_NAMES) or (
        isinstance(expr, ast.Attribute) and expr.attr in APP_NAMES
    )
    return named and imports_flask(context)


def _config_of(expr: ast.expr, context: NodeContext) -> bool:
    return (
        isinstance(expr, ast.Attribute)
        and expr.attr == "config"
        and _flask_receiver(expr.value, context)
    )


def _exempt(node: ast.AST, context: NodeContext) -> bool:
    filename = context.file.filename
    if is_test_path(filename) or "instance" in re.split(r"[\\/]", filename)[:-1]:
        return True
    return in_test_code(context) or _overridden_later(node, context)


def _overridden_later(node: ast.AST, context: NodeContext) -> bool:
    function = context.enclosing_function()
    if function is None or isinstance(function, ast.Lambda):
        return False
    line = getattr(node, "lineno", 0)
    for statement in function.body:
        if statement.end_lineno is not None and statement.end_lineno <= line:
            continue
        for inner in ast.walk(statement):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr in OVERRIDES
                and inner.lineno > line
            ):
                return True
    return False


def _report(node: ast.AST, name: str, context: NodeContext) -> Finding:
    return context.report(
        node,
        f"{name} is written in the source, so every clone and the git history hold the key "
        "that signs the session cookies, and every deployment shares it",
        fix=FIX,
    )


@rule.visit(ast.Assign)
def assigned_secret(node: ast.Assign, context: NodeContext) -> Iterator[Finding]:
    if not _secret_literal(node.value):
        return
    for target in node.targets:
        name = _secret_target(target, context)
        if name is not None and not _exempt(node, context):
            yield _report(node, name, context)
            return


def _secret_target(target: ast.expr, context: NodeContext) -> str | None:
    if isinstance(target, ast.Subscript):
        key = target.slice
        if (
            isinstance(key, ast.Constant)
            and key.value in SECRET_NAMES
            and _config_of(target.value, context)
        ):
            return f'`config["{key.value}"]`'
        return None
    if isinstance(target, ast.Attribute):
        if target.attr == "secret_key" and _flask_receiver(target.value, context):
            return "`secret_key`"
        return None
    if isinstance(target, ast.Name) and target.id in SECRET_NAMES:
        owner = context.parent
        if (
            isinstance(owner, ast.ClassDef)
            and not NON_PRODUCTION_CLASS.search(owner.name)
            and not _imports_django(context)
        ):
            return f"`{owner.name}.{target.id}`"
    return None


def _imports_django(context: NodeContext) -> bool:
    return any(
        origin.split(".", 1)[0] in {"django", "configurations"}
        for origin in context.file.imports.values()
    )


@rule.visit(ast.Call, callees=CONFIG_WRITERS)
def mapped_secret(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in CONFIG_WRITERS:
        return
    secret = next(
        (k.arg for k in node.keywords if k.arg in SECRET_NAMES and _secret_literal(k.value)),
        None,
    )
    if secret is None and node.args and _dict_call(node.args[0], context):
        assert isinstance(node.args[0], ast.Call)
        secret = next(
            (
                k.arg
                for k in node.args[0].keywords
                if k.arg in SECRET_NAMES and _secret_literal(k.value)
            ),
            None,
        )
    if secret is None and node.args and isinstance(node.args[0], ast.Dict):
        mapping = node.args[0]
        secret = next(
            (
                str(key.value)
                for key, value in zip(mapping.keys, mapping.values, strict=True)
                if isinstance(key, ast.Constant)
                and key.value in SECRET_NAMES
                and _secret_literal(value)
            ),
            None,
        )
    if secret is None or not _config_of(func.value, context) or _exempt(node, context):
        return
    yield _report(node, f"`{secret}`", context)


def _dict_call(node: ast.expr, context: NodeContext) -> bool:
    """``dict(SECRET_KEY=...)``, with ``dict`` the builtin."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
        and context.qualified_name(node.func) == "dict"
    )
