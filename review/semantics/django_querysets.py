"""What the file shows about Django querysets: which expressions are querysets, which relations
they load, and which names hold model instances fetched through one.

A queryset starts at a manager the file can see: ``Model.objects`` (``Model`` spelled in
CapWords), ``Model._default_manager``, or a custom manager assigned in a model class of this
file (``published = PublishedManager()``), and continues through methods that return a queryset
(``filter``, ``select_related``...). A name is a queryset when every binding of it in its
function (or module) is one, or when it is annotated ``QuerySet[...]``. Anything else is unknown,
and rules built on these answers stay silent on unknowns.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from stackskills.review.context import NodeContext
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.semantics.statements import (
    child_nodes,
    file_statements,
    statements_below,
)

QUERYSET_METHODS = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "order_by",
        "select_related",
        "prefetch_related",
        "annotate",
        "alias",
        "distinct",
        "reverse",
        "defer",
        "only",
        "using",
        "select_for_update",
        "none",
        "union",
        "intersection",
        "difference",
        "extra",
        "complex_filter",
        "values",
        "values_list",
        "get_queryset",
    }
)
"""Methods of a manager or queryset that return a queryset."""
DICT_ROWS = frozenset({"values", "values_list", "dates", "datetimes"})
INSTANCE_METHODS = frozenset(
    {"get", "aget", "first", "afirst", "last", "alast", "latest", "alatest", "earliest"}
)
"""Queryset methods that return one model instance."""
PAIR_METHODS = frozenset({"get_or_create", "update_or_create"})
ASYNC_PAIR_METHODS = frozenset({"aget_or_create", "aupdate_or_create"})
DEFAULT_MANAGERS = frozenset({"_default_manager", "_base_manager"})
QUERYSET_CLASSES = frozenset({"django.db.models.QuerySet", "django.db.models.query.QuerySet"})
RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey"})
"""Field classes that make a relation (``ParentalKey`` is modelcluster's, used by Wagtail)."""
OTHER_ORMS = ("mongoengine", "peewee", "sqlalchemy", "pony", "tortoise")
MAX_DEPTH = 8


@dataclass(frozen=True)
class Queryset:
    """What one queryset expression is known to be."""

    model: str | None = None
    """The model class name when the chain starts at ``Model.<manager>``."""
    loaded: frozenset[str] = frozenset()
    """Relations named in ``select_related``/``prefetch_related`` (first lookup segment) and
    ``Prefetch(to_attr=...)`` names."""
    loads_unknown: bool = False
    """Some loading cannot be read from the file: ``select_related()`` with no arguments, a
    lookup held in a variable, a custom queryset method, a queryset passed in as a parameter."""
    dict_rows: bool = False
    """``values()``/``values_list()``: rows are dicts or tuples, not model instances."""
    locked: bool = False
    """``select_for_update()`` is in the chain."""
    methods: frozenset[str] = frozenset()
    related: bool = False
    """A related manager's queryset (``order.items.all()``), which a ``prefetch_related`` of
    the caller may already hold in memory."""

    def merge(self, other: Queryset) -> Queryset:
        """Both bindings of a name: whatever either loads counts as loaded."""
        return Queryset(
            model=self.model if self.model == other.model else None,
            loaded=self.loaded | other.loaded,
            loads_unknown=self.loads_unknown or other.loads_unknown,
            dict_rows=self.dict_rows or other.dict_rows,
            locked=self.locked and other.locked,
            methods=self.methods | other.methods,
            related=self.related or other.related,
        )


@dataclass
class Binding:
    """One way a name gets a value in a scope."""

    kind: str
    """``value``: ``name = node``; ``annotation``: ``name: node``; ``loop``: ``for name in
    node``; ``pair``: ``name, _ = node``; ``opaque``: anything that cannot be followed."""
    node: ast.AST | None = None


@dataclass
class ScopeFacts:
    scope: ast.AST | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    _loads: dict[str, list[ast.Name]] | None = field(default=None, repr=False)

    def bind(self, name: str, kind: str, node: ast.AST | None = None) -> None:
        self.bindings.setdefault(name, []).append(Binding(kind, node))

    @property
    def loads(self) -> dict[str, list[ast.Name]]:
        """Every read of each name in a function (nested functions included: they can read
        it); none for a module. Found on first use: most scopes never need it, and it costs
        another walk of the function."""
        if self._loads is None:
            self._loads = {}
            if self.scope is not None and not isinstance(self.scope, ast.Module):
                for node in ast.walk(self.scope):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                        self._loads.setdefault(node.id, []).append(node)
        return self._loads


@dataclass
class ModelRelations:
    """Models defined in this file: their fields and the relations pointing at them."""

    fields: dict[str, set[str]] = field(default_factory=dict)
    relations: dict[str, set[str]] = field(default_factory=dict)
    managers: dict[str, set[str]] = field(default_factory=dict)


_scope_facts: PerNodeCache[ScopeFacts] = PerNodeCache()
_models: PerNodeCache[ModelRelations] = PerNodeCache()
_other_orm: PerNodeCache[bool] = PerNodeCache()


def scope_node(context: NodeContext) -> ast.AST | None:
    """The function around the node, or the module."""
    function = context.enclosing_function()
    return function if function is not None else context.file.tree


def scope_facts(node: ast.AST, context: NodeContext) -> ScopeFacts:
    file = context.file
    return _scope_facts.get(
        context, node, lambda scope: _build_scope_facts(scope, file.walrus_within(scope))
    )


def models_in_file(context: NodeContext) -> ModelRelations:
    tree = context.file.tree
    if tree is None:
        return ModelRelations()
    return _models.get(context, tree, _build_models)


def uses_other_orm(context: NodeContext) -> bool:
    """The file imports an ORM whose managers and queries look like Django's."""
    tree = context.file.tree
    if tree is None:
        return False
    return _other_orm.get(
        context,
        tree,
        lambda _: any(
            target.split(".", 1)[0] in OTHER_ORMS for target in context.file.imports.values()
        ),
    )


def queryset_of(
    expr: ast.expr, context: NodeContext, scope: ast.AST | None = None
) -> Queryset | None:
    """What ``expr`` is, when it is a queryset (a manager alone is not one). ``scope`` is the
    function ``expr`` sits in, when it is not the checked node's own."""
    if uses_other_orm(context):
        return None
    scope = scope or scope_node(context)
    if scope is None:
        return None
    return _Resolver(context, scope).queryset(expr, frozenset(), 0)


def manager_model(expr: ast.expr, context: NodeContext) -> str | None:
    """``Post`` for ``Post.objects``, ``Post.published`` (a manager the file defines) or
    ``Post._default_manager``; ``""`` for ``self.model.objects``-style roots whose model is
    unknown; None when ``expr`` is not a manager."""
    if uses_other_orm(context):
        return None
    return _manager_model(expr, context)


def model_instance_source(
    name: str, context: NodeContext, scope: ast.AST | None = None
) -> Queryset | None:
    """The queryset a name's model instance was fetched from, when every binding of the name
    in its function is ``qs.get(...)``, ``get_object_or_404(Model, ...)``, ``qs.first()``,
    ``obj, created = qs.get_or_create(...)`` or a ``for`` loop over a queryset."""
    if uses_other_orm(context):
        return None
    scope = scope or scope_node(context)
    if scope is None:
        return None
    return _Resolver(context, scope).instance(name, frozenset(), 0)


def related_manager(expr: ast.expr, context: NodeContext) -> bool:
    """``order.items`` (``order`` a model instance fetched in this function) or
    ``request.user.groups``."""
    if uses_other_orm(context):
        return False
    scope = scope_node(context)
    if scope is None:
        return False
    return _Resolver(context, scope).related_queryset(expr, frozenset(), 0) is not None


def relation_names(model: str, context: NodeContext) -> set[str] | None:
    """Relation attributes of ``model`` when the file defines it (forward fields and reverse
    accessors from models in this file); None when the model is not defined here."""
    facts = models_in_file(context)
    if model not in facts.fields:
        return None
    return facts.relations.get(model, set())


def is_queryset_annotation(annotation: ast.expr, context: NodeContext) -> bool:
    node = annotation
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return False
    if isinstance(node, ast.Subscript):
        node = node.value
    name = context.imported(node)
    return name is not None and name in QUERYSET_CLASSES


def annotation_model(annotation: ast.expr) -> str | None:
    if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Name):
        return annotation.slice.id
    return None


