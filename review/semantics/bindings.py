"""What a name holds, as far as the file shows: the values assigned to it and the annotation it
was declared with, per function, per module and per class (``self.client = ...``).

Rules ask ``instance_of(expr, kind, context)``: is this expression, by every binding in view,
an instance of one class (a ``pathlib.Path``, an ``httpx.AsyncClient``)? A name bound in a way
that cannot be followed (a loop target, tuple unpacking, an import) makes the answer "no", so
rules built on it stay silent when unsure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from stackskills.review.context import NodeContext
from stackskills.review.semantics.file_cache import PerNodeCache

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
SCOPE_BOUNDARIES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
MAX_DEPTH = 6
"""How many assignments deep a value is followed (``a = b``, ``b = Path(...)``)."""


@dataclass
class Scope:
    """The bindings of one function, module or class's ``self`` attributes."""

    values: dict[str, list[ast.expr]] = field(default_factory=dict)
    annotations: dict[str, ast.expr] = field(default_factory=dict)
    opaque: set[str] = field(default_factory=set)
    """Names also bound some way that cannot be followed."""
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)
    """Functions defined under each name (``def`` statements, nested blocks included)."""
    owners: dict[int, ast.AST] = field(default_factory=dict)
    """For class scopes: id(value) → the method that assigned it (its names resolve there)."""

    def binds(self, name: str) -> bool:
        return (
            name in self.values
            or name in self.annotations
            or name in self.opaque
            or name in self.functions
        )

    def add_value(self, name: str, value: ast.expr) -> None:
        self.values.setdefault(name, []).append(value)


@dataclass(frozen=True)
class Kind:
    """One class of object, and how code spells getting one."""

    classes: frozenset[str]
    """Qualified class names: calling one, or annotating with one, gives an instance."""
    factories: frozenset[str] = frozenset()
    """Other qualified callables that return an instance (``requests.session``)."""
    class_methods: frozenset[str] = frozenset()
    """``Class.method()`` calls that return an instance (``Path.home()``)."""
    methods: frozenset[str] = frozenset()
    """Methods of an instance that return another instance (``path.with_suffix()``)."""
    attributes: frozenset[str] = frozenset()
    """Attributes of an instance that are instances (``path.parent``)."""
    divides: bool = False
    """``instance / "part"`` is an instance, and so is ``anything / "text"`` (pathlib)."""


