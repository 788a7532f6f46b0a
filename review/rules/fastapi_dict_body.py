"""SKS205: a POST/PUT/PATCH path operation takes its body as an untyped ``dict``.

FastAPI validates nothing inside a ``dict`` body: a missing key becomes a ``KeyError`` and a
500, a wrong type reaches the database, and the OpenAPI schema shows an empty object. A
Pydantic model gives a 422 listing every bad field and documents the body.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.fastapi_routes import BODY_METHODS, route_methods

rule = Rule(
    code="SKS205",
    triggers=("dict", "Dict"),
    name="fastapi-dict-body",
    section="fastapi.pydantic-models",
    summary="A POST/PUT/PATCH path operation takes its request body as an untyped dict instead "
    "of a Pydantic model.",
)

DICT_TYPES = {"dict", "typing.Dict", "typing_extensions.Dict"}
UNTYPED_VALUES = {"Any", "typing.Any", "typing_extensions.Any", "object"}
OPTIONAL_WRAPPERS = {"typing.Optional", "typing_extensions.Optional"}
ANNOTATED = {"typing.Annotated", "typing_extensions.Annotated"}
BODY_MARKERS = {"fastapi.Body", "fastapi.params.Body", "fastapi.param_functions.Body"}
"""Defaults that keep the parameter a body; any other FastAPI marker (Query, Depends...) or
a non-FastAPI default makes it something else."""


@rule.visit(ast.FunctionDef, ast.AsyncFunctionDef)
def dict_body(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.decorator_list:
        return
    methods = route_methods(node, context)
    if not methods or not methods & BODY_METHODS:
        return
    for argument, default in _parameters(node.args):
        annotation = argument.annotation
        if annotation is None:
            continue
        annotation, marker = _unwrap_annotated(annotation, context)
        if marker is None and default is not None:
            marker = default
        if marker is not None and not _is_body_marker(marker, context):
            continue
        if _is_untyped_dict(annotation, context):
            yield context.report(
                argument,
                f"`{argument.arg}` takes the request body as an untyped dict: FastAPI "
                "validates none of its fields (a missing key is a KeyError and a 500) and "
                "the OpenAPI schema shows an empty object",
                fix=f"declare a Pydantic model for the body and annotate `{argument.arg}` "
                "with it; read fields as attributes",
            )


def _parameters(arguments: ast.arguments) -> list[tuple[ast.arg, ast.expr | None]]:
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    pairs = list(zip(positional, defaults, strict=True))
    pairs += list(zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True))
    return pairs


def _unwrap_annotated(
    annotation: ast.expr, context: NodeContext
) -> tuple[ast.expr, ast.expr | None]:
    """``Annotated[dict, Body()]`` → (``dict``, ``Body()``)."""
    if (
        isinstance(annotation, ast.Subscript)
        and context.imported(annotation.value) in ANNOTATED
        and isinstance(annotation.slice, ast.Tuple)
        and len(annotation.slice.elts) >= 2
    ):
        inner, *metadata = annotation.slice.elts
        markers = [item for item in metadata if isinstance(item, ast.Call)]
        return inner, markers[0] if markers else metadata[0]
    return annotation, None


def _is_body_marker(marker: ast.expr, context: NodeContext) -> bool:
    if (isinstance(marker, ast.Constant) and marker.value is None) or isinstance(marker, ast.Dict):
        return True  # `payload: dict = None` (or `= {}`) is still an optional body
    return isinstance(marker, ast.Call) and context.imported(marker.func) in BODY_MARKERS


def _is_untyped_dict(annotation: ast.expr, context: NodeContext) -> bool:
    # Optional[dict] and dict | None are the same body, only optional.
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        others = [side for side in sides if not _is_none(side)]
        return len(others) == 1 and _is_untyped_dict(others[0], context)
    if isinstance(annotation, ast.Subscript):
        base = _type_name(annotation.value, context)
        if base in OPTIONAL_WRAPPERS:
            return _is_untyped_dict(annotation.slice, context)
        if base not in DICT_TYPES:
            return False
        items = annotation.slice
        if not isinstance(items, ast.Tuple) or len(items.elts) != 2:
            return False
        return _type_name(items.elts[1], context) in UNTYPED_VALUES
    return _type_name(annotation, context) in DICT_TYPES


def _type_name(node: ast.expr, context: NodeContext) -> str | None:
    if isinstance(node, ast.Name) and node.id in {"dict", "object"}:
        return None if node.id in context.file.imports else node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if node.value in {"dict", "Any", "object"} else None
    return context.imported(node)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