def _last_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _manager_model(expr: ast.expr, context: NodeContext) -> str | None:
    if not isinstance(expr, ast.Attribute):
        return None
    owner = _last_name(expr.value)
    if owner is None:
        return None
    capitalised = owner[:1].isupper() and not owner.isupper()
    if expr.attr in DEFAULT_MANAGERS:
        return owner if capitalised else ""
    if expr.attr == "objects":
        if capitalised:
            return owner
        if owner in {"model", "model_class", "model_cls"} or owner.endswith("_model"):
            return ""
        return None
    if capitalised and expr.attr in models_in_file(context).managers.get(owner, set()):
        return owner
    return None


@dataclass
class _Resolver:
    context: NodeContext
    scope: ast.AST

    def queryset(self, expr: ast.expr, visiting: frozenset[str], depth: int) -> Queryset | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Slice):
            return self.queryset(expr.value, visiting, depth + 1)
        if isinstance(expr, ast.Name):
            return self._name(expr.id, visiting, depth)
        if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Attribute):
            return None
        method = expr.func.attr
        receiver = expr.func.value
        if method not in QUERYSET_METHODS:
            return None
        model = _manager_model(receiver, self.context)
        if model is not None:
            base = Queryset(model=model or None)
        else:
            inner = self.queryset(receiver, visiting, depth + 1)
            if inner is None:
                inner = self._custom_method(receiver, visiting, depth)
            if inner is None:
                inner = self.related_queryset(receiver, visiting, depth)
            if inner is None:
                return None
            base = inner
        return _apply(base, method, expr)

    def _custom_method(
        self, expr: ast.expr, visiting: frozenset[str], depth: int
    ) -> Queryset | None:
        """``Post.objects.published()`` followed by a queryset method: a queryset whose
        loading the file does not show."""
        if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Attribute):
            return None
        receiver = expr.func.value
        model = _manager_model(receiver, self.context)
        if model is None:
            inner = self.queryset(receiver, visiting, depth + 1)
            if inner is None:
                return None
            model = inner.model or ""
        return Queryset(model=model or None, loads_unknown=True)

    def _name(self, name: str, visiting: frozenset[str], depth: int) -> Queryset | None:
        if name in visiting:
            return Queryset()  # ``qs = qs.filter(...)``: the other bindings decide
        bindings = self._bindings(name)
        if not bindings:
            return None
        found: Queryset | None = None
        inner_visiting = visiting | {name}
        for binding in bindings:
            result: Queryset | None = None
            if binding.kind == "value" and isinstance(binding.node, ast.expr):
                result = self.queryset(binding.node, inner_visiting, depth + 1)
            elif (
                binding.kind == "annotation"
                and isinstance(binding.node, ast.expr)
                and is_queryset_annotation(binding.node, self.context)
            ):
                result = Queryset(model=annotation_model(binding.node), loads_unknown=True)
            if result is None:
                return None
            found = result if found is None else found.merge(result)
        return found

    def _bindings(self, name: str) -> list[Binding]:
        facts = scope_facts(self.scope, self.context)
        bindings = facts.bindings.get(name)
        if bindings:
            return bindings
        tree = self.context.file.tree
        if tree is not None and self.scope is not tree:
            return scope_facts(tree, self.context).bindings.get(name, [])
        return []

    def instance(self, name: str, visiting: frozenset[str], depth: int) -> Queryset | None:
        """The queryset a model instance held in ``name`` was fetched from. Bindings to a
        new ``Model(...)`` do not count against it when some binding fetches one."""
        if name in visiting or depth > MAX_DEPTH:
            return None
        bindings = scope_facts(self.scope, self.context).bindings.get(name)
        if not bindings:
            return None
        found: Queryset | None = None
        constructed = False
        for binding in bindings:
            source = self._instance_binding(binding, visiting | {name}, depth + 1)
            if source is None:
                if _constructs_instance(binding):
                    constructed = True
                    continue
                return None
            found = source if found is None else found.merge(source)
        return found if found is not None or not constructed else None

    def _instance_binding(
        self, binding: Binding, visiting: frozenset[str], depth: int
    ) -> Queryset | None:
        node = binding.node
        if binding.kind == "loop" and isinstance(node, ast.expr):
            source = self.queryset(node, visiting, depth)
            return None if source is None or source.dict_rows else source
        if not isinstance(node, ast.expr):
            return None
        if isinstance(node, ast.Await):
            node = node.value
        if (
            binding.kind == "value"
            and isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and type(node.slice.value) is int
        ):
            source = self.queryset(node.value, visiting, depth)
            return None if source is None or source.dict_rows else source
        if not isinstance(node, ast.Call):
            return None
        if binding.kind == "value":
            name = self.context.qualified_name(node.func)
            if name in {"django.shortcuts.get_object_or_404", "get_object_or_404"}:
                if node.args and isinstance(node.args[0], ast.Name):
                    shortcut = node.args[0].id
                    if shortcut[:1].isupper():
                        return Queryset(model=shortcut)
                    return self.queryset(node.args[0], visiting, depth)
                return None
            fetched = self._fetched(node, INSTANCE_METHODS, visiting, depth)
            if fetched is None and _is_get_object(node):
                return Queryset(loads_unknown=True)
            return fetched if fetched is not None else self._related_get(node)
        if binding.kind == "pair":
            return self._fetched(node, PAIR_METHODS | ASYNC_PAIR_METHODS, visiting, depth)
        return None

    def _related_get(self, call: ast.Call) -> Queryset | None:
        """``user.addresses.get(hash=h)``: a related manager's ``get`` with keyword lookups
        only (``dict.get`` takes its key positionally)."""
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in {"get", "aget"}
            and isinstance(func.value, ast.Attribute)
            and not call.args
            and call.keywords
            and all(keyword.arg is not None for keyword in call.keywords)
        ):
            return Queryset(loads_unknown=True)
        return None

    def related_queryset(
        self, receiver: ast.expr, visiting: frozenset[str], depth: int
    ) -> Queryset | None:
        """``order.items`` where ``order`` holds a fetched model instance, or
        ``request.user.groups``: a related manager."""
        if not isinstance(receiver, ast.Attribute) or receiver.attr.startswith("_"):
            return None
        owner = receiver.value
        if isinstance(owner, ast.Name):
            source = self.instance(owner.id, visiting, depth + 1)
            if source is None or source.loads_unknown or receiver.attr in source.loaded:
                return None  # the relation may sit prefetched in memory
            return Queryset(loads_unknown=True, related=True)
        if _is_request_user(owner):
            return Queryset(loads_unknown=True, related=True)
        return None

    def _fetched(
        self, call: ast.Call, methods: frozenset[str], visiting: frozenset[str], depth: int
    ) -> Queryset | None:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in methods:
            return None
        model = _manager_model(func.value, self.context)
        if model is not None:
            return Queryset(model=model or None)
        source = self.queryset(func.value, visiting, depth)
        return None if source is None or source.dict_rows else source


