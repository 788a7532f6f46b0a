"""SKS502: a helper takes ``model: type[Base]`` and returns ``Base``, losing the caller's type.

``get_or_raise(session, Invoice, 7)`` typed ``-> Base`` makes every caller ``cast()`` before
touching ``.total``. A type parameter (``M = TypeVar("M", bound=Base)``, or ``def f[M: Base]``
on 3.12+) ties the result to the class passed in. Flagged only when ``Base`` is a class (not a
type variable), the return annotation names it, and a ``return`` hands back something computed
from the class argument.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.bindings import scope_of

rule = Rule(
    code="SKS502",
    triggers=("type[", "Type["),
    name="base-class-return",
    section="typing.generics",
    summary="A function taking type[Base] and returning Base instead of a type parameter bound "
    "to Base.",
)

TYPE_WRAPPERS = frozenset({"typing.Type", "typing_extensions.Type"})
NOT_CLASSES = frozenset({"Any", "object", "type", "Self"})
TYPE_VARIABLE_FACTORIES = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple", "NewType"})
TYPE_VARIABLE_NAME = re.compile(r"^_?(T|T[A-Z0-9_]\w*|\w*(Type|T|Var|_co|_contra|_t))$")
"""``T``, ``TModel``, ``ModelType``, ``SchemaT``, ``T_co``: how type variables are named."""
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@rule.visit(ast.FunctionDef, ast.AsyncFunctionDef)
def base_class_return(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    if node.returns is None or _is_overload(node, context):
        return
    arguments = node.args
    for parameter in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        annotation = parameter.annotation
        base = _class_in_type(annotation, context)
        if annotation is None or base is None:
            continue
        spelled = ast.unparse(base)
        if not _mentions(node.returns, spelled) or not _class_name(base, node, context):
            continue
        returns_class = _inside_type(node.returns, spelled, context)
        if returns_class is None or not _returns_from(parameter.arg, node, returns_class):
            continue
        yield context.report(
            node,
            f"`{node.name}` takes `{parameter.arg}: {ast.unparse(annotation)}` but returns "
            f"`{ast.unparse(node.returns)}`: callers lose the class they passed in and must "
            "cast",
            fix=_fix(node, parameter.arg, spelled, context),
        )
        return


def _fix(
    node: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str, base: str, context: NodeContext
) -> str:
    if context.python >= (3, 12):
        return (
            f"declare a type parameter: `def {node.name}[M: {base}](..., {parameter}: type[M], "
            "...) -> M`"
        )
    return (
        f'add `M = TypeVar("M", bound={base})` and annotate `{parameter}: type[M]` and the '
        "return as `M`"
    )


def _is_overload(node: ast.FunctionDef | ast.AsyncFunctionDef, context: NodeContext) -> bool:
    return any(
        (context.qualified_name(d) or "").rsplit(".", 1)[-1] in {"overload", "override"}
        for d in node.decorator_list
    )


def _class_in_type(annotation: ast.expr | None, context: NodeContext) -> ast.expr | None:
    """``Base`` for ``type[Base]`` or ``Type[Base]`` (a plain name or dotted path)."""
    if not isinstance(annotation, ast.Subscript):
        return None
    wrapper = annotation.value
    is_type = (
        isinstance(wrapper, ast.Name)
        and wrapper.id == "type"
        and "type" not in context.file.imports
    ) or context.imported(wrapper) in TYPE_WRAPPERS
    inner = annotation.slice
    if not is_type or not isinstance(inner, (ast.Name, ast.Attribute)):
        return None
    return inner


def _mentions(annotation: ast.expr, spelled: str) -> bool:
    return any(
        isinstance(inner, (ast.Name, ast.Attribute)) and ast.unparse(inner) == spelled
        for inner in ast.walk(annotation)
    )


def _inside_type(annotation: ast.expr, spelled: str, context: NodeContext) -> bool | None:
    """Whether the return names the class itself (``type[Base]``: True) or instances of it
    (``Base``, ``list[Base]``: False); None when it does both or is a container of classes."""
    if _class_in_type(annotation, context) is not None:
        return True
    for inner in ast.walk(annotation):
        if (
            isinstance(inner, ast.expr)
            and _class_in_type(inner, context) is not None
            and _mentions(inner, spelled)
        ):
            return None  # list[type[Base]]: other classes, not the one passed in
    return False


def _class_name(
    base: ast.expr, function: ast.FunctionDef | ast.AsyncFunctionDef, context: NodeContext
) -> bool:
    """``base`` names a class, not a type variable, ``Any`` or a builtin."""
    last = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
    if last in NOT_CLASSES or TYPE_VARIABLE_NAME.match(last) or not last[:1].isupper():
        return False
    if last in _type_parameters(function, context):
        return False
    if isinstance(base, ast.Attribute):
        return True
    assert isinstance(base, ast.Name)
    if base.id in context.file.imports:
        # `from app.types import ModelT`: type variables live in typing-ish modules
        source = context.file.imports[base.id].rpartition(".")[0].rsplit(".", 1)[-1].lower()
        return "typ" not in source and "generic" not in source
    tree = context.file.tree
    if tree is None:
        return False
    module = scope_of(tree, context)
    if base.id in module.opaque and any(
        isinstance(statement, ast.ClassDef) and statement.name == base.id for statement in tree.body
    ):
        return True
    values = module.values.get(base.id, [])
    return bool(values) and all(
        isinstance(value, ast.Call) and not _makes_type_variable(value, context) for value in values
    )


def _makes_type_variable(call: ast.Call, context: NodeContext) -> bool:
    name = context.qualified_name(call.func) or ""
    return name.rsplit(".", 1)[-1] in TYPE_VARIABLE_FACTORIES


def _type_parameters(
    function: ast.FunctionDef | ast.AsyncFunctionDef, context: NodeContext
) -> set[str]:
    """PEP 695 parameters of the function and its class, and ``Generic[...]`` arguments."""
    names: set[str] = {param.name for param in getattr(function, "type_params", [])}
    cls = context.enclosing_class()
    if cls is not None:
        names.update(param.name for param in getattr(cls, "type_params", []))
        for base in cls.bases:
            if isinstance(base, ast.Subscript):
                names.update(
                    inner.id for inner in ast.walk(base.slice) if isinstance(inner, ast.Name)
                )
    return names


def _returns_from(parameter: str, function: ast.AST, returns_class: bool) -> bool:
    """Some ``return`` gives back the class argument itself (when the function returns a
    class: a new class built from it is not "the same type"), or a value computed from it
    (directly or through local variables assigned from it)."""
    derived = {parameter}
    assignments: list[ast.Assign | ast.AnnAssign | ast.NamedExpr] = []
    returns: list[ast.expr] = []
    pending = list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        if isinstance(node, NESTED_SCOPES):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            assignments.append(node)
        elif isinstance(node, ast.Return) and node.value is not None:
            returns.append(node.value)
        pending.extend(ast.iter_child_nodes(node))
    if returns_class:
        aliases = {parameter}
        for assignment in assignments:
            if isinstance(assignment.value, ast.Name) and assignment.value.id in aliases:
                targets = (
                    assignment.targets
                    if isinstance(assignment, ast.Assign)
                    else [assignment.target]
                )
                aliases.update(t.id for t in targets if isinstance(t, ast.Name))
        return any(isinstance(value, ast.Name) and value.id in aliases for value in returns)
    changed = True
    while changed:
        changed = False
        for assignment in assignments:
            if assignment.value is None or not _uses(assignment.value, derived):
                continue
            targets = (
                assignment.targets if isinstance(assignment, ast.Assign) else [assignment.target]
            )
            for target in targets:
                for inner in ast.walk(target):
                    if isinstance(inner, ast.Name) and inner.id not in derived:
                        derived.add(inner.id)
                        changed = True
    return any(_uses(value, derived) for value in returns)


def _uses(node: ast.expr, names: set[str]) -> bool:
    return any(isinstance(inner, ast.Name) and inner.id in names for inner in ast.walk(node))
