"""SKS405: httpx timeouts switched off with ``timeout=None``.

httpx bounds connecting, each read and write, and waiting for a pooled connection (5 seconds
each by default). ``timeout=None`` removes all of them, so a peer that never answers holds the
request, and whatever it holds (a worker, a connection, a semaphore slot), forever.
Only httpx is judged: ``requests``, ``aiohttp`` and queues have their own meaning of ``None``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.awaits import name_tokens
from stackskills.review.semantics.bindings import Kind, instance_of

rule = Rule(
    code="SKS405",
    triggers=("timeout", "Timeout"),
    name="httpx-timeout-disabled",
    section="async.timeouts",
    summary="An httpx client or request created with timeout=None, which disables every "
    "client timeout.",
)

HTTPX_CLIENTS = Kind(
    classes=frozenset(
        {
            "httpx.AsyncClient",
            "httpx.Client",
            "httpx._client.AsyncClient",
            "httpx._client.Client",
            "starlette.testclient.TestClient",
            "fastapi.testclient.TestClient",
        }
    )
)
OTHER_HTTP_LIBRARIES = frozenset(
    {"requests", "aiohttp", "urllib3", "tornado", "treq", "niquests", "pycurl", "asks"}
)
CLIENT_WORDS = frozenset({"client", "http", "httpx"})
REQUEST_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"}
)
CLIENT_METHODS = REQUEST_METHODS | {"build_request"}
MODULE_FUNCTIONS = frozenset(
    {f"httpx.{name}" for name in REQUEST_METHODS - {"send"}} | {"httpx.AsyncClient", "httpx.Client"}
)
FIX = (
    "keep a deadline: `timeout=httpx.Timeout(10.0, read=60.0)` for a slow endpoint, and an "
    "overall `asyncio.timeout(...)` around the operation"
)


@rule.visit(ast.Call)
def timeout_disabled(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name == "Timeout":
        if _disables_every_step(node) and context.imported(func) == "httpx.Timeout":
            yield context.report(
                node,
                "`httpx.Timeout(None)` turns off every httpx timeout: a peer that never "
                "answers holds the request forever",
                fix=FIX,
            )
        return
    keyword = next((k for k in node.keywords if k.arg == "timeout"), None)
    if keyword is None or not _is_none(keyword.value):
        return
    qualified = context.imported(func)
    if qualified in MODULE_FUNCTIONS:
        spelled = qualified
    elif (
        isinstance(func, ast.Attribute)
        and func.attr in CLIENT_METHODS
        and (instance_of(func.value, HTTPX_CLIENTS, context) or _httpx_by_name(func.value, context))
    ):
        spelled = f"client.{func.attr}"
    else:
        return
    yield context.report(
        keyword.value,
        f"`{spelled}(..., timeout=None)` turns off every httpx timeout: a peer that never "
        "answers holds the request forever",
        fix=FIX,
    )


def _httpx_by_name(receiver: ast.expr, context: NodeContext) -> bool:
    """``self.http_client.get(...)`` in a module whose only HTTP library is httpx."""
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    if not name_tokens(name) & CLIENT_WORDS:
        return False
    roots = {qualified.split(".", 1)[0] for qualified in context.file.imports.values()}
    return "httpx" in roots and not roots & OTHER_HTTP_LIBRARIES


def _disables_every_step(node: ast.Call) -> bool:
    """``Timeout(None)`` or ``Timeout(timeout=None)`` with no step given a limit."""
    values = [*node.args, *(keyword.value for keyword in node.keywords)]
    return bool(values) and all(_is_none(value) for value in values)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
