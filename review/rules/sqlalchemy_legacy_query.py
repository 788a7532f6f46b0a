"""SKS302: ``session.query(Model)`` on a SQLAlchemy session, or a synchronous ``Session``
opened inside ``async def``.

``Query`` is the legacy API: ``AsyncSession`` has no ``query()`` at all and 2.0 keeps it only
for compatibility, while ``select()`` works the same with both session kinds from 1.4 on. A
synchronous session inside a coroutine runs every round trip on the event loop thread, so one
slow query stalls every request the process serves.

Startup hooks (a lifespan, ``on_event("startup")``) and test code may block: no request is
waiting on them.

Only receivers the file shows to be SQLAlchemy sessions count (built by ``Session(...)`` or a
``sessionmaker``, annotated with a session class, Flask-SQLAlchemy's ``db.session``): a Django
model's ``.query``, an Elasticsearch client's ``query()`` and unknown objects stay silent.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.alembic_revisions import in_alembic_revision
from stackskills.review.semantics.sqlalchemy_sessions import (
    conventional_session,
    creates_session,
    session_kind,
)
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS302",
    triggers=("query", "Session"),
    name="sqlalchemy-legacy-query-or-sync-session",
    section="sqlalchemy.async-queries",
    summary="session.query() (the legacy Query API, absent from AsyncSession) instead of "
    "select(), or a synchronous Session opened inside async def.",
)


@rule.visit(ast.Call)
def legacy_query(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute):
        return
    if func.attr == "query":
        if not node.args or in_alembic_revision(context):
            return
        if session_kind(func.value, context) is None and not conventional_session(
            func.value, context
        ):
            return
        receiver = ast.unparse(func.value)
        yield context.report(
            node,
            f"`{receiver}.query(...)` is SQLAlchemy's legacy Query API, which AsyncSession does "
            "not have and 2.0 keeps only for compatibility",
            fix=f"build a statement with `select(...)` and run it with "
            f"`{receiver}.execute(stmt)` or `{receiver}.scalars(stmt)`",
        )


@rule.visit(ast.With)
def sync_session_in_coroutine(node: ast.With, context: NodeContext) -> Iterator[Finding]:
    function = context.enclosing_function()
    if not isinstance(function, ast.AsyncFunctionDef) or _runs_before_serving(function):
        return
    if in_test_code(context):
        return
    for item in node.items:
        opened = item.context_expr
        if (
            isinstance(opened, ast.Call)
            and creates_session(opened, context) == "sync"
            and not _hands_off_to_thread(node)
        ):
            yield context.report(
                opened,
                "a synchronous SQLAlchemy Session inside `async def` runs every query on the "
                "event loop thread, blocking all other requests while the database answers",
                fix="use `AsyncSession` from an `async_sessionmaker` bound to "
                "`create_async_engine(...)`, and `await` its `execute()`/`commit()`",
            )


THREAD_OFFLOADS = frozenset(
    {"to_thread", "run_sync", "run_in_executor", "run_in_threadpool", "sync_to_async"}
)
"""Calls that run the session's work in a worker thread instead of on the event loop."""


def _hands_off_to_thread(block: ast.With) -> bool:
    for statement in block.body:
        for inner in ast.walk(statement):
            if isinstance(inner, ast.Call):
                func = inner.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in THREAD_OFFLOADS:
                    return True
    return False


STARTUP_NAMES = frozenset({"lifespan", "startup", "on_startup", "init_db", "seed", "seed_data"})


def _runs_before_serving(function: ast.AsyncFunctionDef) -> bool:
    """A lifespan or startup hook: blocking there delays start-up but stalls no request."""
    if function.name in STARTUP_NAMES:
        return True
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in {"asynccontextmanager", "on_event"}:
            return True
    return False
