"""SKS206: a path operation reports a failure as an ordinary body, so it goes out as a 200.

Clients, retries, caches and monitoring read the status code; ``return {"error": ...}`` makes
them count the failure as a success, and every route invents its own error shape.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.fastapi_routes import enclosing_route
from stackskills.review.semantics.file_cache import PerNodeCache

rule = Rule(
    code="SKS206",
    triggers=("error", "detail"),
    name="fastapi-error-body",
    section="fastapi.exception-handling",
    summary='A path operation returns an error body such as {"error": ...} with status 200 '
    "instead of raising.",
)

ERROR_KEYS = {"error", "errors"}
FAILURE_TEXT = re.compile(
    r"\b(not found|does not exist|doesn't exist|invalid|failed|error|denied|forbidden|"
    r"unauthori[sz]ed|not allowed|already exists|missing)\b",
    re.IGNORECASE,
)
SUCCESS_TEXT = re.compile(r"\b(success|successfully|no errors?|without errors?)\b", re.IGNORECASE)
JSON_RESPONSES = {
    f"{module}.{name}"
    for module in ("fastapi.responses", "starlette.responses", "fastapi")
    for name in ("JSONResponse", "ORJSONResponse", "UJSONResponse")
}
FIX = (
    "raise an exception instead (`raise HTTPException(status_code=404, detail=...)` or an "
    "application error mapped by `@app.exception_handler`) so the response carries an error "
    "status"
)

_status_setters: PerNodeCache[bool] = PerNodeCache()


@rule.visit(ast.Return)
def error_body(node: ast.Return, context: NodeContext) -> Iterator[Finding]:
    value = node.value
    if isinstance(value, ast.Tuple) and value.elts:
        value = value.elts[0]  # Flask's `return {...}, 404` is a 200 with a JSON array here
    body = _error_dict(value, context)
    if body is None:
        return
    route = enclosing_route(context)
    if route is None:
        return
    function = route[0]
    if _status_setters.get(context, function, _sets_status_code):
        return
    key, says_failure = body
    if key == "detail":
        if not (says_failure or _in_except(context, function)):
            return
    elif not (says_failure or _in_branch(context, function)):
        return
    yield context.report(
        node,
        f'returning a `{{"{key}": ...}}` body from a path operation sends the failure with '
        "status 200, so clients and monitoring count it as a success",
        fix=FIX,
    )


def _error_dict(value: ast.expr | None, context: NodeContext) -> tuple[str, bool] | None:
    """The error key of an error-shaped dict literal (or a JSONResponse of one without a
    status), and whether the dict alone already says it is a failure (else it counts only
    inside an ``if``/``except`` branch of the route: an early exit)."""
    if isinstance(value, ast.Call):
        if (
            context.imported(value.func) not in JSON_RESPONSES
            or len(value.args) > 1
            or any(keyword.arg in {"status_code", None} for keyword in value.keywords)
        ):
            return None
        content = value.args[0] if value.args else None
        content = next((k.value for k in value.keywords if k.arg == "content"), content)
        value = content
    if not isinstance(value, ast.Dict):
        return None
    keys = {
        key.value: item
        for key, item in zip(value.keys, value.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }
    if _has_success_flag(keys):
        return None
    for key in sorted(ERROR_KEYS & keys.keys()):
        if not _is_empty(keys[key]):
            return key, _is_message(keys[key])
    detail = keys.get("detail")
    if detail is not None and len(value.keys) == 1:
        return "detail", _reads_as_failure(detail)
    return None


def _is_message(node: ast.expr) -> bool:
    """A text built right here: ``"not found"``, ``f"..."``, ``str(exc)``."""
    if isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    ):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"str", "repr"}
    )


def _is_empty(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and not node.value) or (
        isinstance(node, (ast.List, ast.Dict, ast.Tuple))
        and not getattr(node, "elts", None)
        and not getattr(node, "keys", None)
    )


def _has_success_flag(keys: dict[str, ast.expr]) -> bool:
    """``{"ok": True, "errors": [...]}`` is a result report, not a failed request."""
    for name in ("ok", "success"):
        flag = keys.get(name)
        if isinstance(flag, ast.Constant) and flag.value is True:
            return True
    return False


def _reads_as_failure(node: ast.expr) -> bool:
    texts: list[str] = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        texts.append(node.value)
    elif isinstance(node, ast.JoinedStr):
        texts.extend(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    text = " ".join(texts)
    return bool(FAILURE_TEXT.search(text)) and not SUCCESS_TEXT.search(text)


def _in_branch(context: NodeContext, function: ast.AST) -> bool:
    """Inside an ``if`` or ``except`` of the route: an early exit on failure."""
    for ancestor in reversed(context.ancestors):
        if ancestor is function:
            return False
        if isinstance(ancestor, (ast.If, ast.ExceptHandler)):
            return True
    return False


def _in_except(context: NodeContext, function: ast.AST) -> bool:
    for ancestor in reversed(context.ancestors):
        if ancestor is function:
            return False
        if isinstance(ancestor, ast.ExceptHandler):
            return True
    return False


def _sets_status_code(function: ast.AST) -> bool:
    """True when the route sets ``response.status_code`` itself, so the body's status is
    deliberate."""
    for node in ast.walk(function):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr == "status_code" for t in targets):
            return True
    return False
