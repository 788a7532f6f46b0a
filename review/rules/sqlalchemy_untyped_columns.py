"""SKS301: ``Column(...)`` attributes on a declarative model under SQLAlchemy 2.0, and
``declarative_base`` imported from the deprecated ``sqlalchemy.ext.declarative``.

A bare ``Column`` attribute types as ``Any`` (or ``Column[T]``), so type checkers cannot see
what ``user.email`` holds or whether it may be ``None``; 2.0 reads the model from
``Mapped[T]`` annotations with ``mapped_column()``. The ``sqlalchemy.ext.declarative``
location of ``declarative_base`` has been deprecated since 1.4 (``MovedIn20Warning``).

Only classes the file shows to be mapped count: subclasses of a ``DeclarativeBase`` subclass,
of a ``declarative_base()`` result or of a class decorated ``@as_declarative()``, of an
imported ``...Base`` or of Flask-SQLAlchemy's ``db.Model``, and classes that declare
``__tablename__``. Mixins without a table, ``Table(...)`` definitions, classes
with an explicit ``__table__``, attributes already annotated, models defined in test code and
in Alembic revisions (frozen history) stay silent. On SQLAlchemy 1.4, where ``Column`` is the
only way to declare a model, only the deprecated import is flagged, and not in an
``except ImportError:`` fallback or an Alembic revision.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.alembic_revisions import in_alembic_revision
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.semantics.test_code import in_test_code
from stackskills.skills.activation import match_gate
from stackskills.skills.requirements import checked_gate

rule = Rule(
    code="SKS301",
    triggers=("Column", "declarative"),
    name="sqlalchemy-untyped-columns",
    section="sqlalchemy.declarative",
    summary="Column(...) attributes on a declarative model under SQLAlchemy 2.0 instead of "
    "Mapped[...] = mapped_column(...), or declarative_base from sqlalchemy.ext.declarative.",
)

TYPED_MODELS = "sqlalchemy>=2.0"
"""Where ``Mapped``/``mapped_column`` exist; the import check needs only the section's gate."""

COLUMNS = frozenset(
    {"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlalchemy.sql.schema.Column"}
)
DECLARATIVE_BASES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
        "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
    }
)
BASE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
    }
)
AS_DECLARATIVE = frozenset(
    {"sqlalchemy.orm.as_declarative", "sqlalchemy.ext.declarative.as_declarative"}
)
MOVED = frozenset({"declarative_base", "as_declarative"})
DEPRECATED_MODULES = frozenset({"sqlalchemy.ext.declarative", "sqlalchemy.ext.declarative.api"})
PYTHON_TYPES = {
    "Integer": "int", "SmallInteger": "int", "BigInteger": "int",
    "String": "str", "Text": "str", "Unicode": "str", "UnicodeText": "str", "VARCHAR": "str",
    "Boolean": "bool", "Float": "float", "Numeric": "Decimal",
    "DateTime": "datetime", "Date": "date", "Time": "time", "Interval": "timedelta",
    "LargeBinary": "bytes", "Uuid": "uuid.UUID", "UUID": "uuid.UUID",
}  # fmt: skip


def _typed_models(context: NodeContext) -> bool:
    return match_gate(checked_gate(TYPED_MODELS), context.file.target.stack) is not None


_bases: PerNodeCache[frozenset[str]] = PerNodeCache()


def _declarative_names(context: NodeContext) -> frozenset[str]:
    tree = context.file.tree
    if tree is None:
        return frozenset()
    return _bases.get(context, tree, lambda node: _collect_bases(node, context))


def _collect_bases(tree: ast.AST, context: NodeContext) -> frozenset[str]:
    """Module-level names that are declarative bases: ``Base = declarative_base()``,
    ``class Base(DeclarativeBase)``, ``@as_declarative() class Base`` and their subclasses."""
    assert isinstance(tree, ast.Module)
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and isinstance(
            statement.value, ast.Call
        ):
            call = statement.value
            made = context.imported(call.func) in BASE_FACTORIES or (
                isinstance(call.func, ast.Attribute) and call.func.attr == "generate_base"
            )
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if made:
                names.update(target.id for target in targets if isinstance(target, ast.Name))
        elif isinstance(statement, ast.ClassDef):
            decorated = any(
                context.imported(d.func if isinstance(d, ast.Call) else d) in AS_DECLARATIVE
                for d in statement.decorator_list
            )
            if decorated or any(
                context.imported(base) in DECLARATIVE_BASES
                or (isinstance(base, ast.Name) and base.id in names)
                for base in statement.bases
            ):
                names.add(statement.name)
    return frozenset(names)


