"""SKS201: ``@app.on_event("startup")`` and friends where a ``lifespan=`` handler fits.

Since FastAPI 0.93 the startup/shutdown hooks are deprecated, and once an app has a lifespan
they are silently no longer called; one lifespan context manager keeps setup and teardown of a
resource together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.fastapi_routes import FASTAPI_FACTORIES, is_fastapi_object

rule = Rule(
    code="SKS201",
    triggers=("on_event", "add_event_handler", "on_startup", "on_shutdown"),
    name="fastapi-on-event",
    section="fastapi.lifespan",
    summary="Startup/shutdown hooks (on_event, add_event_handler, on_startup=) instead of a "
    "lifespan context manager.",
    requires=("fastapi>=0.93",),
)

EVENTS = {"startup", "shutdown"}
HOOK_METHODS = {"on_event", "add_event_handler"}
HOOK_KEYWORDS = {"on_startup", "on_shutdown"}
FIX = (
    "write one `@asynccontextmanager async def lifespan(app)` that opens the resource before "
    "`yield` and closes it after, and pass `FastAPI(lifespan=lifespan)`"
)


@rule.visit(ast.Call)
def event_hook(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in HOOK_METHODS:
        event = _event_name(node)
        if event is None or not _is_app(func.value, context):
            return
        yield context.report(
            node,
            f'`{func.attr}("{event}")` registers a deprecated {event} hook: since FastAPI 0.93 '
            "it is ignored once the app has a lifespan, and it splits a resource's setup from "
            "its teardown",
            fix=FIX,
        )
    elif any(keyword.arg in HOOK_KEYWORDS for keyword in node.keywords):
        if context.imported(func) not in FASTAPI_FACTORIES:
            return
        passed_through = _parameters_of(context.enclosing_function())
        for keyword in node.keywords:
            if keyword.arg not in HOOK_KEYWORDS or _is_empty(keyword.value):
                continue
            if isinstance(keyword.value, ast.Name) and keyword.value.id in passed_through:
                continue  # a wrapper handing on its caller's hooks, not choosing them
            yield context.report(
                keyword,
                f"`{keyword.arg}=` handlers are deprecated since FastAPI 0.93 and are not "
                "called when a lifespan is set",
                fix=FIX,
            )


def _event_name(node: ast.Call) -> str | None:
    first = node.args[0] if node.args else None
    if first is None:
        first = next((k.value for k in node.keywords if k.arg == "event_type"), None)
    if isinstance(first, ast.Constant) and first.value in EVENTS:
        return str(first.value)
    return None


def _is_app(node: ast.expr, context: NodeContext) -> bool:
    # `app.router.on_event(...)` is the same hook one level down.
    if isinstance(node, ast.Attribute) and node.attr == "router":
        node = node.value
    if isinstance(node, ast.Name) and node.id in {"self", "cls"}:
        return False  # the app or router class itself, implementing the hooks
    return is_fastapi_object(node, context, strict=True)


def _is_empty(node: ast.expr) -> bool:
    return (isinstance(node, (ast.List, ast.Tuple)) and not node.elts) or (
        isinstance(node, ast.Constant) and node.value is None
    )


def _parameters_of(function: ast.AST | None) -> set[str]:
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return set()
    arguments = function.args
    return {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
