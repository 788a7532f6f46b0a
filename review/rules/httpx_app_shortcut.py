"""SKS603: ``httpx.AsyncClient(app=app)`` / ``httpx.Client(app=app)``.

The ``app=`` shortcut was deprecated in httpx 0.27 and removed in 0.28, where the fixture
fails with ``TypeError: ... unexpected keyword argument 'app'``. The app goes through an
explicit transport instead. Only httpx's clients count: Starlette's ``TestClient(app)`` and
other libraries' ``AsyncClient`` take the app as they always did.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule

rule = Rule(
    code="SKS603",
    triggers=("app",),
    name="httpx-app-shortcut",
    section="testing.fixtures",
    summary="httpx AsyncClient(app=...) or Client(app=...), removed in httpx 0.28; pass "
    "transport=ASGITransport(app=...) or WSGITransport(app=...).",
    requires=("httpx>=0.27",),
)

TRANSPORTS = {
    "AsyncClient": "ASGITransport",
    "Client": "WSGITransport",
}
"""httpx client class → the transport that takes its app."""


def _httpx_client(func: ast.expr, context: NodeContext) -> str | None:
    name = context.imported(func)
    if name is None:
        return None
    module, _, client = name.rpartition(".")
    if module not in {"httpx", "httpx._client"} or client not in TRANSPORTS:
        return None
    return client


@rule.visit(ast.Call)
def app_shortcut(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    if not node.keywords:
        return
    app = next((keyword for keyword in node.keywords if keyword.arg == "app"), None)
    if app is None or (isinstance(app.value, ast.Constant) and app.value.value is None):
        return
    client = _httpx_client(node.func, context)
    if client is None:
        return
    transport = TRANSPORTS[client]
    yield context.report(
        node,
        f"httpx.{client}(app=...) was deprecated in httpx 0.27 and removed in 0.28, where it "
        "raises TypeError: unexpected keyword argument 'app'",
        fix=f"pass the app through a transport: `{client}(transport={transport}(app=...), "
        "base_url=...)` with `from httpx import " + f"{transport}`",
    )
