"""SKS203: Pydantic 1 idioms in a Pydantic 2 project.

On Pydantic 2 the v1 names run only through deprecation shims due for removal in Pydantic 3,
and renamed ``class Config`` settings (``orm_mode``, ``anystr_strip_whitespace``) are ignored
with no more than a warning. Deliberate ``pydantic.v1`` code is left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.semantics.pydantic_models import (
    MOVED_SETTINGS,
    constructs_model,
    instances_in,
    is_imported_class,
    pydantic_facts,
)

rule = Rule(
    code="SKS203",
    triggers=(
        "pydantic",
        "BaseModel",
        "fastapi",
        "sqlmodel",
        "schemas",
        "BaseSettings",
        "validator",
        "Config",
    ),
    name="pydantic-v1-idiom",
    section="fastapi.pydantic-models",
    summary="Pydantic 1 API (class Config, @validator, .dict(), parse_obj...) used on Pydantic 2.",
    requires=("pydantic>=2",),
)

VALIDATORS = {
    "pydantic.validator": ("@validator", "@field_validator(...) stacked on @classmethod"),
    "pydantic.class_validators.validator": (
        "@validator",
        "@field_validator(...) stacked on @classmethod",
    ),
    "pydantic.root_validator": ("@root_validator", "@model_validator(mode=...)"),
    "pydantic.class_validators.root_validator": (
        "@root_validator",
        "@model_validator(mode=...)",
    ),
}
INSTANCE_METHODS = {
    "dict": "model_dump()",
    "json": "model_dump_json()",
    "copy": "model_copy(...)",
}
CLASS_METHODS = {
    "parse_obj": "model_validate(...)",
    "parse_raw": "model_validate_json(...)",
    "parse_file": "model_validate_json(path.read_text())",
    "from_orm": "model_validate(obj) with from_attributes=True in model_config",
    "schema": "model_json_schema()",
    "schema_json": "json.dumps(Model.model_json_schema())",
    "construct": "model_construct(...)",
    "update_forward_refs": "model_rebuild()",
}
DISTINCTIVE_CLASS_METHODS = {
    "parse_obj",
    "parse_raw",
    "parse_file",
    "from_orm",
    "schema_json",
    "update_forward_refs",
}
"""Names only Pydantic classes have: on an imported class they are enough."""
COPY_OPTIONS = {"update", "include", "exclude", "deep"}
V1_CONFIG_KEYS = frozenset(
    {
        "orm_mode",
        "allow_population_by_field_name",
        "anystr_strip_whitespace",
        "anystr_lower",
        "anystr_upper",
        "min_anystr_length",
        "max_anystr_length",
        "schema_extra",
        "allow_mutation",
        "underscore_attrs_are_private",
        "validate_all",
        "smart_union",
        "copy_on_model_validation",
        "keep_untouched",
        "json_loads",
        "json_dumps",
        "error_msg_templates",
    }
)
"""``class Config`` keys that only Pydantic 1 reads: a Config naming them is a v1 model even
when its base class is imported from elsewhere."""


_switching: PerNodeCache[bool] = PerNodeCache()


@rule.visit(ast.ClassDef)
def config_class(node: ast.ClassDef, context: NodeContext) -> Iterator[Finding]:
    if node.name != "Config":
        return
    owner = context.parent
    if not isinstance(owner, ast.ClassDef) or node not in owner.body:
        return
    facts = pydantic_facts(context)
    if facts.runs_on_v1 or _version_branch(context):
        return
    if owner.name in facts.models:
        pass
    elif not owner.bases or not _v1_config_keys(node):
        return
    config_dict = "SettingsConfigDict" if owner.name in facts.settings else "ConfigDict"
    yield context.report(
        node,
        f"`class Config` inside `{owner.name}` is the Pydantic 1 way to configure a model; "
        "Pydantic 2 reads it only through a deprecation shim and ignores renamed keys",
        fix=f"replace it with `model_config = {config_dict}(...)` using the v2 key names "
        "(orm_mode → from_attributes, anystr_strip_whitespace → str_strip_whitespace, "
        "schema_extra → json_schema_extra)",
    )


@rule.visit(ast.ImportFrom)
def moved_settings(node: ast.ImportFrom, context: NodeContext) -> Iterator[Finding]:
    if node.level or node.module not in {"pydantic", "pydantic.env_settings"}:
        return
    if not any(f"{node.module}.{alias.name}" in MOVED_SETTINGS for alias in node.names):
        return
    if pydantic_facts(context).runs_on_v1 or _version_branch(context):
        return
    yield context.report(
        node,
        "`BaseSettings` is imported from pydantic, where only Pydantic 1 has it: Pydantic 2 "
        "moved it to the pydantic-settings package and this import fails",
        fix="install pydantic-settings and use `from pydantic_settings import BaseSettings, "
        "SettingsConfigDict`",
    )


def _v1_config_keys(config: ast.ClassDef) -> bool:
    for statement in config.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        if any(isinstance(t, ast.Name) and t.id in V1_CONFIG_KEYS for t in targets):
            return True
    return False


@rule.visit(ast.FunctionDef, ast.AsyncFunctionDef)
def v1_validator(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        known = VALIDATORS.get(context.imported(target) or "")
        if known is None or pydantic_facts(context).runs_on_v1 or _version_branch(context):
            continue
        old, new = known
        yield context.report(
            decorator,
            f"`{old}` is the Pydantic 1 validator API; on Pydantic 2 it is deprecated and "
            "runs through a compatibility shim",
            fix=f"use {new}, imported from pydantic",
        )


@rule.visit(ast.Call)
def v1_method(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    if not isinstance(func, ast.Attribute):
        return
    method = func.attr
    if method in INSTANCE_METHODS:
        if method == "copy" and not any(k.arg in COPY_OPTIONS for k in node.keywords):
            return
        if method != "copy" and node.args:
            return  # the v1 methods take keyword options only
        receiver = _instance_receiver(func.value, context, method)
        new = INSTANCE_METHODS[method]
    elif method in CLASS_METHODS:
        receiver = _class_receiver(func.value, context, method)
        new = CLASS_METHODS[method]
    else:
        return
    if receiver is None or pydantic_facts(context).runs_on_v1 or _version_branch(context):
        return
    yield context.report(
        node,
        f"`{receiver}.{method}()` is Pydantic 1 API on a Pydantic model; Pydantic 2 keeps it "
        "only as a deprecated alias",
        fix=f"call `{receiver}.{new}`" if not new.startswith("json.") else f"use `{new}`",
    )


def _instance_receiver(node: ast.expr, context: NodeContext, method: str) -> str | None:
    facts = pydantic_facts(context)
    if isinstance(node, ast.Call):
        if constructs_model(node, facts):
            return f"{ast.unparse(node.func)}(...)"
        return None
    if not isinstance(node, ast.Name):
        return None
    if node.id == "self" and _method_of_model(context) is not None:
        return "self"
    function = context.enclosing_function()
    if function is None:
        return node.id if node.id in facts.module_instances else None
    models = instances_in(function, context)
    certain = node.id in models.known
    likely = node.id in models.likely
    element = _comprehension_source(node.id, context, function)
    if element is not None:
        certain = element in models.known_lists
        likely = element in models.likely_lists
    if certain or (likely and method != "json"):
        return node.id
    return None


def _comprehension_source(name: str, context: NodeContext, function: ast.AST) -> str | None:
    """``items`` when ``name`` is the target of ``for name in items`` in a comprehension
    around the node (inside ``function``)."""
    for ancestor in reversed(context.ancestors):
        if ancestor is function:
            return None
        if isinstance(ancestor, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for generator in ancestor.generators:
                if isinstance(generator.target, ast.Name) and generator.target.id == name:
                    source = generator.iter
                    return source.id if isinstance(source, ast.Name) else ""
    return None


def _class_receiver(node: ast.expr, context: NodeContext, method: str) -> str | None:
    if method in DISTINCTIVE_CLASS_METHODS and is_imported_class(node, pydantic_facts(context)):
        return ast.unparse(node)
    if not isinstance(node, ast.Name):
        return None
    if node.id in pydantic_facts(context).models:
        function = context.enclosing_function()
        if function is not None and _rebinds(function, node.id, context):
            return None
        return node.id
    if node.id == "cls" and _method_of_model(context) is not None:
        return "cls"
    return None


def _rebinds(function: ast.AST, name: str, context: NodeContext) -> bool:
    """A parameter of the same name shadows the model class."""
    if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = function.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        return any(argument.arg == name for argument in every)
    return False


def _method_of_model(context: NodeContext) -> ast.ClassDef | None:
    """The model class when the node sits directly in one of its methods."""
    function = context.enclosing_function()
    if function is None:
        return None
    index = next(i for i, node in enumerate(context.ancestors) if node is function)
    owner = context.ancestors[index - 1] if index else None
    if isinstance(owner, ast.ClassDef) and owner.name in pydantic_facts(context).models:
        return owner
    return None


def _version_branch(context: NodeContext) -> bool:
    """Code that picks the v1 or v2 API at run time (``if PYDANTIC_V2: ... else: ...``, or a
    ``try: x.model_dump() except ...: x.dict()`` fallback) uses the v1 name on purpose."""
    ancestors = context.ancestors
    for index, ancestor in enumerate(ancestors):
        if isinstance(ancestor, (ast.If, ast.IfExp)) and _version_test(ancestor.test):
            return True
        if isinstance(ancestor, ast.ExceptHandler) and index:
            caught = ast.unparse(ancestor.type) if ancestor.type is not None else ""
            if any(name in caught for name in ("AttributeError", "ImportError", "NotFound")):
                return True
            attempt = ancestors[index - 1]
            if isinstance(attempt, ast.Try) and _calls_v2_api(attempt.body):
                return True
    function = context.enclosing_function()
    # `if PYDANTIC_V2: return x.model_dump()` followed by `return x.dict()`.
    return function is not None and _switching.get(context, function, _switches_version)


def _version_test(test: ast.expr) -> bool:
    text = ast.unparse(test).lower()
    return any(word in text for word in ("pydantic", "v1", "v2", "model_dump"))


def _switches_version(function: ast.AST) -> bool:
    return any(isinstance(node, ast.If) and _version_test(node.test) for node in ast.walk(function))


def _calls_v2_api(body: list[ast.stmt]) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr.startswith("model_")
        for statement in body
        for node in ast.walk(statement)
    )