def _bind_target(scope: Scope, target: ast.expr, value: ast.expr | None) -> None:
    if isinstance(target, ast.Name):
        if value is None:
            scope.opaque.add(target.id)
        else:
            scope.add_value(target.id, value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _bind_target(scope, element, None)
    elif isinstance(target, ast.Starred):
        _bind_target(scope, target.value, None)


def _bind_arguments(scope: Scope, arguments: ast.arguments) -> None:
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    for argument in every:
        if argument.annotation is not None:
            scope.annotations[argument.arg] = argument.annotation
        else:
            scope.opaque.add(argument.arg)
    for variadic in (arguments.vararg, arguments.kwarg):
        if variadic is not None:
            scope.opaque.add(variadic.arg)


def _statement_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of ``body`` that belongs to its scope: nested functions and classes are
    yielded (they bind their name) but not entered."""
    pending: list[ast.AST] = list(reversed(body))
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, SCOPE_BOUNDARIES):
            if not isinstance(node, ast.Lambda):
                # decorators and defaults run in this scope
                pending.extend(reversed(node.decorator_list))
            continue
        pending.extend(reversed(list(ast.iter_child_nodes(node))))


def _bind_statement(scope: Scope, node: ast.AST) -> None:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            _bind_target(scope, target, node.value)
    elif isinstance(node, ast.AnnAssign):
        if isinstance(node.target, ast.Name):
            scope.annotations[node.target.id] = node.annotation
            if node.value is not None:
                scope.add_value(node.target.id, node.value)
    elif isinstance(node, ast.NamedExpr):
        scope.add_value(node.target.id, node.value)
    elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
        _bind_target(scope, node.target, None)
    elif isinstance(node, ast.withitem):
        if node.optional_vars is not None:
            _bind_target(scope, node.optional_vars, node.context_expr)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        scope.functions.setdefault(node.name, []).append(node)
    elif isinstance(node, ast.ClassDef):
        scope.opaque.add(node.name)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            scope.opaque.add((alias.asname or alias.name).split(".", 1)[0])
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        scope.opaque.update(node.names)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        scope.opaque.add(node.name)
    elif isinstance(node, ast.Delete):
        for target in node.targets:
            _bind_target(scope, target, None)
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        scope.opaque.add(node.name)
    elif isinstance(node, ast.MatchMapping) and node.rest:
        scope.opaque.add(node.rest)
    # comprehension targets live in their own scope and are deliberately not recorded


def _build_scope(node: ast.AST) -> Scope:
    scope = Scope()
    if isinstance(node, ast.Lambda):
        _bind_arguments(scope, node.args)
        for inner in ast.walk(node.body):
            if isinstance(inner, ast.NamedExpr):
                scope.add_value(inner.target.id, inner.value)
        return scope
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        _bind_arguments(scope, node.args)
    body: list[ast.stmt] = getattr(node, "body", [])
    for inner in _statement_nodes(body):
        _bind_statement(scope, inner)
    return scope


_scopes: PerNodeCache[Scope] = PerNodeCache()
_self_scopes: PerNodeCache[Scope] = PerNodeCache()


def scope_of(node: ast.AST, context: NodeContext) -> Scope:
    """The bindings made directly in a function, lambda or module (cached per node)."""
    return _scopes.get(context, node, _build_scope)


def self_attributes(cls: ast.ClassDef, context: NodeContext) -> Scope:
    """``self.x`` bindings made in the methods of ``cls``, and its class-level annotations."""
    return _self_scopes.get(context, cls, _build_self_scope)


def _build_self_scope(node: ast.AST) -> Scope:
    scope = Scope()
    assert isinstance(node, ast.ClassDef)
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            scope.annotations[statement.target.id] = statement.annotation
            if statement.value is not None:
                scope.add_value(statement.target.id, statement.value)
                scope.owners[id(statement.value)] = node
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    scope.add_value(target.id, statement.value)
                    scope.owners[id(statement.value)] = node
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.functions.setdefault(statement.name, []).append(statement)
            receiver = _first_parameter(statement)
            if receiver is None:
                continue
            for inner in _statement_nodes(statement.body):
                _bind_self(scope, inner, receiver, statement)
    return scope


def _first_parameter(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    positional = [*function.args.posonlyargs, *function.args.args]
    return positional[0].arg if positional else None


def _bind_self(scope: Scope, node: ast.AST, receiver: str, method: ast.AST) -> None:
    targets: list[tuple[ast.expr, ast.expr | None]] = []
    if isinstance(node, ast.Assign):
        targets = [(target, node.value) for target in node.targets]
    elif isinstance(node, ast.AnnAssign):
        targets = [(node.target, node.value)]
        if _is_self_attribute(node.target, receiver):
            assert isinstance(node.target, ast.Attribute)
            scope.annotations[node.target.attr] = node.annotation
    elif isinstance(node, ast.AugAssign):
        targets = [(node.target, None)]
    for target, value in targets:
        if _is_self_attribute(target, receiver):
            assert isinstance(target, ast.Attribute)
            if value is None:
                scope.opaque.add(target.attr)
            else:
                scope.add_value(target.attr, value)
                scope.owners[id(value)] = method


def _is_self_attribute(node: ast.expr, receiver: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == receiver
    )


def scope_chain(context: NodeContext) -> list[ast.AST]:
    """The functions around the node, innermost first, then the module (class bodies are not
    scopes their methods can see)."""
    chain: list[ast.AST] = [
        node
        for node in reversed(context.ancestors)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
    ]
    if context.file.tree is not None:
        chain.append(context.file.tree)
    return chain


def chain_from(function: ast.AST, context: NodeContext) -> list[ast.AST]:
    """The scope chain seen from inside ``function`` (which must be an ancestor or the node's
    own enclosing method)."""
    chain = scope_chain(context)
    if function in chain:
        return chain[chain.index(function) :]
    tree = context.file.tree
    return [function, tree] if tree is not None else [function]


def lookup(name: str, chain: list[ast.AST], context: NodeContext) -> tuple[Scope, int] | None:
    """The scope that binds ``name`` and its position in ``chain``; None when no scope in
    view binds it (a builtin, or a name from ``import *``)."""
    for position, node in enumerate(chain):
        scope = scope_of(node, context)
        if scope.binds(name):
            return scope, position
    return None


def enclosing_self(context: NodeContext) -> tuple[str, ast.ClassDef, ast.AST] | None:
    """(receiver name, class, method) when the node sits in a method of a class."""
    for index in range(len(context.ancestors) - 1, -1, -1):
        node = context.ancestors[index]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parent = context.ancestors[index - 1] if index > 0 else None
            if isinstance(parent, ast.ClassDef):
                receiver = _first_parameter(node)
                if receiver is None or _is_static(node):
                    return None
                return receiver, parent, node
        elif isinstance(node, ast.ClassDef):
            return None
    return None


def _is_static(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        isinstance(decorator, ast.Name) and decorator.id == "staticmethod"
        for decorator in function.decorator_list
    )


def instance_of(expr: ast.expr, kind: Kind, context: NodeContext) -> bool:
    """True when every binding in view makes ``expr`` an instance of ``kind``."""
    return _Resolver(kind, context).instance(expr, scope_chain(context), 0)


@dataclass
class _Resolver:
    kind: Kind
    context: NodeContext

    def instance(self, expr: ast.expr, chain: list[ast.AST], depth: int) -> bool:
        if depth > MAX_DEPTH:
            return False
        kind = self.kind
        if isinstance(expr, ast.Call):
            return self._call(expr, chain, depth)
        if isinstance(expr, ast.BinOp):
            if not kind.divides or not isinstance(expr.op, ast.Div):
                return False
            # `anything / "name.json"`: only paths divide by text
            return _is_text(expr.right) or self.instance(expr.left, chain, depth + 1)
        if isinstance(expr, ast.Await):
            return False
        if isinstance(expr, ast.Name):
            return self._name(expr.id, chain, depth)
        if isinstance(expr, ast.Attribute):
            if expr.attr in kind.attributes and self.instance(expr.value, chain, depth + 1):
                return True
            return self._self_attribute(expr, depth)
        if isinstance(expr, ast.Subscript):
            # path.parents[0]
            value = expr.value
            return (
                isinstance(value, ast.Attribute)
                and value.attr == "parents"
                and "parent" in kind.attributes
                and self.instance(value.value, chain, depth + 1)
            )
        return False

    def _call(self, call: ast.Call, chain: list[ast.AST], depth: int) -> bool:
        kind = self.kind
        name = self.context.imported(call.func)
        if name is not None and (name in kind.classes or name in kind.factories):
            return True
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in kind.class_methods and self.context.imported(func.value) in (
                kind.classes
            ):
                return True
            if func.attr in kind.methods:
                return self.instance(func.value, chain, depth + 1)
        return False

    def _name(self, name: str, chain: list[ast.AST], depth: int) -> bool:
        found = lookup(name, chain, self.context)
        if found is None:
            return False
        scope, position = found
        if name in scope.opaque or name in scope.functions:
            return False
        annotation = scope.annotations.get(name)
        if annotation is not None:
            return annotation_names(annotation, self.kind.classes, self.context)
        values = scope.values.get(name, [])
        inner = chain[position:]
        return bool(values) and all(self.instance(value, inner, depth + 1) for value in values)

    def _self_attribute(self, expr: ast.Attribute, depth: int) -> bool:
        if not isinstance(expr.value, ast.Name):
            return False
        found = enclosing_self(self.context)
        if found is None or found[0] != expr.value.id:
            return False
        scope = self_attributes(found[1], self.context)
        if expr.attr in scope.opaque:
            return False
        getter = _property_type(scope.functions.get(expr.attr, []))
        if getter is not None:
            return annotation_names(getter, self.kind.classes, self.context)
        annotation = scope.annotations.get(expr.attr)
        if annotation is not None:
            return annotation_names(annotation, self.kind.classes, self.context)
        values = scope.values.get(expr.attr, [])
        if not values:
            return False
        for value in values:
            owner = scope.owners.get(id(value))
            chain = chain_from(owner, self.context) if owner is not None else []
            if not self.instance(value, chain, depth + 1):
                return False
        return True


def _property_type(
    definitions: list[ast.FunctionDef | ast.AsyncFunctionDef],
) -> ast.expr | None:
    """The return annotation of a ``@property`` (or ``cached_property``) getter."""
    for definition in definitions:
        for decorator in definition.decorator_list:
            name = decorator.attr if isinstance(decorator, ast.Attribute) else None
            name = decorator.id if isinstance(decorator, ast.Name) else name
            if name in {"property", "cached_property"}:
                return definition.returns
    return None


def annotation_names(annotation: ast.expr, classes: frozenset[str], context: NodeContext) -> bool:
    """True when ``annotation`` is one of ``classes``, possibly optional (``X | None``,
    ``Optional[X]``) or written as a string."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            parsed = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return False
        return annotation_names(parsed, classes, context)
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        real = [side for side in sides if not _is_none(side)]
        return len(real) == 1 and annotation_names(real[0], classes, context)
    if isinstance(annotation, ast.Subscript):
        wrapper = context.imported(annotation.value)
        if wrapper in {"typing.Optional", "typing_extensions.Optional"}:
            return annotation_names(annotation.slice, classes, context)
        if wrapper in {"typing.Union", "typing_extensions.Union"} and isinstance(
            annotation.slice, ast.Tuple
        ):
            real = [side for side in annotation.slice.elts if not _is_none(side)]
            return len(real) == 1 and annotation_names(real[0], classes, context)
        return False
    return context.imported(annotation) in classes


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def local_function(
    func: ast.expr, context: NodeContext
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The one ``def`` that ``func`` (``fetch`` or ``self.fetch``) calls, when the file shows it
    and nothing else is bound to that name."""
    if isinstance(func, ast.Name):
        found = lookup(func.id, scope_chain(context), context)
        if found is None:
            return None
        scope = found[0]
        name = func.id
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = enclosing_self(context)
        if owner is None or owner[0] != func.value.id:
            return None
        scope = self_attributes(owner[1], context)
        name = func.attr
    else:
        return None
    definitions = scope.functions.get(name, [])
    if len(definitions) != 1 or name in scope.values or name in scope.opaque:
        return None
    return definitions[0]
