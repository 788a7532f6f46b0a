"""SKS202: ``param: T = Depends(fn)`` where ``param: Annotated[T, Depends(fn)]`` fits.

Since FastAPI 0.95 a dependency can live in the annotation. A ``Depends`` default hides the
real type from type checkers, turns a direct call of the function (a script, a test) into one
that receives a ``Depends`` object, and cannot be shared as one alias across routes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule

rule = Rule(
    code="SKS202",
    triggers=("Depends", "Security"),
    name="fastapi-depends-default",
    section="fastapi.dependency-injection",
    summary="A FastAPI Depends()/Security() used as a parameter default instead of "
    "Annotated[T, Depends(...)].",
    requires=("fastapi>=0.95",),
)

DEPENDENCY_MARKERS = {
    "fastapi.Depends": "Depends",
    "fastapi.Security": "Security",
    "fastapi.params.Depends": "Depends",
    "fastapi.params.Security": "Security",
    "fastapi.param_functions.Depends": "Depends",
    "fastapi.param_functions.Security": "Security",
}
MAX_FIX_TEXT = 80


@rule.visit(ast.FunctionDef, ast.AsyncFunctionDef)
def depends_default(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = list(
        zip(
            positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=True
        )
    )
    pairs += [
        (argument, default)
        for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        if default is not None
    ]
    for argument, default in pairs:
        if not isinstance(default, ast.Call):
            continue
        marker = DEPENDENCY_MARKERS.get(context.imported(default.func) or "")
        if marker is None or _is_annotated(argument.annotation, context):
            continue
        annotation = ast.unparse(argument.annotation) if argument.annotation else "T"
        call = ast.unparse(default)
        wanted = f"{argument.arg}: Annotated[{annotation}, {call}]"
        fix = (
            f"declare `{wanted}` (or a shared alias for it) and drop the default"
            if len(wanted) <= MAX_FIX_TEXT
            else f"move the `{marker}(...)` into the annotation as "
            f"`Annotated[{annotation}, {marker}(...)]`, ideally through a shared alias"
        )
        yield context.report(
            default,
            f"`{argument.arg}` gets its dependency from a `{marker}(...)` default; since "
            f"FastAPI 0.95 put it in the type with `Annotated` so type checkers see "
            f"`{annotation}` and direct calls do not receive a {marker} object",
            fix=fix,
        )


def _is_annotated(annotation: ast.expr | None, context: NodeContext) -> bool:
    """Already ``Annotated[...]``: a default on top of it is another problem, not this one."""
    return isinstance(annotation, ast.Subscript) and context.imported(annotation.value) in {
        "typing.Annotated",
        "typing_extensions.Annotated",
    }