def _is_get_object(call: ast.Call) -> bool:
    """``self.get_object()`` / ``super().get_object()`` in a class-based view."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "get_object"):
        return False
    receiver = func.value
    return (isinstance(receiver, ast.Name) and receiver.id == "self") or (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Name)
        and receiver.func.id == "super"
    )


def _is_request_user(expr: ast.expr) -> bool:
    """``request.user`` or ``self.request.user``: the signed-in user model instance."""
    if not (isinstance(expr, ast.Attribute) and expr.attr == "user"):
        return False
    request = expr.value
    if isinstance(request, ast.Attribute) and request.attr == "request":
        return isinstance(request.value, ast.Name) and request.value.id == "self"
    return isinstance(request, ast.Name) and request.id == "request"


def _constructs_instance(binding: Binding) -> bool:
    """``obj = Model(...)``: a new, unsaved instance."""
    node = binding.node
    return (
        binding.kind == "value"
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id[:1].isupper()
    )


def _apply(base: Queryset, method: str, call: ast.Call) -> Queryset:
    loaded = set(base.loaded)
    unknown = base.loads_unknown
    if method in {"select_related", "prefetch_related"}:
        if not call.args and not call.keywords:
            unknown = unknown or method == "select_related"
        for argument in call.args:
            lookup = _lookup_name(argument)
            if lookup is None:
                unknown = True
            else:
                loaded.update(lookup)
    return Queryset(
        model=base.model,
        loaded=frozenset(loaded),
        loads_unknown=unknown,
        dict_rows=base.dict_rows or method in DICT_ROWS,
        locked=base.locked or method == "select_for_update",
        methods=base.methods | {method},
        related=base.related,
    )


def _lookup_name(argument: ast.expr) -> set[str] | None:
    """First segments a ``select_related``/``prefetch_related`` argument loads: ``"a__b"``
    loads ``a``; ``Prefetch("a", to_attr="x")`` loads ``a`` and ``x``."""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return {argument.value.split("__", 1)[0]}
    if isinstance(argument, ast.Call) and _last_name(argument.func) == "Prefetch":
        parts = list(argument.args[:1])
        parts += [k.value for k in argument.keywords if k.arg in {"lookup", "to_attr"}]
        names: set[str] = set()
        for value in parts:
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                return None
            names.add(value.value.split("__", 1)[0])
        return names or None
    return None


def _scope_nodes(scope: ast.AST, expressions: bool = True) -> Iterator[ast.AST]:
    """The nodes of a function or module body, nested functions' and classes' bodies
    excluded (their decorators and defaults included). Without ``expressions`` the walk
    neither yields nor enters expressions: only ``:=`` binds a name inside one."""
    body: list[ast.AST] = (
        [scope.body] if isinstance(scope, ast.Lambda) else list(getattr(scope, "body", []))
    )
    if not expressions:
        yield from _statements(body)
        return
    pending = list(reversed(body))
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pending.extend(reversed(node.decorator_list))
            continue
        if isinstance(node, ast.Lambda):
            continue
        pending.extend(reversed(child_nodes(node)))


_INNER_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {
    ast.If: ("body", "orelse"),
    ast.For: ("body", "orelse"),
    ast.AsyncFor: ("body", "orelse"),
    ast.While: ("body", "orelse"),
    ast.With: ("items", "body"),
    ast.AsyncWith: ("items", "body"),
    ast.Try: ("body", "handlers", "orelse", "finalbody"),
    ast.ExceptHandler: ("body",),
    ast.Match: ("cases",),
    ast.match_case: ("pattern", "body"),
    ast.MatchAs: ("pattern",),
    ast.MatchOr: ("patterns",),
    ast.MatchSequence: ("patterns",),
    ast.MatchMapping: ("patterns",),
    ast.MatchClass: ("patterns", "kwd_patterns"),
    **dict.fromkeys(
        (
            ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Return, ast.Delete,
            ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Raise, ast.Assert, ast.Import,
            ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Expr, ast.Pass, ast.Break,
            ast.Continue, ast.withitem, ast.MatchValue, ast.MatchSingleton, ast.MatchStar,
        ),
        (),
    ),
}  # fmt: skip
"""Where each kind of statement (or clause, or pattern) keeps the statements, clauses and
patterns inside it, in field order; everything else it holds is an expression (or a name,
operator or alias, which bind nothing)."""
if hasattr(ast, "TryStar"):
    _INNER_FIELDS[ast.TryStar] = _INNER_FIELDS[ast.Try]


def _statements(body: list[ast.AST]) -> Iterator[ast.AST]:
    """Statements, clauses and patterns, in source order, without entering expressions or
    nested bodies: the only nodes that bind names when no ``:=`` is about. Read from a table
    of fields, not by asking every field of every statement what it holds."""
    pending = body[::-1]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.expr):
            continue
        yield node
        fields = _INNER_FIELDS.get(type(node))
        if fields is None:  # a kind this table does not know: look at every field
            pending.extend(reversed(child_nodes(node)))
            continue
        for name in reversed(fields):
            value = getattr(node, name)
            if type(value) is list:
                pending.extend(reversed(value))
            elif value is not None:
                pending.append(value)


def _bind_target(facts: ScopeFacts, target: ast.expr, kind: str, node: ast.AST | None) -> None:
    if isinstance(target, ast.Name):
        facts.bind(target.id, kind, node)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _bind_target(facts, element, "opaque", None)
    elif isinstance(target, ast.Starred):
        _bind_target(facts, target.value, "opaque", None)


def _build_scope_facts(scope: ast.AST, expressions: bool = True) -> ScopeFacts:
    facts = ScopeFacts(scope)
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = scope.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if argument.annotation is not None:
                facts.bind(argument.arg, "annotation", argument.annotation)
            else:
                facts.bind(argument.arg, "opaque")
        for variadic in (arguments.vararg, arguments.kwarg):
            if variadic is not None:
                facts.bind(variadic.arg, "opaque")
    for node in _scope_nodes(scope, expressions):
        if isinstance(node, _BINDING_NODES):
            _bind_node(facts, node)
    return facts


_BINDING_NODES = (
    ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.AugAssign, ast.For, ast.AsyncFor,
    ast.withitem, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
    ast.ImportFrom, ast.Global, ast.Nonlocal, ast.ExceptHandler, ast.Delete, ast.MatchAs,
    ast.MatchStar, ast.MatchMapping,
)  # fmt: skip
"""The nodes ``_bind_node`` reads; most statements are none of them."""


def _bind_node(facts: ScopeFacts, node: ast.AST) -> None:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if (
                isinstance(target, ast.Tuple)
                and len(target.elts) == 2
                and isinstance(target.elts[0], ast.Name)
            ):
                facts.bind(target.elts[0].id, "pair", node.value)
                _bind_target(facts, target.elts[1], "opaque", None)
            else:
                _bind_target(facts, target, "value", node.value)
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        facts.bind(node.target.id, "annotation", node.annotation)
        if node.value is not None:
            facts.bind(node.target.id, "value", node.value)
    elif isinstance(node, ast.NamedExpr):
        facts.bind(node.target.id, "value", node.value)
    elif isinstance(node, ast.AugAssign):
        _bind_target(facts, node.target, "opaque", None)
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        _bind_target(facts, node.target, "loop", node.iter)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        _bind_target(facts, node.optional_vars, "opaque", None)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        facts.bind(node.name, "opaque")
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            facts.bind((alias.asname or alias.name).split(".", 1)[0], "opaque")
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        for name in node.names:
            facts.bind(name, "opaque")
    elif isinstance(node, ast.ExceptHandler) and node.name:
        facts.bind(node.name, "opaque")
    elif isinstance(node, ast.Delete):
        for target in node.targets:
            _bind_target(facts, target, "opaque", None)
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        facts.bind(node.name, "opaque")
    elif isinstance(node, ast.MatchMapping) and node.rest:
        facts.bind(node.rest, "opaque")


def _field_class(value: ast.expr) -> str | None:
    if isinstance(value, ast.Call):
        return _last_name(value.func)
    return None


def _related_target(call: ast.Call) -> str | None:
    target: ast.expr | None = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "to":
            target = keyword.value
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return target.value.rsplit(".", 1)[-1]
    return _last_name(target) if target is not None else None


def _build_models(tree: ast.AST) -> ModelRelations:
    facts = ModelRelations()
    reverse: list[tuple[str, str]] = []
    assert isinstance(tree, ast.Module)
    for statement in statements_below(tree):
        if not isinstance(statement, ast.ClassDef):
            continue
        fields: set[str] = set()
        for item in statement.body:
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(item, ast.Assign):
                targets, value = item.targets, item.value
            elif isinstance(item, ast.AnnAssign) and item.value is not None:
                targets, value = [item.target], item.value
            if value is None:
                continue
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            field_class = _field_class(value)
            if field_class is None:
                continue
            if _is_manager_value(value):
                facts.managers.setdefault(statement.name, set()).update(names)
                continue
            if not (field_class.endswith("Field") or field_class in RELATION_FIELDS):
                continue
            fields.update(names)
            if field_class in RELATION_FIELDS or field_class == "GenericForeignKey":
                facts.relations.setdefault(statement.name, set()).update(names)
                assert isinstance(value, ast.Call)
                target = _related_target(value)
                if target is None:
                    continue
                related_name = next(
                    (
                        k.value.value
                        for k in value.keywords
                        if k.arg == "related_name"
                        and isinstance(k.value, ast.Constant)
                        and isinstance(k.value.value, str)
                    ),
                    None,
                )
                if related_name is None:
                    suffix = "" if field_class == "OneToOneField" else "_set"
                    related_name = statement.name.lower() + suffix
                if target == "self":
                    target = statement.name
                if not related_name.endswith("+"):
                    reverse.append((target, related_name))
        if fields:
            facts.fields[statement.name] = fields
    for target, related_name in reverse:
        facts.relations.setdefault(target, set()).add(related_name)
    return facts


def _is_manager_value(value: ast.expr) -> bool:
    """``PublishedManager()``, ``models.Manager()``, ``PostQuerySet.as_manager()``,
    ``Manager.from_queryset(PostQuerySet)()``."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Call):
        return _is_manager_value(func) or (
            isinstance(func.func, ast.Attribute) and func.func.attr == "from_queryset"
        )
    name = _last_name(func)
    return name is not None and (name.endswith("Manager") or name == "as_manager")


_model_classes: PerNodeCache[frozenset[str]] = PerNodeCache()


def model_classes(context: NodeContext) -> frozenset[str]:
    """Names that are model classes by what the file shows: classes it defines with fields,
    and names it imports from a ``models`` module (``from .models import Post``)."""
    tree = context.file.tree
    if tree is None:
        return frozenset()
    return _model_classes.get(context, tree, lambda node: _collect_model_classes(node, context))


def _collect_model_classes(tree: ast.AST, context: NodeContext) -> frozenset[str]:
    names = set(models_in_file(context).fields)
    for statement in file_statements(context):
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Call)
            and _last_name(statement.value.func) in {"get_user_model", "get_model"}
        ):
            names.update(
                target.id
                for target in statement.targets
                if isinstance(target, ast.Name) and target.id[:1].isupper()
            )
        if (
            isinstance(statement, ast.ImportFrom)
            and statement.module
            and "models" in statement.module.split(".")
        ):
            names.update(
                alias.asname or alias.name for alias in statement.names if alias.name[:1].isupper()
            )
    return frozenset(names)
