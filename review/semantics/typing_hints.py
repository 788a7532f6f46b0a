"""Type hints: which spellings are the old ``typing`` aliases, what their modern form reads,
and which annotations Python (or a library) evaluates while the program runs.

Before Python 3.10 the modern forms parse but fail when evaluated (``int | None`` before 3.10,
``list[int]`` before 3.9). ``from __future__ import annotations`` keeps annotations as strings,
but a library that reads hints at run time (pydantic, dataclasses, FastAPI, typer, a
``get_type_hints`` call) evaluates the strings anyway, so only hints nothing evaluates may use
the modern forms there.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

from stackskills.review.context import NodeContext
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.semantics.vocabulary import words

TYPING_MODULES = frozenset({"typing", "typing_extensions"})
BUILTIN_FOR = {
    "List": "list",
    "Dict": "dict",
    "Set": "set",
    "FrozenSet": "frozenset",
    "Tuple": "tuple",
    "Type": "type",
}
"""``typing`` generic aliases and the built-in each stands for (PEP 585, Python 3.9)."""
UNIONS = frozenset({"Optional", "Union"})
"""Written ``X | Y`` since Python 3.10 (PEP 604)."""
OLD_NAMES = frozenset(BUILTIN_FOR) | UNIONS
NOT_TYPES = frozenset({"Literal"})
"""Subscripts whose arguments are values, not types."""

SIGNATURE_READERS = words(
    "fastapi typer litestar starlite strawberry cyclopts ninja dishka lagom punq kink "
    "injector blacksheep rodi that_depends fast_depends faststream taskiq_dependencies "
    "sanic_ext xpresso"
)
"""Libraries that evaluate the hints of plain functions (dependencies, commands, handlers)."""

INERT_DECORATORS = words(
    "staticmethod classmethod property cached_property functools.cached_property "
    "functools.lru_cache functools.cache functools.wraps functools.total_ordering "
    "abc.abstractmethod abstractmethod abc.abstractproperty typing.overload "
    "typing_extensions.overload typing.final typing_extensions.final typing.override "
    "typing_extensions.override contextlib.contextmanager contextlib.asynccontextmanager "
    "pytest.fixture"
)
"""Decorators known not to read the hints of what they decorate."""
INERT_DECORATOR_SUFFIXES = (".setter", ".getter", ".deleter")
PLAIN_BASES = words(
    "object Exception BaseException ValueError RuntimeError TypeError KeyError LookupError "
    "abc.ABC typing.Protocol typing_extensions.Protocol typing.Generic"
)
"""Bases that do not turn class annotations into fields read at run time."""


def old_alias(node: ast.AST, context: NodeContext) -> str | None:
    """``"Optional"`` for ``Optional``, ``typing.Optional`` or an alias of it; else None."""
    if isinstance(node, ast.Name):
        if node.id not in context.file.imports:
            return None
    elif not isinstance(node, ast.Attribute) or node.attr not in OLD_NAMES:
        return None
    qualified = context.imported(node)
    if qualified is None:
        return None
    module, _, name = qualified.rpartition(".")
    return name if module in TYPING_MODULES and name in OLD_NAMES else None


def first_old_hint(annotation: ast.expr, context: NodeContext) -> ast.expr | None:
    """The outermost old spelling in ``annotation`` (the first in source order)."""
    pending: list[ast.AST] = [annotation]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Subscript):
            name = old_alias(node.value, context)
            if name is not None:
                return node
            if _subscript_name(node, context) in NOT_TYPES:
                continue
            if _subscript_name(node, context) == "Annotated":
                first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
                pending.append(first)
                continue
        elif isinstance(node, (ast.Name, ast.Attribute)):
            name = old_alias(node, context)
            if name in BUILTIN_FOR:
                return node
            if isinstance(node, ast.Attribute):
                continue
        pending.extend(reversed(list(ast.iter_child_nodes(node))))
    return None


def _subscript_name(node: ast.Subscript, context: NodeContext) -> str | None:
    qualified = context.imported(node.value)
    if qualified is None:
        return None
    module, _, name = qualified.rpartition(".")
    return name if module in TYPING_MODULES else None


def has_string_union_member(node: ast.expr, context: NodeContext) -> bool:
    """``Optional["User"]``: written ``"User" | None`` it would fail when evaluated."""
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Subscript) or old_alias(inner.value, context) not in UNIONS:
            continue
        members = inner.slice.elts if isinstance(inner.slice, ast.Tuple) else [inner.slice]
        if any(isinstance(m, ast.Constant) and isinstance(m.value, str) for m in members):
            return True
    return False


def modern_form(node: ast.expr, context: NodeContext, unquote: bool) -> str:
    """The hint as it reads with built-in generics and ``|`` (``list[User] | None``)."""
    return ast.unparse(_modernized(node, context, unquote))


def _modernized(node: ast.AST, context: NodeContext, unquote: bool) -> ast.AST:
    """A rewritten copy of ``node``; the original tree is never changed."""
    if isinstance(node, ast.Subscript):
        name = old_alias(node.value, context)
        if name is not None:
            members = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if name in UNIONS:
                parts = [_member(member, context, unquote) for member in members]
                if name == "Optional":
                    parts.append(ast.Constant(value=None))
                union = parts[0]
                for part in parts[1:]:
                    union = ast.BinOp(left=union, op=ast.BitOr(), right=part)
                return union
            return ast.Subscript(
                value=ast.Name(id=BUILTIN_FOR[name], ctx=ast.Load()),
                slice=_member(node.slice, context, unquote=False),
                ctx=ast.Load(),
            )
    elif isinstance(node, (ast.Name, ast.Attribute)):
        name = old_alias(node, context)
        return ast.Name(id=BUILTIN_FOR[name], ctx=ast.Load()) if name in BUILTIN_FOR else node
    copied = copy.copy(node)
    for field_name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            setattr(copied, field_name, _modernized(value, context, unquote))
        elif isinstance(value, list):
            setattr(
                copied,
                field_name,
                [
                    _modernized(item, context, unquote) if isinstance(item, ast.AST) else item
                    for item in value
                ],
            )
    return copied


def _member(member: ast.expr, context: NodeContext, unquote: bool) -> ast.expr:
    if unquote and isinstance(member, ast.Constant) and isinstance(member.value, str):
        try:
            return ast.parse(member.value, mode="eval").body
        except SyntaxError:
            return member
    result = _modernized(member, context, unquote)
    assert isinstance(result, ast.expr)
    return result


@dataclass(frozen=True)
class HintFacts:
    """What the module says about how its annotations are treated."""

    postponed: bool
    """``from __future__ import annotations``."""
    signatures_read: bool
    """A library that evaluates plain functions' hints is imported, or get_type_hints used."""
    hints_read: bool
    """``get_type_hints``/``get_annotations`` is called somewhere in the module."""
    handed_over: frozenset[str] = frozenset()
    """Names passed as call arguments (``Depends(get_db)``, ``typer.run(main)``), collected
    only when a signature-reading library is imported."""


