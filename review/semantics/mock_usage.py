"""Which expressions of a test hold a plain ``MagicMock``/``Mock``, and where the test awaits
them, checks them with ``assert_awaited*``, or passes them to same-file code that awaits them.

Mocks are tracked by dotted key (``mailer``, ``self.client``, ``service.repo``; a call
``m()`` reads as ``m.return_value``) inside one function, plus the ``self.*`` keys any method
of its class binds (``setUp``) and the mocks a same-file fixture returns. Anything that could
make the mock awaitable makes the key unknown and the analysis silent: a ``spec``, an
``AsyncMock`` assigned to a child, ``configure_mock``/``attach_mock``, or a ``return_value``
or ``side_effect`` (which may be a coroutine) on the awaited call.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from stackskills.review.semantics.awaited_parameters import (
    AwaitedArgument,
    argument_for,
    awaited_arguments,
)

MOCK_MODULES = ("unittest.mock.", "mock.", "mock.mock.")
MOCK_CLASSES = frozenset({"MagicMock", "Mock"})
SPEC_KEYWORDS = frozenset({"spec", "spec_set", "wraps", "autospec", None})
"""Keywords that make a mock's children async-aware (or unknowable: ``**kwargs``)."""
CONFIGURE_METHODS = frozenset({"configure_mock", "attach_mock", "mock_add_spec"})
ASSERT_AWAITED = frozenset(
    {
        "assert_awaited",
        "assert_awaited_once",
        "assert_awaited_with",
        "assert_awaited_once_with",
        "assert_any_await",
        "assert_has_awaits",
        "assert_not_awaited",
    }
)
AWAIT_ATTRIBUTES = frozenset({"await_count", "await_args", "await_args_list"})
FIXTURE_DECORATORS = frozenset({"fixture", "yield_fixture"})
MOCK_WORDS = ("Mock", "patch", "setattr")
"""Text any code that binds a mock contains (``MagicMock(``, ``patch(``, ``setattr(``)."""

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Binding:
    """What one assignment put under a key."""

    origin: ast.AST | None
    """The ``MagicMock(...)`` call or ``patch(..., new_callable=MagicMock)`` that created a
    plain mock; None for anything else (another object, or a mock that may be awaitable)."""
    configured: bool = False
    """Created with ``return_value=``/``side_effect=``: awaiting its call may work."""
    literal: bool = False
    """The value is a literal (a number, string, list...): never awaitable."""


OTHER = Binding(origin=None)


@dataclass
class Scope:
    bindings: dict[str, list[Binding]] = field(default_factory=dict)

    def bind(self, key: str | None, binding: Binding) -> None:
        if key is not None:
            self.bindings.setdefault(key, []).append(binding)

    def merged(self, other: Scope, keep: str | None = None) -> Scope:
        scope = Scope({key: list(values) for key, values in self.bindings.items()})
        for key, values in other.bindings.items():
            if keep is None or key == keep or key.startswith(keep + "."):
                scope.bindings.setdefault(key, []).extend(values)
        return scope


@dataclass(frozen=True)
class Evidence:
    """A read of a mock that needs it to be async."""

    parts: list[str]
    """The key read (``mailer.send_welcome``)."""
    called: bool
    """The key's call is awaited (``await mailer.send_welcome(...)``)."""
    how: str


def evidence(node: ast.AST) -> Evidence | None:
    """``await x(...)``/``await x``, ``x.assert_awaited*``, ``x.await_count``: what is read."""
    if isinstance(node, ast.Attribute):
        if node.attr in ASSERT_AWAITED:
            how = f"checked with {node.attr}()"
        elif node.attr in AWAIT_ATTRIBUTES and isinstance(node.ctx, ast.Load):
            how = f"read for .{node.attr}"
        else:
            return None
        parts = chain(node.value)
        return Evidence(parts, False, how) if parts else None
    if not isinstance(node, ast.Await):
        return None
    value = node.value
    if isinstance(value, ast.Call):
        parts = chain(value.func)
        return Evidence(parts, True, "awaited") if parts else None
    parts = chain(value)
    if not parts:
        return None
    if parts[-1] == "return_value":
        return Evidence(parts[:-1], True, "awaited") if len(parts) > 1 else None
    return Evidence(parts, False, "awaited")


