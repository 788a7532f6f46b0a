"""SKS803: an error handler that returns ``jsonify(...)`` (or a bare dict) without a status.

Flask does not take the status from the error: a handler's response without one answers 200,
so clients, caches and monitoring see success. Return ``(jsonify(...), code)``, or build the
response from ``error.get_response()``, which keeps the error's status and headers.

Handlers are functions decorated ``@app.errorhandler(...)``/``@bp.errorhandler(...)``/
``@bp.app_errorhandler(...)`` or passed to ``register_error_handler``, on receivers the file
shows are a Flask app or blueprint (or named ``app``/``bp``/``blueprint``): Flask-RESTX's and
Flask-Smorest's ``api.errorhandler`` fill in the status themselves. Test code is skipped.
Only the handler's own ``return`` statements count (not nested functions), and a response
whose ``status_code`` is set before it is returned is fine.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.bindings import local_function
from stackskills.review.semantics.flask_apps import is_app_or_blueprint
from stackskills.review.semantics.test_code import in_test_code, is_test_function

rule = Rule(
    code="SKS803",
    triggers=("errorhandler", "register_error_handler"),
    name="flask-error-handler-status",
    section="flask.error-handlers",
    summary="A Flask error handler returning jsonify(...) or a dict without a status code, "
    "which answers 200.",
)

DECORATORS = frozenset({"errorhandler", "app_errorhandler"})
RECEIVER_NAMES = frozenset({"app", "application", "bp", "blueprint", "api_bp"})
JSONIFY = frozenset({"flask.jsonify", "flask.json.jsonify"})
MAKE_RESPONSE = frozenset({"flask.make_response", "flask.helpers.make_response"})
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _flask_receiver(expr: ast.expr, context: NodeContext) -> bool:
    if isinstance(expr, ast.Name) and expr.id in RECEIVER_NAMES:
        return True
    if isinstance(expr, ast.Attribute) and expr.attr in RECEIVER_NAMES:
        return True
    return is_app_or_blueprint(expr, context)


def _registered(decorator: ast.expr, context: NodeContext) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in DECORATORS
        and _flask_receiver(decorator.func.value, context)
    )


@rule.visit(ast.FunctionDef, ast.AsyncFunctionDef)
def decorated_handler(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    if any(_registered(decorator, context) for decorator in node.decorator_list):
        yield from _statusless_returns(node, context)


@rule.visit(ast.Call, callees={"register_error_handler"})
def registered_handler(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    if (
        not isinstance(func, ast.Attribute)
        or func.attr != "register_error_handler"
        or len(node.args) != 2
        or not _flask_receiver(func.value, context)
    ):
        return
    handler = local_function(node.args[1], context)
    if handler is not None:
        yield from _statusless_returns(handler, context)


def _own_returns(function: FunctionNode) -> Iterator[ast.Return]:
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Return):
            yield node
        elif not isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
        ):
            pending.extend(ast.iter_child_nodes(node))


def _statusless_returns(function: FunctionNode, context: NodeContext) -> Iterator[Finding]:
    if in_test_code(context) or is_test_function(function):
        return
    for returned in _own_returns(function):
        value = returned.value
        if value is None:
            continue
        body = _statusless_body(value, context)
        if body is None:
            continue
        yield context.report(
            returned,
            f"error handler `{function.name}` returns {body} without a status code, so the "
            "error answers 200 OK",
            fix="return the status with the body: `return jsonify(...), 404` (or "
            "`error.code` for an HTTPException)",
        )


def _statusless_body(value: ast.expr, context: NodeContext) -> str | None:
    if isinstance(value, ast.Dict):
        return "a dict"
    if not isinstance(value, ast.Call):
        return None
    name = context.imported(value.func)
    if name in JSONIFY:
        return "`jsonify(...)`"
    if name in MAKE_RESPONSE and len(value.args) == 1 and not value.keywords:
        inner = value.args[0]
        if isinstance(inner, ast.Call) and context.imported(inner.func) in JSONIFY:
            return "`make_response(jsonify(...))`"
    return None
