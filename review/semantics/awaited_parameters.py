"""Which arguments a function or class defined in the same file awaits.

``async def register_user(email, mailer): await mailer.send_welcome(email)`` awaits
``mailer.send_welcome(...)``; ``class Service`` whose ``__init__`` stores ``self.repo = repo``
and whose async method does ``await self.repo.fetch(...)`` awaits ``repo.fetch(...)``. A test
in the same file that passes a plain ``MagicMock`` for that argument hands the code something
it cannot await, which the file itself shows.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class AwaitedArgument:
    position: int | None
    """Index among the positional parameters (after ``self`` for a class), or None."""
    name: str
    suffix: tuple[str, ...]
    """The attribute path awaited below the argument: ``("send_welcome",)``."""


def awaited_arguments(tree: ast.Module) -> dict[str, list[AwaitedArgument]]:
    """Module-level async functions and classes → the arguments whose calls they await."""
    index: dict[str, list[AwaitedArgument]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.AsyncFunctionDef):
            found = list(_function_awaits(statement))
        elif isinstance(statement, ast.ClassDef):
            found = list(_class_awaits(statement))
        else:
            continue
        if found:
            index[statement.name] = found
    return index


def _positional(function: Function, skip_self: bool) -> list[str]:
    params = [arg.arg for arg in [*function.args.posonlyargs, *function.args.args]]
    return params[1:] if skip_self else params


def _function_awaits(function: ast.AsyncFunctionDef) -> Iterator[AwaitedArgument]:
    positional = _positional(function, skip_self=False)
    names = set(positional) | {arg.arg for arg in function.args.kwonlyargs}
    rebound = _rebound_names(function)
    for parts in _awaited_calls(function):
        root = parts[0]
        if root in names and root not in rebound:
            position = positional.index(root) if root in positional else None
            yield AwaitedArgument(position, root, tuple(parts[1:]))


def _class_awaits(node: ast.ClassDef) -> Iterator[AwaitedArgument]:
    methods = {
        m.name: m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    init = methods.get("__init__")
    if init is None:
        return
    positional = _positional(init, skip_self=True)
    stored: dict[str, str] = {}  # self.attribute → the __init__ parameter stored there
    for statement in init.body:
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Name)
            and statement.value.id in positional + [a.arg for a in init.args.kwonlyargs]
        ):
            for target in statement.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    stored[target.attr] = statement.value.id
    if not stored:
        return
    for method in methods.values():
        if not isinstance(method, ast.AsyncFunctionDef):
            continue
        for parts in _awaited_calls(method):
            if len(parts) >= 2 and parts[0] == "self" and parts[1] in stored:
                param = stored[parts[1]]
                position = positional.index(param) if param in positional else None
                yield AwaitedArgument(position, param, tuple(parts[2:]))


def _awaited_calls(function: Function) -> Iterator[list[str]]:
    """``await a.b.c(...)`` → ``["a", "b", "c"]`` for plain attribute chains."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            parts = _attribute_chain(node.value.func)
            if parts:
                yield parts
        pending.extend(ast.iter_child_nodes(node))


def _attribute_chain(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return list(reversed(parts))


def _rebound_names(function: Function) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def argument_for(call: ast.Call, awaited: AwaitedArgument) -> ast.expr | None:
    """The expression ``call`` passes for the awaited parameter."""
    for keyword in call.keywords:
        if keyword.arg == awaited.name:
            return keyword.value
    if awaited.position is not None and awaited.position < len(call.args):
        argument = call.args[awaited.position]
        if not any(isinstance(arg, ast.Starred) for arg in call.args[: awaited.position + 1]):
            return argument
    return None