_facts: PerNodeCache[HintFacts] = PerNodeCache()


def hint_facts(context: NodeContext) -> HintFacts:
    tree = context.file.tree
    if tree is None:
        return HintFacts(postponed=False, signatures_read=False, hints_read=False)
    source = context.file.source
    return _facts.get(context, tree, lambda node: _collect(node, source))


def _collect(tree: ast.AST, source: str) -> HintFacts:
    """Module-level statements only (imports inside ``if``/``try`` included), plus a text
    search for ``get_type_hints``: cheap enough to run once per file."""
    assert isinstance(tree, ast.Module)
    postponed = False
    readers = False
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.Import):
            readers = readers or any(
                alias.name.split(".", 1)[0] in SIGNATURE_READERS for alias in statement.names
            )
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            if statement.module == "__future__":
                postponed = postponed or any(a.name == "annotations" for a in statement.names)
            readers = readers or statement.module.split(".", 1)[0] in SIGNATURE_READERS
        elif isinstance(statement, (ast.If, ast.Try)):
            pending.extend(statement.body)
            pending.extend(statement.orelse)
            if isinstance(statement, ast.Try):
                for handler in statement.handlers:
                    pending.extend(handler.body)
    hints_read = "get_type_hints" in source or "get_annotations" in source
    handed_over: set[str] = set()
    if readers:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
                handed_over.update(a.id for a in arguments if isinstance(a, ast.Name))
    return HintFacts(
        postponed=postponed,
        signatures_read=readers,
        hints_read=hints_read,
        handed_over=frozenset(handed_over),
    )


def signature_evaluated(
    function: ast.FunctionDef | ast.AsyncFunctionDef, context: NodeContext
) -> bool:
    """A library may evaluate this function's hints: a decorator that is not known to be
    inert, ``get_type_hints`` in the module, or (where FastAPI, typer and the like are imported)
    a framework marker (``= Depends(...)``, ``Annotated[str, Query()]``) or the function
    handed to a call."""
    facts = hint_facts(context)
    if facts.hints_read or not inert_decorators(function, context):
        return True
    if not facts.signatures_read:
        return False
    if function.name in facts.handed_over:
        return True
    arguments = function.args
    markers = [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    markers += [argument.annotation for argument in every if argument.annotation is not None]
    return any(
        isinstance(inner, ast.Call)
        and (context.imported(inner.func) or "").split(".", 1)[0] in SIGNATURE_READERS
        for marker in markers
        for inner in ast.walk(marker)
    )


def inert_decorators(
    function: ast.FunctionDef | ast.AsyncFunctionDef, context: NodeContext
) -> bool:
    """Every decorator is one known not to evaluate the function's hints."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = context.qualified_name(target)
        if name is None:
            return False
        if name in INERT_DECORATORS or name.endswith(INERT_DECORATOR_SUFFIXES):
            continue
        return False
    return True


def plain_class(cls: ast.ClassDef, context: NodeContext) -> bool:
    """A class whose annotations nothing turns into fields (no decorator, no model base)."""
    if cls.decorator_list:
        return False
    for base in cls.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if context.qualified_name(target) not in PLAIN_BASES:
            return False
    return all(keyword.arg == "metaclass" for keyword in cls.keywords)
