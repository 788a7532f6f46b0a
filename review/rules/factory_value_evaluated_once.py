"""SKS604: a factory_boy field computed once, in the class body, instead of per object.

``email = fake.email()`` runs when the module is imported, so every object the factory builds
shares one address (the second insert hits the unique constraint). Only values that change
from call to call count (Faker output, the clock, UUIDs, randomness): ``date(2020, 1, 1)`` or
``Decimal("9.99")`` are constants and fine to compute once. Anything inside a ``lambda`` or
passed to a factory_boy declaration runs per object and is left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.file_cache import PerNodeCache

rule = Rule(
    code="SKS604",
    triggers=("Factory",),
    name="factory-value-evaluated-once",
    section="testing.factories",
    summary="A factory_boy field assigned a value computed once at class creation "
    "(fake.email(), datetime.now(), uuid4()) instead of a per-object declaration.",
)

VARYING_CALLS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "django.utils.timezone.now",
        "django.utils.timezone.localtime",
        "django.utils.timezone.localdate",
        "django.utils.crypto.get_random_string",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "uuid.uuid1",
        "uuid.uuid4",
        "os.urandom",
        "arrow.now",
        "arrow.utcnow",
        "pendulum.now",
        "pendulum.today",
        "bson.ObjectId",
        "bson.objectid.ObjectId",
        "shortuuid.uuid",
        "ulid.new",
        "ulid.ULID",
    }
)
"""Calls whose result differs on every call (qualified names)."""

VARYING_MODULES = ("random.", "secrets.")
VARYING_WORDS = frozenset(
    {"random", "rand", "randint", "uuid", "uuid1", "uuid4", "fake", "faker", "unique", "now"}
    | {"utcnow", "today"}
)
"""Words in a project helper's name that say it returns something new on every call
(``random_email()``, ``fake_phone()``, ``unique_slug()``)."""
FAKER_CONSTRUCTORS = frozenset({"faker.Faker", "faker.Factory.create", "faker.proxy.Faker"})
FAKER_NAMES = frozenset({"fake", "faker", "_fake", "_faker", "FAKE", "FAKER"})
"""Conventional names of a ``Faker()`` instance imported from a test helper module."""

FIXES = {
    "datetime.datetime.now": "factory.LazyFunction(datetime.now)",
    "datetime.datetime.utcnow": "factory.LazyFunction(datetime.utcnow)",
    "datetime.date.today": "factory.LazyFunction(date.today)",
    "django.utils.timezone.now": "factory.LazyFunction(timezone.now)",
    "uuid.uuid4": "factory.LazyFunction(uuid.uuid4)",
    "uuid.uuid1": "factory.LazyFunction(uuid.uuid1)",
}

_module_calls_cache: PerNodeCache[dict[str, ast.expr]] = PerNodeCache()
_module_classes: PerNodeCache[dict[str, ast.ClassDef]] = PerNodeCache()


def _imports_factory_boy(context: NodeContext) -> bool:
    return any(
        target == "factory" or target.startswith("factory.")
        for target in context.file.imports.values()
    )


def _is_factory_base(base: ast.expr, context: NodeContext, seen: set[str]) -> bool:
    name = context.qualified_name(base)
    if name is None:
        return False
    if name.startswith("factory.") and name.endswith("Factory"):
        return True
    if isinstance(base, ast.Name) and base.id not in seen:
        tree = context.file.tree
        local = _module_classes.get(context, tree, _classes_by_name).get(base.id) if tree else None
        if local is not None:
            seen.add(base.id)
            return any(_is_factory_base(parent, context, seen) for parent in local.bases)
    return False


def _classes_by_name(tree: ast.AST) -> dict[str, ast.ClassDef]:
    assert isinstance(tree, ast.Module)
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def _is_factory_class(node: ast.ClassDef, context: NodeContext) -> bool:
    if any(_is_factory_base(base, context, set()) for base in node.bases):
        return True
    # ``class UserFactory(BaseFactory)`` with BaseFactory imported from the project's own
    # factories module: a factory when it has factory_boy's ``class Meta: model = ...``.
    named_factory = any(
        (context.qualified_name(base) or "").endswith("Factory") for base in node.bases
    )
    return named_factory and _imports_factory_boy(context) and _has_meta_model(node)


def _has_meta_model(node: ast.ClassDef) -> bool:
    for statement in node.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
            return any(
                isinstance(item, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "model" for t in item.targets)
                for item in statement.body
            )
    return False


def _module_calls(tree: ast.AST) -> dict[str, ast.expr]:
    """Module-level names assigned a call (``fake = Faker()``) → the function called; the
    function is resolved when used, since imports are recorded as the walk goes on."""
    assert isinstance(tree, ast.Module)
    calls: dict[str, ast.expr] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    calls[target.id] = statement.value.func
    return calls


def _is_faker_instance(node: ast.expr, context: NodeContext) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "unique":
        node = node.value  # ``fake.unique.email()``
    if isinstance(node, ast.Call):
        return context.qualified_name(node.func) in FAKER_CONSTRUCTORS
    if not isinstance(node, ast.Name):
        return False
    imported = context.file.imports.get(node.id)
    if imported is not None:
        # ``from tests.utils import fake``; but ``import faker`` is the module itself
        return node.id in FAKER_NAMES and imported.split(".", 1)[0] != "faker"
    tree = context.file.tree
    constructor = (
        _module_calls_cache.get(context, tree, _module_calls).get(node.id) if tree else None
    )
    return constructor is not None and context.imported(constructor) in FAKER_CONSTRUCTORS


def _declaration(call: ast.Call, context: NodeContext) -> bool:
    name = context.qualified_name(call.func)
    return name is not None and (name == "factory" or name.startswith("factory."))


def varying_call(expression: ast.expr, context: NodeContext) -> tuple[ast.Call, str] | None:
    """The first call in ``expression`` evaluated once but returning a different value on
    every call, with its kind (a qualified name, or ``faker.<method>``)."""
    pending: list[ast.AST] = [expression]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            kind = _call_kind(node, context)
            if kind is not None:
                return node, kind
            if _declaration(node, context):
                continue
        pending.extend(reversed(list(ast.iter_child_nodes(node))))
    return None


def _call_kind(call: ast.Call, context: NodeContext) -> str | None:
    func = call.func
    name = context.imported(func)
    if name is not None and (name in VARYING_CALLS or name.startswith(VARYING_MODULES)):
        return name
    helper = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if VARYING_WORDS.intersection(helper.lower().split("_")) and not _declaration(call, context):
        return helper
    if isinstance(func, ast.Attribute):
        if _is_faker_instance(func.value, context):
            return f"faker.{func.attr}"
        if isinstance(func.value, ast.Call) and _declaration(func.value, context):
            return "declaration"  # ``factory.fuzzy.FuzzyInteger(1, 9).fuzz()``
    return None


def _fix(kind: str) -> str:
    if kind.startswith("faker."):
        return f'declare it per object: `factory.Faker("{kind.removeprefix("faker.")}")`'
    if kind in FIXES:
        return f"declare it per object: `{FIXES[kind]}`"
    return (
        "declare it per object: `factory.LazyFunction(lambda: ...)`, `factory.Faker(...)` or "
        "`factory.Sequence(...)`"
    )


def _fields(node: ast.ClassDef) -> Iterator[tuple[str, ast.expr]]:
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            if names:
                yield names[0], statement.value
        elif (
            isinstance(statement, ast.AnnAssign)
            and statement.value is not None
            and isinstance(statement.target, ast.Name)
        ):
            yield statement.target.id, statement.value


@rule.visit(ast.ClassDef)
def field_evaluated_once(node: ast.ClassDef, context: NodeContext) -> Iterator[Finding]:
    if not node.bases or not _is_factory_class(node, context):
        return
    for name, value in _fields(node):
        found = varying_call(value, context)
        if found is None:
            continue
        call, kind = found
        yield context.report(
            value,
            f"`{name}` is computed once, when the factory class is created, so every object "
            f"it builds shares the same `{ast.unparse(call)}` value",
            fix=_fix(kind),
        )