def chain(node: ast.expr) -> list[str] | None:
    """``self.mailer.send`` → ``["self", "mailer", "send"]``; ``m().x`` → ``m.return_value.x``."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            parts.append("return_value")
            node = node.func
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return list(reversed(parts))
        else:
            return None


def key_of(node: ast.expr) -> str | None:
    parts = chain(node)
    return ".".join(parts) if parts else None


class MockReader:
    """Reads one module, one function at a time: which keys hold plain mocks."""

    def __init__(self, tree: ast.Module, imports: dict[str, str]) -> None:
        self.tree = tree
        self.imports = imports
        """The file's imports as recorded so far by the walk (function-local ones included)."""
        self.reported: set[int] = set()
        """ids of origins already reported, so a mock is reported once."""
        self._fixtures: dict[str, tuple[str, Scope] | None] = {}
        self._fixture_index: dict[str, Function] | None = None
        self._scopes: dict[int, Scope] = {}
        self._shared: dict[int, Scope] = {}
        self._mentioned: dict[int, bool] = {}
        self._awaited: dict[str, list[AwaitedArgument]] | None = None

    def passed_to_awaiting_code(self, call: ast.Call) -> Iterator[Evidence]:
        """Arguments of ``call`` that a same-file function or class awaits the calls of."""
        if not isinstance(call.func, ast.Name):
            return
        if self._awaited is None:
            self._awaited = awaited_arguments(self.tree)
        for awaited in self._awaited.get(call.func.id, ()):
            argument = argument_for(call, awaited)
            parts = chain(argument) if argument is not None else None
            if parts and "return_value" not in parts:
                how = f"passed to {call.func.id}(), which awaits it"
                yield Evidence([*parts, *awaited.suffix], True, how)

    # -- what a name or call is -------------------------------------------------------------

    def qualified(self, node: ast.expr) -> str | None:
        parts = chain(node)
        if not parts or "return_value" in parts:
            return None
        root = self.imports.get(parts[0])
        if root is None:
            return None
        return ".".join([root, *parts[1:]])

    def mock_class(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Attribute) and _is_mocker(func.value):
            return func.attr in MOCK_CLASSES
        name = self.qualified(func)
        return (
            name is not None
            and name.startswith(MOCK_MODULES)
            and name.rsplit(".", 1)[1] in MOCK_CLASSES
        )

    def patcher(self, func: ast.expr) -> str | None:
        """``patch`` or ``object`` for ``patch(...)``/``patch.object(...)`` (also pytest-mock's
        ``mocker.patch``), else None."""
        if isinstance(func, ast.Attribute) and func.attr == "object":
            return "object" if self.patcher(func.value) == "patch" else None
        if isinstance(func, ast.Attribute) and func.attr == "patch" and _is_mocker(func.value):
            return "patch"
        name = self.qualified(func)
        if name is not None and name.startswith(MOCK_MODULES) and name.endswith(".patch"):
            return "patch"
        return None

    def classify(self, value: ast.expr) -> Binding:
        if isinstance(value, (ast.Constant, ast.List, ast.Dict, ast.Tuple, ast.Set)):
            return Binding(origin=None, literal=True)
        if not isinstance(value, ast.Call):
            return OTHER
        if self.mock_class(value.func):
            if value.args or any(kw.arg in SPEC_KEYWORDS for kw in value.keywords):
                return OTHER
            return Binding(origin=value, configured=_configures(value))
        kind = self.patcher(value.func)
        if kind is not None:
            return self.patched(value, kind)  # pytest-mock's mocker.patch returns the mock
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr == "start":
            inner = func.value
            if isinstance(inner, ast.Call):
                kind = self.patcher(inner.func)
                if kind is not None:
                    return self.patched(inner, kind)
        return OTHER

    def patched(self, call: ast.Call, kind: str) -> Binding:
        """The mock a patcher puts in place (and hands to ``as``/the decorated function)."""
        new = _argument(call, "new", 2 if kind == "object" else 1)
        if new is not None:
            return self.classify(new)
        factory = _argument(call, "new_callable", None)
        if factory is None or not self.mock_class(factory):
            return OTHER  # patch() itself picks AsyncMock for an async def target
        if any(kw.arg in SPEC_KEYWORDS for kw in call.keywords):
            return OTHER
        return Binding(origin=call, configured=_configures(call))

    def injects(self, call: ast.Call) -> bool:
        """A ``@patch(...)`` decorator passes the mock as an argument unless given ``new``."""
        kind = self.patcher(call.func)
        return kind is not None and _argument(call, "new", 2 if kind == "object" else 1) is None

    # -- scopes --------------------------------------------------------------------------------

    def function_scope(self, function: Function, method: bool) -> Scope:
        scope = Scope()
        self._decorated_arguments(function, method, scope)
        for node in _walk_body(function):
            self._bind(node, scope)
        return scope

    def _decorated_arguments(self, function: Function, method: bool, scope: Scope) -> None:
        params = [*function.args.posonlyargs, *function.args.args]
        if method and params:
            params = params[1:]
        injected = []
        for decorator in reversed(function.decorator_list):
            if not isinstance(decorator, ast.Call):
                continue
            if self.patcher(decorator.func) is not None:
                self._bind_patch_target(decorator, scope)
                if self.injects(decorator):
                    injected.append(decorator)
            elif isinstance(decorator.func, ast.Attribute) and self.patcher(decorator.func.value):
                return  # patch.multiple / patch.dict: arguments cannot be matched safely
        for param, decorator in zip(params, injected, strict=False):
            kind = self.patcher(decorator.func)
            assert kind is not None
            scope.bind(param.arg, self.patched(decorator, kind))

    def _bind(self, node: ast.AST, scope: Scope) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._assign(target, node.value, scope)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            self._assign(node.target, node.value, scope)
        elif isinstance(node, ast.AugAssign):
            scope.bind(key_of(node.target), OTHER)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    binding = OTHER
                    call = item.context_expr
                    if isinstance(call, ast.Call):
                        kind = self.patcher(call.func)
                        if kind is not None:
                            binding = self.patched(call, kind)
                    self._assign(item.optional_vars, None, scope, binding)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            self._assign(node.target, None, scope, OTHER)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.bind(node.name, OTHER)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for param in _parameters(node.args):
                scope.bind(param, OTHER)  # a nested function's parameter shadows the mock
        elif isinstance(node, ast.Call):
            self._bind_call(node, scope)

    def _bind_call(self, node: ast.Call, scope: Scope) -> None:
        func = node.func
        if self.patcher(func) == "object":
            self._bind_patch_target(node, scope)
        elif isinstance(func, ast.Attribute) and func.attr in CONFIGURE_METHODS:
            scope.bind(key_of(func.value), OTHER)
        elif (
            (isinstance(func, ast.Name) and func.id == "setattr")
            or (isinstance(func, ast.Attribute) and func.attr == "setattr")
        ) and len(node.args) >= 3:
            target, name, value = node.args[:3]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                base = key_of(target)
                if base is not None:
                    scope.bind(f"{base}.{name.value}", self.classify(value))

    def _bind_patch_target(self, call: ast.Call, scope: Scope) -> None:
        """``patch.object(service, "client", ...)`` also puts the mock at ``service.client``."""
        if self.patcher(call.func) != "object" or len(call.args) < 2:
            return
        target, name = call.args[:2]
        base = key_of(target)
        if base is not None and isinstance(name, ast.Constant) and isinstance(name.value, str):
            scope.bind(f"{base}.{name.value}", self.patched(call, "object"))

    def _assign(
        self, target: ast.expr, value: ast.expr | None, scope: Scope, binding: Binding = OTHER
    ) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._assign(element, None, scope, OTHER)
            return
        if isinstance(target, ast.Starred):
            target = target.value
        if value is not None:
            binding = self.classify(value)
        scope.bind(key_of(target), binding)

    # -- fixtures ------------------------------------------------------------------------------

    def fixture(self, name: str) -> tuple[str, Scope] | None:
        """A same-file fixture that returns or yields a key: (that key, the fixture's scope)."""
        if name not in self._fixtures:
            self._fixtures[name] = None
            function = self._fixture_functions().get(name)
            if function is not None:
                self._fixtures[name] = self._fixture_result(name, function)
        return self._fixtures[name]

    def _fixture_functions(self) -> dict[str, Function]:
        if self._fixture_index is None:
            self._fixture_index = {}
            for function in _functions(self.tree.body):
                name = _fixture_name(function)
                if name is not None:
                    self._fixture_index[name] = function
        return self._fixture_index

    def _fixture_result(self, name: str, function: Function) -> tuple[str, Scope] | None:
        scope = self.function_scope(function, method=False)
        found = None
        for node in _walk_body(function):
            value = node.value if isinstance(node, (ast.Return, ast.Yield)) else None
            if value is None:
                continue
            binding = self.classify(value) if isinstance(value, ast.Call) else OTHER
            if binding.origin is not None:
                key: str | None = f"<{name}>"
                scope.bind(key, binding)
            else:
                key = key_of(value)
            if key is not None:
                found = (key, scope)
        return found

    # -- the scope a read is resolved in -------------------------------------------------------

    def may_hold_mock(
        self, function: Function, owner: ast.ClassDef | None, root: str, lines: list[str]
    ) -> bool:
        """A cheap text test before any walk: can ``root`` be bound to a mock at all? Only if
        the function, its class (for ``self``) or the fixture it names mentions a mock."""
        if self._mentions(function, lines):
            return True
        if root == "self":
            return owner is not None and self._mentions(owner, lines)
        fixture = self._fixture_functions().get(root)
        return fixture is not None and self._mentions(fixture, lines)

    def _mentions(self, node: ast.AST, lines: list[str]) -> bool:
        found = self._mentioned.get(id(node))
        if found is None:
            decorators = getattr(node, "decorator_list", [])
            start = min([getattr(node, "lineno", 1), *(d.lineno for d in decorators)])
            end = getattr(node, "end_lineno", None)
            found = any(word in line for line in lines[start - 1 : end] for word in MOCK_WORDS)
            self._mentioned[id(node)] = found
        return found

    def scope_for(self, function: Function, owner: ast.ClassDef | None) -> Scope:
        """The bindings visible in a top-level function or method: its own, the ``self.*`` ones
        of its class, and those of the same-file fixtures its parameters name."""
        scope = self._scopes.get(id(function))
        if scope is None:
            scope = self.function_scope(function, method=owner is not None)
            if owner is not None:
                scope = scope.merged(self._class_scope(owner))
            for param in _parameters(function.args):
                fixture = self.fixture(param) if param not in scope.bindings else None
                if fixture is not None:
                    scope = scope.merged(_renamed(fixture[1], fixture[0], param))
            self._scopes[id(function)] = scope
        return scope

    def _class_scope(self, owner: ast.ClassDef) -> Scope:
        shared = self._shared.get(id(owner))
        if shared is None:
            shared = Scope()
            for method in _functions(owner.body):
                shared = shared.merged(self.function_scope(method, method=True), keep="self")
            self._shared[id(owner)] = shared
        return shared


