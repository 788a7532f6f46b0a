"""SKS501: ``typing.Optional/Union/List/Dict/Set/FrozenSet/Tuple/Type`` where the target
Python allows ``X | None`` and built-in generics.

On Python 3.10+ every annotation may use the modern forms. On 3.8 and 3.9 only a module with
``from __future__ import annotations`` may, and only in annotations nothing evaluates: not in
pydantic models, dataclasses, TypedDicts or NamedTuples (any class with a base or decorator),
not in signatures that a decorator or a framework such as FastAPI reads. One finding per
annotation, at its outermost old spelling.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.typing_hints import (
    first_old_hint,
    has_string_union_member,
    hint_facts,
    modern_form,
    plain_class,
    signature_evaluated,
)

rule = Rule(
    code="SKS501",
    triggers=("Optional", "Union", "List", "Dict", "Set", "Tuple", "FrozenSet", "Type"),
    name="old-typing-hints",
    section="typing.modern-hints",
    summary="typing.Optional/Union/List/Dict/Set/FrozenSet/Tuple/Type in an annotation where "
    "the target Python allows X | None and built-in generics.",
)

EVERYWHERE = (3, 10)


@rule.visit(ast.FunctionDef, ast.AsyncFunctionDef)
def signature_hints(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not context.file.imports:
        return
    if context.python < EVERYWHERE and (
        not hint_facts(context).postponed or signature_evaluated(node, context)
    ):
        return
    arguments = node.args
    every = [
        *arguments.posonlyargs,
        *arguments.args,
        *([arguments.vararg] if arguments.vararg else []),
        *arguments.kwonlyargs,
        *([arguments.kwarg] if arguments.kwarg else []),
    ]
    annotations = [argument.annotation for argument in every if argument.annotation]
    if node.returns is not None:
        annotations.append(node.returns)
    for annotation in annotations:
        yield from _check(annotation, context)


@rule.visit(ast.AnnAssign)
def variable_hint(node: ast.AnnAssign, context: NodeContext) -> Iterator[Finding]:
    if not context.file.imports:
        return
    if context.python < EVERYWHERE and not _postponed_and_unread(context):
        return
    yield from _check(node.annotation, context)


def _postponed_and_unread(context: NodeContext) -> bool:
    """Below 3.10: the module postpones annotations and nothing reads this variable's."""
    facts = hint_facts(context)
    if not facts.postponed or facts.hints_read:
        return False
    for owner in reversed(context.ancestors):
        if isinstance(owner, ast.ClassDef):
            return plain_class(owner, context)
        if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return True  # a local variable's annotation is never evaluated
    return True  # a module variable's annotation is kept as a string


def _check(annotation: ast.expr, context: NodeContext) -> Iterator[Finding]:
    old = first_old_hint(annotation, context)
    if old is None:
        return
    postponed = hint_facts(context).postponed
    if not postponed and has_string_union_member(old, context):
        return  # `"User" | None` fails when evaluated; needs the whole hint quoted
    written = ast.unparse(old)
    modern = modern_form(old, context, unquote=postponed)
    major, minor = context.python
    where = (
        f"on Python {major}.{minor}"
        if context.python >= EVERYWHERE
        else "here (annotations are postponed and nothing evaluates this one)"
    )
    yield context.report(
        old,
        f"`{written}` is the typing-module spelling; {where} write `{modern}`: built-in "
        "generics and `X | None` need no import and read as plain types",
        fix=f"write `{modern}`",
    )
