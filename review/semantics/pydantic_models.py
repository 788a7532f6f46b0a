"""Which names in a file are Pydantic model classes, and which hold model instances.

Only what the file shows counts: a class whose bases lead (in this file) to ``BaseModel``; a
name bound to ``Model(...)``, annotated with ``Model``, or a ``self``/``cls`` in its methods;
and, in a FastAPI path operation, a body parameter annotated with an imported class (FastAPI
only accepts Pydantic models or dataclasses there). ``.dict()`` on anything else stays silent.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from stackskills.detectors.import_names import is_stdlib
from stackskills.review.context import NodeContext
from stackskills.review.semantics.fastapi_routes import route_methods
from stackskills.review.semantics.file_cache import PerNodeCache

MODEL_BASES = frozenset(
    {
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
        "pydantic.RootModel",
        "pydantic.root_model.RootModel",
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "sqlmodel.SQLModel",
        "sqlmodel.main.SQLModel",
    }
)
SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
    }
)
MOVED_SETTINGS = frozenset({"pydantic.BaseSettings", "pydantic.env_settings.BaseSettings"})
"""Pydantic 1's settings class: Pydantic 2 moved it to the pydantic-settings package."""

V1_ONLY_NAMES = frozenset(
    {
        "pydantic.ConstrainedStr",
        "pydantic.ConstrainedInt",
        "pydantic.ConstrainedFloat",
        "pydantic.ConstrainedList",
        "pydantic.ConstrainedSet",
        "pydantic.ConstrainedBytes",
        "pydantic.ConstrainedDecimal",
        "pydantic.ConstrainedDate",
        "pydantic.NoneStr",
        "pydantic.NoneBytes",
        "pydantic.StrBytes",
        "pydantic.Required",
        "pydantic.PyObject",
        "pydantic.fields.ModelField",
        "pydantic.error_wrappers.ErrorWrapper",
    }
)
"""Imports that fail on Pydantic 2: a file using them runs on Pydantic 1 whatever the stack
says, so its v1 idioms are not mistakes."""

PYDANTIC_CODE_MODULES = frozenset({"fastapi", "pydantic", "pydantic_settings", "sqlmodel"})

CONSTRUCTORS = frozenset(
    {"model_validate", "model_validate_json", "model_construct", "parse_obj", "parse_raw"}
)
"""Class methods that return an instance of the class they are called on."""

FASTAPI_BODY_MARKERS = frozenset(
    {"fastapi.Body", "fastapi.params.Body", "fastapi.param_functions.Body"}
)
NOT_MODEL_MODULES = frozenset(
    {
        "fastapi",
        "starlette",
        "typing_extensions",
        "pydantic",
        "httpx",
        "requests",
        "aiohttp",
        "urllib3",
        "werkzeug",
        "flask",
        "django",
        "rest_framework",
        "tornado",
        "multidict",
        "sqlalchemy",
        "pandas",
        "numpy",
    }
)
"""Libraries whose classes are not Pydantic models (some have ``.json()``/``.dict()``)."""


@dataclass
class PydanticFileFacts:
    models: set[str] = field(default_factory=set)
    """Classes defined in this file that are Pydantic models."""
    settings: set[str] = field(default_factory=set)
    """The subset that derive from pydantic-settings' BaseSettings."""
    module_instances: set[str] = field(default_factory=set)
    factories: set[str] = field(default_factory=set)
    """Module-level functions of this file whose return annotation is a model."""
    runs_on_v1: bool = False
    """The file imports ``pydantic.v1``, names only Pydantic 1 has, or a ``BaseModel`` from a
    compatibility module of its own (which may well re-export ``pydantic.v1``)."""
    pydantic_code: bool = False
    """The file imports FastAPI, Pydantic or SQLModel: an imported CamelCase class with
    ``parse_obj`` is then one of its models, not some other library's class."""
    imports: dict[str, str] = field(default_factory=dict)


_files: PerNodeCache[PydanticFileFacts] = PerNodeCache()
_functions: PerNodeCache[FunctionModels] = PerNodeCache()


def pydantic_facts(context: NodeContext) -> PydanticFileFacts:
    tree = context.file.tree
    if tree is None:
        return PydanticFileFacts()
    return _files.get(context, tree, _collect)