def origins(scope: Scope, read: Evidence) -> list[ast.AST]:
    """Where the plain mock behind ``read`` was created; empty when unsure."""
    return _origins(scope, read.parts, read.called)


def _origins(scope: Scope, parts: list[str], called: bool) -> list[ast.AST]:
    """Where the plain mock that ``parts`` reads from was created; empty when unsure."""
    for size in range(len(parts), 0, -1):
        bindings = scope.bindings.get(".".join(parts[:size]))
        if bindings is None:
            continue
        if any(binding.origin is None for binding in bindings):
            return []
        if any(part.startswith("__") for part in parts[size:]):
            return []  # MagicMock's async magic methods (__aenter__...) are AsyncMocks
        if called and not _await_fails(scope, parts, size, bindings):
            return []
        return list(dict.fromkeys(binding.origin for binding in bindings if binding.origin))
    return []


def _await_fails(scope: Scope, parts: list[str], size: int, bindings: list[Binding]) -> bool:
    """Awaiting the call of ``parts`` fails unless a result was configured: a
    ``return_value``/``side_effect`` may be a coroutine or future, so only a literal counts."""
    callee = ".".join(parts)
    configured = [
        *scope.bindings.get(f"{callee}.return_value", []),
        *scope.bindings.get(f"{callee}.side_effect", []),
    ]
    if size == len(parts) and any(binding.configured for binding in bindings):
        return False
    return all(binding.literal for binding in configured)


