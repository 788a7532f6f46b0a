"""SKS801: a SQLAlchemy session created at import time in a Flask module.

A module-level ``Session(engine)`` or ``sessionmaker(...)()`` is one session shared by every
request of the process: threaded workers use it concurrently, its identity map hands one
user's objects to the next request, and after one failed flush it refuses all work until
someone rolls it back. Each request needs its own session: Flask-SQLAlchemy's ``db.session``
or a ``scoped_session`` removed in ``teardown_appcontext``.

Only modules that import Flask (or a Flask extension) count; scripts, Alembic ``env.py`` and
workers are not request-serving code. A ``scoped_session(...)`` registry is the recommended
shape and stays silent, as do ``sessionmaker(...)`` factories themselves, sessions created
inside functions, and test code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.flask_apps import imports_flask
from stackskills.review.semantics.sqlalchemy_sessions import creates_session
from stackskills.review.semantics.test_code import is_test_path

rule = Rule(
    code="SKS801",
    triggers=("Session", "sessionmaker", "SessionLocal", "session"),
    name="flask-module-level-session",
    section="flask.database-sessions",
    summary="A SQLAlchemy Session created at module level in a Flask module, shared by every "
    "request instead of one session per request.",
)


@rule.visit(ast.Assign, ast.AnnAssign)
def module_session(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.Assign, ast.AnnAssign)):
        return
    value = node.value
    if not isinstance(value, ast.Call) or not isinstance(context.parent, ast.Module):
        return
    kind = creates_session(value, context)
    if kind not in {"sync", "async"}:
        return
    if is_test_path(context.file.filename) or not imports_flask(context):
        return
    target = node.targets[0] if isinstance(node, ast.Assign) else node.target
    name = ast.unparse(target)
    yield context.report(
        value,
        f"`{name}` is one SQLAlchemy session created at import time and shared by every "
        "request: concurrent requests corrupt its state and one failed flush breaks the "
        "requests that follow",
        fix=f"use Flask-SQLAlchemy's `db.session`, or `{name} = scoped_session(sessionmaker(...))` "
        f"with `{name}.remove()` in an `@app.teardown_appcontext` handler",
    )