def _collect(tree: ast.AST) -> PydanticFileFacts:
    facts = PydanticFileFacts()
    classes: list[ast.ClassDef] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".", 1)[0]
                facts.imports[local] = alias.name if alias.asname else local
                facts.runs_on_v1 |= alias.name.startswith("pydantic.v1")
                facts.pydantic_code |= alias.name.split(".", 1)[0] in PYDANTIC_CODE_MODULES
        elif isinstance(node, ast.ImportFrom) and (node.module or node.level):
            # `from .schemas import UserCreate` → `.schemas.UserCreate`: the app's own code.
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                qualified = f"{module}.{alias.name}" if node.module else f"{module}{alias.name}"
                facts.imports[alias.asname or alias.name] = qualified
                facts.runs_on_v1 |= qualified in V1_ONLY_NAMES or (
                    alias.name in {"BaseModel", "BaseSettings"} and qualified not in MODEL_BASES
                )
            facts.pydantic_code |= module.split(".", 1)[0] in PYDANTIC_CODE_MODULES
            facts.runs_on_v1 |= (
                module == "pydantic.v1"
                or module.startswith("pydantic.v1.")
                or (module == "pydantic" and any(a.name == "v1" for a in node.names))
            )
        elif isinstance(node, ast.ClassDef):
            classes.append(node)
    changed = True
    while changed:
        changed = False
        for node in classes:
            if node.name in facts.models:
                continue
            for base in node.bases:
                name = _dotted(base, facts.imports)
                if name in MODEL_BASES or (isinstance(base, ast.Name) and base.id in facts.models):
                    facts.models.add(node.name)
                    if name in SETTINGS_BASES or (
                        isinstance(base, ast.Name) and base.id in facts.settings
                    ):
                        facts.settings.add(node.name)
                    changed = True
                    break
    if isinstance(tree, ast.Module):
        facts.factories = {
            node.name
            for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and model_of_annotation(node.returns, facts) is not None
            and not isinstance(node, ast.AsyncFunctionDef)
        }
        facts.module_instances = _bound_instances(tree.body, facts, ())
    return facts