def _is_mapped_model(node: ast.ClassDef, context: NodeContext) -> bool:
    if not node.bases:
        return False
    own = {
        target.id
        for statement in node.body
        if isinstance(statement, (ast.Assign, ast.AnnAssign))
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
        if isinstance(target, ast.Name)
    }
    if "__table__" in own:
        return False
    if any(context.imported(base) in DECLARATIVE_BASES for base in node.bases):
        return False  # the base class itself: its columns are rare and not a model's
    bases = _declarative_names(context)
    if any(isinstance(base, ast.Name) and base.id in bases for base in node.bases):
        return True
    if any(_conventional_base(base, context) for base in node.bases):
        return True
    if "__tablename__" not in own:
        return False
    return not any((context.imported(base) or "").startswith("sqlmodel") for base in node.bases)


@rule.visit(ast.ClassDef)
def untyped_columns(node: ast.ClassDef, context: NodeContext) -> Iterator[Finding]:
    if not node.bases or not _typed_models(context) or in_alembic_revision(context):
        return
    columns = [
        statement
        for statement in node.body
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and isinstance(statement.value, ast.Call)
        and context.imported(statement.value.func) in COLUMNS
    ]
    if not columns or not _is_mapped_model(node, context) or in_test_code(context):
        return
    for statement in columns:
        target = statement.targets[0]
        assert isinstance(target, ast.Name) and isinstance(statement.value, ast.Call)
        annotation = _annotation_for(statement.value, context)
        yield context.report(
            statement,
            f"`{target.id} = Column(...)` on a declarative model types as Any under "
            "SQLAlchemy 2.0, so type checkers cannot see its type or whether it may be None",
            fix=f"`{target.id}: Mapped[{annotation}] = mapped_column(...)` with the same "
            "arguments (drop `nullable=` where the annotation says it)",
        )


def _annotation_for(column: ast.Call, context: NodeContext) -> str:
    python = "T"
    for argument in column.args:
        kind = argument.func if isinstance(argument, ast.Call) else argument
        name = kind.attr if isinstance(kind, ast.Attribute) else getattr(kind, "id", None)
        if name in PYTHON_TYPES:
            python = PYTHON_TYPES[name]
            break
    flags = {k.arg: k.value for k in column.keywords}
    if _is_constant(flags.get("primary_key"), True) or _is_constant(flags.get("nullable"), False):
        return python
    return f"{python} | None" if context.python >= (3, 10) else f"Optional[{python}]"


@rule.visit(ast.ImportFrom)
def moved_import(node: ast.ImportFrom, context: NodeContext) -> Iterator[Finding]:
    if node.level or node.module not in DEPRECATED_MODULES:
        return
    moved = sorted(alias.name for alias in node.names if alias.name in MOVED)
    if not moved or _compatibility_fallback(node, context) or in_alembic_revision(context):
        return
    names = ", ".join(moved)
    yield context.report(
        node,
        f"`{names}` from `sqlalchemy.ext.declarative` is deprecated since SQLAlchemy 1.4 "
        "(MovedIn20Warning)",
        fix=f"`from sqlalchemy.orm import {names}`",
    )


def _is_constant(node: ast.expr | None, value: bool) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _compatibility_fallback(node: ast.ImportFrom, context: NodeContext) -> bool:
    """An import in an ``except ImportError:`` block, or one whose ``try`` falls back to
    ``sqlalchemy.orm``: code that supports versions older than 1.4 on purpose."""
    parent = context.parent
    if isinstance(parent, ast.ExceptHandler):
        return True
    if isinstance(parent, ast.Try) and node in parent.body:
        return any(
            isinstance(inner, ast.ImportFrom) and inner.module == "sqlalchemy.orm"
            for handler in parent.handlers
            for inner in handler.body
        )
    return False


def _conventional_base(base: ast.expr, context: NodeContext) -> bool:
    """An imported ``Base`` (``from app.db import Base``) or Flask-SQLAlchemy's ``db.Model``:
    the names projects give their declarative base, which the file cannot show."""
    if isinstance(base, ast.Name):
        if not base.id.endswith("Base"):
            return False
        origin = context.file.imports.get(base.id)
        if origin is not None:
            return not origin.startswith(("sqlalchemy", "sqlmodel", "pydantic"))
        tree = context.file.tree
        return tree is not None and base.id in _relative.get(context, tree, _relative_imports)
    return (
        isinstance(base, ast.Attribute)
        and base.attr == "Model"
        and isinstance(base.value, ast.Name)
        and base.value.id == "db"
    )


_relative: PerNodeCache[frozenset[str]] = PerNodeCache()


def _relative_imports(tree: ast.AST) -> frozenset[str]:
    """Names the module imports from its own package (``from .base import Base``)."""
    assert isinstance(tree, ast.Module)
    return frozenset(
        alias.asname or alias.name
        for statement in tree.body
        if isinstance(statement, ast.ImportFrom) and statement.level > 0
        for alias in statement.names
    )
