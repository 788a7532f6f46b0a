"""Which functions are FastAPI path operations, and which names hold a FastAPI app or router.

``@app.get("/x")`` reads the same in Flask, Quart and Sanic, so a decorator counts only when
its object was built by ``FastAPI()``/``APIRouter()`` in this file, or when the file imports
FastAPI and no other web framework (``from app.main import app`` in a router module).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from stackskills.review.context import NodeContext
from stackskills.review.semantics.file_cache import PerNodeCache

FASTAPI_FACTORIES = frozenset(
    {
        "fastapi.FastAPI",
        "fastapi.applications.FastAPI",
        "fastapi.APIRouter",
        "fastapi.routing.APIRouter",
    }
)
"""Constructors whose result is an app or router with path-operation decorators."""

HTTP_METHOD_DECORATORS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace"}
)
ROUTE_DECORATORS = HTTP_METHOD_DECORATORS | {"api_route"}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
APP_LIKE_SUFFIXES = ("Router", "FastAPI", "App", "API", "Api", "Application")

OTHER_WEB_FRAMEWORKS = frozenset(
    {
        "flask",
        "quart",
        "sanic",
        "aiohttp",
        "bottle",
        "falcon",
        "tornado",
        "litestar",
        "starlite",
        "robyn",
        "blacksheep",
        "django",
        "pyramid",
        "cherrypy",
        "microdot",
        "emmett",
        "responder",
    }
)


@dataclass
class WebFileFacts:
    """What the file shows about its web objects, computed once per file."""

    fastapi_objects: set[str] = field(default_factory=set)
    """Names bound to ``FastAPI()``/``APIRouter()`` or annotated as one."""
    other_objects: set[str] = field(default_factory=set)
    """Names bound to a call of something imported from another web framework."""
    foreign_objects: set[str] = field(default_factory=set)
    """Names bound to an instance of some other class (``bus = EventBus()``): they may have
    an ``on_event`` of their own. Custom routers (``PrefectRouter()``) are not among them."""
    imports_fastapi: bool = False
    imports_other_web: bool = False


_files: PerNodeCache[WebFileFacts] = PerNodeCache()


def web_facts(context: NodeContext) -> WebFileFacts:
    """The facts of the file being reviewed, collected once per file."""
    tree = context.file.tree
    if tree is None:
        return WebFileFacts()
    return _files.get(context, tree, _collect)


def _collect(tree: ast.AST) -> WebFileFacts:
    facts = WebFileFacts()
    imports: dict[str, str] = {}
    classes: list[ast.ClassDef] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for module in _imported_modules(node):
                top = module.split(".", 1)[0]
                if top == "fastapi":
                    facts.imports_fastapi = True
                elif top in OTHER_WEB_FRAMEWORKS:
                    facts.imports_other_web = True
            _record(node, imports)
        elif isinstance(node, ast.ClassDef):
            classes.append(node)
    # `class Api(FastAPI)` in this file builds apps too.
    app_classes = {
        node.name
        for node in classes
        if any(_factory_kind(base, imports) is True for base in node.bases)
    }
    for node in ast.walk(tree):
        value: ast.expr | None = None
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            value, targets = node.value, node.targets
        elif isinstance(node, ast.AnnAssign):
            value, targets = node.value, [node.target]
            if isinstance(node.target, ast.Name) and _factory_kind(node.annotation, imports):
                facts.fastapi_objects.add(node.target.id)
        elif isinstance(node, ast.arg) and _factory_kind(node.annotation, imports) is True:
            facts.fastapi_objects.add(node.arg)
        if not isinstance(value, ast.Call):
            continue
        kind = _factory_kind(value.func, imports)
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if kind is None:
                kind = _constructs_app(value.func, app_classes)
                if kind is False:
                    facts.foreign_objects.add(target.id)
                elif kind:
                    facts.fastapi_objects.add(target.id)
            else:
                (facts.fastapi_objects if kind else facts.other_objects).add(target.id)
    return facts


def _constructs_app(func: ast.expr, app_classes: set[str]) -> bool | None:
    """True for an in-file FastAPI subclass or a class named like a router or app, False for
    another class (``EventBus()``), None for a function call such as ``create_app()``, which
    may well return an app."""
    if isinstance(func, ast.Attribute):
        name = func.attr
    elif isinstance(func, ast.Name):
        name = func.id
    else:
        return None
    if name in app_classes or name.endswith(APP_LIKE_SUFFIXES):
        return True
    if name[:1].isupper() and not name.isupper():
        return False
    return None


def _imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module] if node.module and node.level == 0 else []


def _record(node: ast.Import | ast.ImportFrom, imports: dict[str, str]) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            local = alias.asname or alias.name.split(".", 1)[0]
            imports[local] = alias.name if alias.asname else local
    elif node.level == 0 and node.module:
        for alias in node.names:
            imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def _dotted(node: ast.expr, imports: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in imports:
        return None
    return ".".join([imports[node.id], *reversed(parts)])


def _factory_kind(node: ast.expr | None, imports: dict[str, str]) -> bool | None:
    """True for a FastAPI app/router constructor, False for another web framework's
    constructor, None for anything else (not evidence either way)."""
    if node is None:
        return None
    name = _dotted(node, imports)
    if name is None:
        return None
    if name in FASTAPI_FACTORIES:
        return True
    if name.split(".", 1)[0] in OTHER_WEB_FRAMEWORKS:
        return False
    return None


def is_fastapi_object(node: ast.expr, context: NodeContext, strict: bool = False) -> bool:
    """True when ``node`` (the ``app`` of ``@app.get``) is, as far as the file shows, a FastAPI
    app or router. ``strict`` also rules out instances of other classes, for method names
    that other objects have too (``on_event``)."""
    facts = web_facts(context)
    if isinstance(node, ast.Name):
        if node.id in facts.fastapi_objects:
            return True
        if node.id in facts.other_objects or (strict and node.id in facts.foreign_objects):
            return False
    elif not isinstance(node, ast.Attribute):
        return False
    return facts.imports_fastapi and not facts.imports_other_web


def route_methods(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, context: NodeContext
) -> frozenset[str] | None:
    """The HTTP methods of a path operation (``{"POST"}``), or None when ``function`` is not
    decorated as one."""
    if isinstance(function, ast.Lambda):
        return None
    methods: set[str] = set()
    found = False
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
            continue
        verb = decorator.func.attr
        if verb not in ROUTE_DECORATORS or not _has_path(decorator):
            continue
        if not is_fastapi_object(decorator.func.value, context):
            continue
        found = True
        if verb == "api_route":
            methods.update(_api_route_methods(decorator))
        else:
            methods.add(verb.upper())
    return frozenset(methods) if found else None


def _has_path(decorator: ast.Call) -> bool:
    if decorator.args:
        return not isinstance(decorator.args[0], ast.Constant) or isinstance(
            decorator.args[0].value, str
        )
    return any(keyword.arg == "path" for keyword in decorator.keywords)


def _api_route_methods(decorator: ast.Call) -> set[str]:
    for keyword in decorator.keywords:
        if keyword.arg == "methods":
            if isinstance(keyword.value, (ast.List, ast.Tuple, ast.Set)):
                return {
                    element.value.upper()
                    for element in keyword.value.elts
                    if isinstance(element, ast.Constant) and isinstance(element.value, str)
                }
            return set()
    return {"GET"}


def enclosing_route(context: NodeContext) -> tuple[ast.AST, frozenset[str]] | None:
    """The path operation whose own body holds the node (not a function nested in it)."""
    function = context.enclosing_function()
    if function is None:
        return None
    methods = route_methods(function, context)
    return None if methods is None else (function, methods)