def _renamed(scope: Scope, key: str, name: str) -> Scope:
    renamed = Scope()
    for old, values in scope.bindings.items():
        if old == key or old.startswith(key + "."):
            renamed.bindings[name + old[len(key) :]] = list(values)
    return renamed


def _configures(call: ast.Call) -> bool:
    return any(kw.arg in {"return_value", "side_effect"} for kw in call.keywords)


def _argument(call: ast.Call, name: str, position: int | None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _is_mocker(node: ast.expr) -> bool:
    """pytest-mock's fixture: ``mocker``, ``class_mocker``, ``session_mocker``..."""
    return isinstance(node, ast.Name) and node.id.endswith("mocker")


def _parameters(args: ast.arguments) -> Iterator[str]:
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        yield arg.arg
    if args.vararg:
        yield args.vararg.arg
    if args.kwarg:
        yield args.kwarg.arg


def _fixture_name(function: Function) -> str | None:
    for decorator in function.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
        if name in FIXTURE_DECORATORS:
            alias = _argument(call, "name", None) if call else None
            if isinstance(alias, ast.Constant) and isinstance(alias.value, str):
                return alias.value
            return function.name
    return None


def _functions(body: list[ast.stmt]) -> Iterator[Function]:
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield statement


def _walk_body(function: Function) -> Iterator[ast.AST]:
    """Every node of the function's body (nested functions included), not its decorators."""
    pending: list[ast.AST] = list(reversed(function.body))
    while pending:
        node = pending.pop()
        yield node
        pending.extend(reversed(list(ast.iter_child_nodes(node))))
