"""What a name holds when it is a SQLAlchemy session, as far as the file shows: built by
``Session(...)``/``AsyncSession(...)``, by calling a ``sessionmaker``/``async_sessionmaker``,
opened with ``maker.begin()``, annotated with a session class, or Flask-SQLAlchemy's
``db.session``. Anything else (a Django ``.query``, an Elasticsearch client) is not a session,
so rules built on this stay silent when unsure.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Literal

from stackskills.review.context import NodeContext
from stackskills.review.semantics.bindings import (
    annotation_names,
    chain_from,
    enclosing_self,
    lookup,
    scope_chain,
    self_attributes,
)
from stackskills.review.semantics.file_cache import PerNodeCache

SessionKind = Literal["sync", "async", "scoped", "flask"]
"""``scoped``: a ``scoped_session`` registry (a proxy for one session per thread);
``flask``: Flask-SQLAlchemy's ``db.session`` (a scoped session too)."""

SYNC_SESSIONS = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
    }
)
ASYNC_SESSIONS = frozenset(
    {
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)
SCOPED_SESSIONS = frozenset(
    {
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session",
        "sqlalchemy.ext.asyncio.async_scoped_session",
        "sqlalchemy.ext.asyncio.scoping.async_scoped_session",
    }
)
SYNC_MAKERS = frozenset({"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker"})
ASYNC_MAKERS = frozenset(
    {
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.ext.asyncio.session.async_sessionmaker",
    }
)
FLASK_SQLALCHEMY = frozenset(
    {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"}
)
MAX_DEPTH = 6


def session_kind(expr: ast.expr, context: NodeContext) -> SessionKind | None:
    """The kind of session ``expr`` is by every binding in view, or None when unsure."""
    return _session(expr, scope_chain(context), context, 0)


def maker_kind(expr: ast.expr, context: NodeContext) -> SessionKind | None:
    """``sync``/``async`` when ``expr`` is a ``sessionmaker``/``async_sessionmaker``."""
    return _maker(expr, scope_chain(context), context, 0)


def creates_session(call: ast.Call, context: NodeContext) -> SessionKind | None:
    """The kind of session this call creates: ``Session(engine)``, ``SessionLocal()``,
    ``sessionmaker(...)()``, ``maker.begin()``; None for anything else."""
    return _created(call, scope_chain(context), context, 0)


def _created(
    call: ast.Call, chain: list[ast.AST], context: NodeContext, depth: int
) -> SessionKind | None:
    name = context.imported(call.func)
    if name is not None:
        if name in SYNC_SESSIONS:
            return "sync"
        if name in ASYNC_SESSIONS:
            return "async"
        if name in SCOPED_SESSIONS:
            return "scoped"
        if name in SYNC_MAKERS or name in ASYNC_MAKERS:
            return None
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "begin" and not call.args:
        return _maker(func.value, chain, context, depth + 1)
    return _maker(func, chain, context, depth + 1)


def _session(
    expr: ast.expr, chain: list[ast.AST], context: NodeContext, depth: int
) -> SessionKind | None:
    if depth > MAX_DEPTH:
        return None
    if isinstance(expr, ast.Call):
        return _created(expr, chain, context, depth)
    if isinstance(expr, ast.Name):
        return _name(expr.id, chain, context, depth, _session, _session_annotation)
    if isinstance(expr, ast.Attribute):
        if expr.attr == "session" and _flask_sqlalchemy(expr.value, chain, context, depth + 1):
            return "flask"
        return _self_attribute(expr, context, depth, _session, _session_annotation)
    return None


def _maker(
    expr: ast.expr, chain: list[ast.AST], context: NodeContext, depth: int
) -> SessionKind | None:
    if depth > MAX_DEPTH:
        return None
    if isinstance(expr, ast.Call):
        name = context.imported(expr.func)
        if name in SYNC_MAKERS:
            klass = next((k.value for k in expr.keywords if k.arg == "class_"), None)
            if klass is None:
                return "sync"
            klass_name = context.imported(klass)
            if klass_name in SYNC_SESSIONS:
                return "sync"
            return "async" if klass_name in ASYNC_SESSIONS else None
        if name in ASYNC_MAKERS:
            return "async"
        return None
    if isinstance(expr, ast.Name):
        return _name(expr.id, chain, context, depth, _maker, _maker_annotation)
    if isinstance(expr, ast.Attribute):
        return _self_attribute(expr, context, depth, _maker, _maker_annotation)
    return None


def _session_annotation(annotation: ast.expr, context: NodeContext) -> SessionKind | None:
    if annotation_names(annotation, SYNC_SESSIONS, context):
        return "sync"
    if annotation_names(annotation, ASYNC_SESSIONS, context):
        return "async"
    if annotation_names(annotation, SCOPED_SESSIONS, context):
        return "scoped"
    return None


def _maker_annotation(annotation: ast.expr, context: NodeContext) -> SessionKind | None:
    if isinstance(annotation, ast.Subscript):
        # sessionmaker[Session]: the parameter names the class its sessions have
        if annotation_names(annotation.value, SYNC_MAKERS, context):
            return _session_annotation(annotation.slice, context)
        annotation = annotation.value
    # a bare ``sessionmaker`` annotation also fits sessionmaker(class_=AsyncSession)
    if annotation_names(annotation, ASYNC_MAKERS, context):
        return "async"
    return None


Resolve = Callable[[ast.expr, list[ast.AST], NodeContext, int], "SessionKind | None"]
Annotated = Callable[[ast.expr, NodeContext], "SessionKind | None"]


def _name(
    name: str,
    chain: list[ast.AST],
    context: NodeContext,
    depth: int,
    resolve: Resolve,
    annotated: Annotated,
) -> SessionKind | None:
    found = lookup(name, chain, context)
    if found is None:
        return None
    scope, position = found
    if name in scope.opaque or name in scope.functions:
        return None
    annotation = scope.annotations.get(name)
    if annotation is not None:
        return annotated(annotation, context)
    values = scope.values.get(name, [])
    if not values:
        return None
    inner = chain[position:]
    kinds = {resolve(_unawaited(value), inner, context, depth + 1) for value in values}
    return kinds.pop() if len(kinds) == 1 else None


def _self_attribute(
    expr: ast.Attribute,
    context: NodeContext,
    depth: int,
    resolve: Resolve,
    annotated: Annotated,
) -> SessionKind | None:
    if not isinstance(expr.value, ast.Name):
        return None
    found = enclosing_self(context)
    if found is None or found[0] != expr.value.id:
        return None
    scope = self_attributes(found[1], context)
    if expr.attr in scope.opaque:
        return None
    annotation = scope.annotations.get(expr.attr)
    if annotation is not None:
        return annotated(annotation, context)
    values = scope.values.get(expr.attr, [])
    if not values:
        return None
    kinds: set[SessionKind | None] = set()
    for value in values:
        owner = scope.owners.get(id(value))
        chain = chain_from(owner, context) if owner is not None else []
        kinds.add(resolve(_unawaited(value), chain, context, depth + 1))
    return kinds.pop() if len(kinds) == 1 else None


def _unawaited(value: ast.expr) -> ast.expr:
    return value.value if isinstance(value, ast.Await) else value


def _flask_sqlalchemy(
    expr: ast.expr, chain: list[ast.AST], context: NodeContext, depth: int
) -> bool:
    """``db`` bound to ``SQLAlchemy(...)`` in view, or ``db`` imported from the project's
    own modules in a Flask (or Flask-SQLAlchemy) project (``from myapp.extensions import
    db``)."""
    if depth > MAX_DEPTH or not isinstance(expr, ast.Name):
        return False
    found = lookup(expr.id, chain, context)
    if found is None:
        return False
    scope, position = found
    values = scope.values.get(expr.id, [])
    if values and expr.id not in scope.opaque and expr.id not in scope.annotations:
        return all(
            isinstance(value, ast.Call) and context.imported(value.func) in FLASK_SQLALCHEMY
            for value in values
        )
    annotation = scope.annotations.get(expr.id)
    if annotation is not None:
        return annotation_names(annotation, FLASK_SQLALCHEMY, context)
    if expr.id != "db" or position != len(chain) - 1 or scope.values.get(expr.id):
        return False
    tree = context.file.tree
    return (
        tree is not None
        and _flask_project(context)
        and _project_db_import.get(context, tree, _imports_project_db)
    )


_project_db_import: PerNodeCache[bool] = PerNodeCache()


def _flask_project(context: NodeContext) -> bool:
    stack = context.file.target.stack
    return stack.framework("flask-sqlalchemy") is not None or stack.framework("flask") is not None


def _imports_project_db(tree: ast.AST) -> bool:
    """The module imports ``db`` by name from a module of the project (``from .ext import
    db``, ``from myapp import db``), the Flask-SQLAlchemy convention."""
    assert isinstance(tree, ast.Module)
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.ImportFrom):
            if any((alias.asname or alias.name) == "db" for alias in node.names):
                return node.level > 0 or not (node.module or "").startswith(
                    ("sqlalchemy", "flask_sqlalchemy")
                )
        elif isinstance(node, (ast.If, ast.Try)):
            pending.extend(node.body)
            pending.extend(node.orelse)
    return False


SESSION_NAMES = frozenset({"session", "db_session", "dbsession"})
SQLALCHEMY_MODULES = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy")


def conventional_session(expr: ast.expr, context: NodeContext) -> bool:
    """A name spelled like a session (``session``, ``db_session``) in a module that imports
    SQLAlchemy, bound only as an unannotated parameter or by ``with helper() as session``:
    the file cannot show more, and nothing else spelled that way has ``query()``."""
    if not isinstance(expr, ast.Name) or expr.id not in SESSION_NAMES:
        return False
    if not any(origin.startswith(SQLALCHEMY_MODULES) for origin in context.file.imports.values()):
        return False
    chain = scope_chain(context)
    found = lookup(expr.id, chain, context)
    if found is None:
        return False
    scope, position = found
    if expr.id in scope.annotations or expr.id in scope.functions:
        return False
    node = chain[position]
    parameters = (
        {
            argument.arg
            for argument in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
        }
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        else set()
    )
    values = scope.values.get(expr.id, [])
    if expr.id in parameters:
        return not values
    if not values or expr.id in scope.opaque:
        return False
    return all(
        isinstance(value, ast.Call) and not value.args and not value.keywords for value in values
    )