def _dotted(node: ast.expr, imports: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in imports:
        return None
    return ".".join([imports[node.id], *reversed(parts)])


def model_of_annotation(annotation: ast.expr | None, facts: PydanticFileFacts) -> str | None:
    """``UserCreate`` for ``UserCreate``, ``Optional[UserCreate]``, ``UserCreate | None``,
    ``Annotated[UserCreate, ...]`` and the string forms of those, when it is a model here."""
    inner = unwrap_annotation(annotation, facts.imports)
    if isinstance(inner, ast.Name) and inner.id in facts.models:
        return inner.id
    return None


def unwrap_annotation(annotation: ast.expr | None, imports: dict[str, str]) -> ast.expr | None:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        others = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        return unwrap_annotation(others[0], imports) if len(others) == 1 else None
    if isinstance(annotation, ast.Subscript):
        wrapper = _dotted(annotation.value, imports) or ""
        if wrapper.endswith((".Optional", ".Annotated")):
            inner = annotation.slice
            if isinstance(inner, ast.Tuple):
                inner = inner.elts[0]
            return unwrap_annotation(inner, imports)
    return annotation


def constructs_model(value: ast.expr | None, facts: PydanticFileFacts) -> bool:
    """``Model(...)``, ``Model.model_validate(...)``, ``get_settings()`` (a function of this
    file declared to return a model)."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Name):
        return func.id in facts.models or func.id in facts.factories
    return (
        isinstance(func, ast.Attribute)
        and func.attr in CONSTRUCTORS
        and isinstance(func.value, ast.Name)
        and func.value.id in facts.models
    )


def _bound_instances(
    body: list[ast.stmt],
    facts: PydanticFileFacts,
    known: tuple[str, ...],
    lists: frozenset[str] = frozenset(),
) -> set[str]:
    """Names in ``body`` (not in nested functions or classes) bound only to model instances
    (``for item in items`` counts when ``items`` is one of ``lists`` of models)."""
    instances = set(known)
    spoiled: set[str] = set()
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                _bind(target, constructs_model(node.value, facts), instances, spoiled)
        elif isinstance(node, ast.AnnAssign):
            is_model = model_of_annotation(node.annotation, facts) is not None or (
                constructs_model(node.value, facts)
            )
            _bind(node.target, is_model, instances, spoiled)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            over_models = isinstance(node.iter, ast.Name) and node.iter.id in lists
            _bind(node.target, over_models, instances, spoiled)
        elif isinstance(node, (ast.AugAssign, ast.NamedExpr)):
            _bind(node.target, False, instances, spoiled)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    _bind(item.optional_vars, False, instances, spoiled)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            spoiled.add(node.name)
        pending.extend(ast.iter_child_nodes(node))
    return instances - spoiled


def _bind(target: ast.expr, is_model: bool, instances: set[str], spoiled: set[str]) -> None:
    if isinstance(target, ast.Name):
        (instances if is_model else spoiled).add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _bind(element, False, instances, spoiled)
    elif isinstance(target, ast.Starred):
        _bind(target.value, False, instances, spoiled)


@dataclass(frozen=True)
class FunctionModels:
    known: frozenset[str]
    """Names that hold a model instance throughout the function's own body."""
    likely: frozenset[str]
    """Parameters annotated with an imported class (``user: schemas.UserCreate``): a model
    when ``.dict()`` is called on them, since no other common class has that method."""
    known_lists: frozenset[str] = frozenset()
    """Parameters holding a list of models (``items: list[Item]``), for comprehensions."""
    likely_lists: frozenset[str] = frozenset()


def instances_in(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, context: NodeContext
) -> FunctionModels:
    def compute(node: ast.AST) -> FunctionModels:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        return _function_models(node, context)

    return _functions.get(context, function, compute)


def _function_models(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, context: NodeContext
) -> FunctionModels:
    facts = pydantic_facts(context)
    if isinstance(function, ast.Lambda):
        return FunctionModels(frozenset(), frozenset())
    arguments = function.args
    parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    known = [p.arg for p in parameters if model_of_annotation(p.annotation, facts) is not None]
    route_bodies = _route_body_models(function, context, facts)
    known += route_bodies
    names = {p.arg for p in parameters}
    for extra in (arguments.vararg, arguments.kwarg):
        if extra is not None:
            names.add(extra.arg)
    rebound = _bound_names(function.body)
    known_lists: set[str] = set()
    likely_lists: set[str] = set()
    for parameter, default in _parameters_with_defaults(arguments):
        element = _element_model(parameter.annotation, facts)
        if element is None or default is not None or parameter.arg in rebound:
            continue
        in_route = parameter.arg in route_bodies
        (known_lists if element == "known" or in_route else likely_lists).add(parameter.arg)
    instances = _bound_instances(function.body, facts, tuple(known), frozenset(known_lists))
    # A module-level instance counts unless the function rebinds the name.
    instances |= {name for name in facts.module_instances if name not in rebound | names}
    likely = {
        parameter.arg
        for parameter, default in _parameters_with_defaults(arguments)
        if default is None
        and parameter.arg not in rebound
        and parameter.arg not in instances
        and is_imported_class(unwrap_annotation(parameter.annotation, facts.imports), facts)
    }
    return FunctionModels(
        frozenset(instances),
        frozenset(likely),
        frozenset(known_lists),
        frozenset(likely_lists),
    )


ELEMENT_CONTAINERS = frozenset(
    {"list", "List", "Sequence", "Iterable", "Collection", "set", "Set", "frozenset"}
)


def _element_model(annotation: ast.expr | None, facts: PydanticFileFacts) -> str | None:
    """``"known"`` for ``list[Item]`` with ``Item`` a model of this file, ``"likely"`` for a
    list of an imported class, else None."""
    inner = unwrap_annotation(annotation, facts.imports)
    if not isinstance(inner, ast.Subscript):
        return None
    container = inner.value
    name = container.id if isinstance(container, ast.Name) else None
    dotted = _dotted(container, facts.imports)
    if dotted is not None:
        name = dotted.rsplit(".", 1)[-1]
    if name not in ELEMENT_CONTAINERS or isinstance(inner.slice, ast.Tuple):
        return None
    if model_of_annotation(inner.slice, facts) is not None:
        return "known"
    if is_imported_class(unwrap_annotation(inner.slice, facts.imports), facts):
        return "likely"
    return None


def _parameters_with_defaults(arguments: ast.arguments) -> list[tuple[ast.arg, ast.expr | None]]:
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    return [
        *zip(positional, defaults, strict=True),
        *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
    ]


def _bound_names(body: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        pending.extend(ast.iter_child_nodes(node))
    return names


def _route_body_models(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    context: NodeContext,
    facts: PydanticFileFacts,
) -> list[str]:
    """Body parameters of a path operation annotated with an imported class (or a list of
    one): FastAPI accepts only Pydantic models (or dataclasses, which have no ``.dict()``)
    there."""
    if not function.decorator_list or route_methods(function, context) is None:
        return []
    found = []
    for parameter, default in _parameters_with_defaults(function.args):
        annotation = parameter.annotation
        if isinstance(annotation, ast.Subscript):
            wrapper = _dotted(annotation.value, facts.imports) or ""
            if wrapper.endswith(".Annotated"):
                if not isinstance(annotation.slice, ast.Tuple):
                    continue
                markers = annotation.slice.elts[1:]
                if not all(_is_body(marker, facts) for marker in markers):
                    continue
        inner = unwrap_annotation(annotation, facts.imports)
        if inner is None or (default is not None and not _is_body(default, facts)):
            continue
        if is_imported_class(inner, facts) or _element_model(inner, facts) == "likely":
            found.append(parameter.arg)
    return found


def _is_body(marker: ast.expr, facts: PydanticFileFacts) -> bool:
    if isinstance(marker, ast.Constant) and marker.value is None:
        return True
    return isinstance(marker, ast.Call) and _dotted(marker.func, facts.imports) in (
        FASTAPI_BODY_MARKERS
    )


def is_imported_class(node: ast.expr | None, facts: PydanticFileFacts) -> bool:
    """A CamelCase class imported from a module that is not a framework or the standard
    library: in FastAPI code, the app's schemas."""
    if node is None:
        return False
    name = _dotted(node, facts.imports)
    if name is None or not (facts.pydantic_code or _schema_module(name)):
        return False
    top = name.split(".", 1)[0]
    last = name.rsplit(".", 1)[-1]
    if top in NOT_MODEL_MODULES or is_stdlib(top):
        return False
    return last[:1].isupper() and not last.isupper()


def _schema_module(name: str) -> bool:
    """``app.schemas.UserCreate``: FastAPI projects keep their Pydantic models in ``schemas``."""
    modules = name.split(".")[:-1]
    return any(part in {"schemas", "schema"} or part.endswith("_schemas") for part in modules)
