"""SKS503: a parameter annotated ``Any`` whose methods the function calls.

``repo: Any`` followed by ``await repo.get_by_email(...)`` turns off checking of every call on
``repo``: a misspelled method shows up only when the line runs. A small ``typing.Protocol`` that
lists the methods called is checked at every call site, and a test fake still fits.

Left alone: ``*args``/``**kwargs``, parameters the function narrows (``isinstance``,
``hasattr``, ``getattr``), parameters only used as containers or strings (``data.get("id")``),
overrides whose signature a base class fixes, dunder methods, tests and pytest fixtures, and
validators/serializers that take raw input by design.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.typing_hints import PLAIN_BASES
from stackskills.review.semantics.vocabulary import words

rule = Rule(
    code="SKS503",
    triggers=("Any",),
    name="any-dependency",
    section="typing.protocols",
    summary="A parameter annotated Any on which the function calls methods, instead of a "
    "Protocol listing them.",
)

ANY = frozenset({"typing.Any", "typing_extensions.Any"})
NARROWING = frozenset({"isinstance", "issubclass", "hasattr", "getattr", "callable", "type"})
BUILTIN_METHODS = words(
    # dict
    "get items keys values setdefault pop popitem update copy clear "
    # list, set
    "append extend insert remove index count sort reverse add discard union intersection "
    "difference issubset issuperset "
    # str, bytes
    "split rsplit splitlines strip lstrip rstrip lower upper title capitalize casefold "
    "startswith endswith replace format format_map join encode decode find rfind isdigit "
    "isnumeric isalpha isalnum isspace partition rpartition zfill ljust rjust center hex "
    # numbers, dates
    "is_integer isoformat strftime timestamp total_seconds"
)
"""Methods of dicts, lists, strings and the like: ``Any`` there stands for data, not a
dependency, and the fix is a container type rather than a protocol."""
SKIPPED_DECORATOR_WORDS = ("validator", "serializer", "fixture", "overload", "override")
FIXTURE_PARAMETERS = frozenset(
    {"mocker", "monkeypatch", "capsys", "capfd", "caplog", "request", "tmp_path", "tmpdir"}
)


@rule.visit(ast.FunctionDef, ast.AsyncFunctionDef)
def any_dependency(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    if not context.file.imports or _exempt(node, context):
        return
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    candidates = [
        parameter
        for parameter in [*positional, *arguments.kwonlyargs]
        if parameter.annotation is not None
        and context.imported(parameter.annotation) in ANY
        and parameter.arg not in FIXTURE_PARAMETERS
        and parameter.arg.lstrip("_") not in {"self", "cls"}
    ]
    if not candidates:
        return
    usage = _usage(node, {parameter.arg for parameter in candidates})
    for parameter in candidates:
        methods, opaque = usage.get(parameter.arg, ([], True))
        if opaque or not methods:
            continue
        if all(name in BUILTIN_METHODS and not awaited for name, awaited in methods):
            continue
        called = sorted({name for name, _ in methods})
        listed = ", ".join(f"`{name}()`" for name in called[:4])
        yield context.report(
            parameter,
            f"`{parameter.arg}: Any` turns off checking of the calls made on it ({listed}): "
            "a misspelled method or a wrong argument shows up only at run time",
            fix=f"declare a `typing.Protocol` with the methods `{node.name}` calls "
            f"({', '.join(called[:4])}) and annotate `{parameter.arg}` with it",
        )


def _exempt(node: ast.FunctionDef | ast.AsyncFunctionDef, context: NodeContext) -> bool:
    name = node.name
    if name.startswith("test") or (name.startswith("__") and name != "__init__"):
        return True
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        text = (context.qualified_name(target) or "").lower()
        if any(word in text for word in SKIPPED_DECORATOR_WORDS):
            return True
    parent = context.parent
    if isinstance(parent, ast.ClassDef):
        # an override keeps the signature its base class gives it
        for base in parent.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            if context.qualified_name(target) not in PLAIN_BASES:
                return True
    return False


def _usage(function: ast.AST, names: set[str]) -> dict[str, tuple[list[tuple[str, bool]], bool]]:
    """For each name: the methods called on it (and whether awaited), and whether it is used
    in a way that makes the verdict unsafe (rebound, narrowed)."""
    methods: dict[str, list[tuple[str, bool]]] = {name: [] for name in names}
    opaque: set[str] = set()
    awaited_calls = {
        id(node.value)
        for node in ast.walk(function)
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call)
    }
    pending: list[ast.AST] = [*getattr(function, "body", [])]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Try) and _catches_attribute_error(node):
            # duck typing: `try: stream.fileno() except AttributeError: ...`
            opaque.update(
                inner.id
                for statement in node.body
                for inner in ast.walk(statement)
                if isinstance(inner, ast.Name) and inner.id in names
            )
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in names
            ):
                methods[func.value.id].append((func.attr, id(node) in awaited_calls))
            elif isinstance(func, ast.Name) and func.id in NARROWING:
                opaque.update(
                    argument.id
                    for argument in node.args
                    if isinstance(argument, ast.Name) and argument.id in names
                )
        elif isinstance(node, ast.Name) and node.id in names and not isinstance(node.ctx, ast.Load):
            opaque.add(node.id)
        elif isinstance(node, ast.MatchClass):
            opaque.update(names)
        pending.extend(ast.iter_child_nodes(node))
    return {name: (methods[name], name in opaque) for name in names}


def _catches_attribute_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        caught = handler.type
        names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if any(isinstance(name, ast.Name) and name.id == "AttributeError" for name in names):
            return True
    return False
