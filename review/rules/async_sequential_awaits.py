"""SKS402: a loop that awaits one independent call per item, one after another.

``for symbol in symbols: prices[symbol] = await fetch_price(symbol)`` makes 50 round trips of
200 ms take ten seconds although no call needs another's answer. The rule fires only when the
loop body awaits exactly one call, that call's arguments come from the loop variable (and values
that do not change between iterations), nothing in the body stops the loop early or carries
state into the next call, and the call is not sequential by design (queues, locks, streams,
statements on one shared database session: see ``semantics.awaits``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeGuard

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.awaits import (
    HTTP_CLIENTS,
    name_tokens,
    sequential_by_design,
)
from stackskills.review.semantics.vocabulary import words

rule = Rule(
    code="SKS402",
    triggers=("await",),
    name="sequential-awaits-in-loop",
    section="async.parallel",
    summary="A for loop that awaits an independent call per item one after another instead of "
    "starting them together.",
)

NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
LOOPS = (ast.For, ast.AsyncFor, ast.While)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
STOPS = (
    ast.Break,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Yield,
    ast.YieldFrom,
    ast.Global,
    ast.Nonlocal,
    ast.AsyncFor,
)
"""Statements that make a loop body ordered (or hide more awaits): never flagged."""
MUTATORS = words(
    "append extend add update insert pop popleft remove discard setdefault clear appendleft"
)
ORDERED_CONTEXTS = words(
    "lock begin transaction atomic session connection conn acquire cursor pipeline semaphore sem"
)
"""Names of ``async with`` contexts around a loop that make its awaits ordered on purpose."""
BATCH_WORDS = frozenset({"batch", "batches", "chunk", "chunks"})
ORDERED_ITEMS = words(
    "hook hooks handler handlers callback callbacks cb cbs middleware middlewares migration "
    "migrations step steps stage stages phase phases event events evt evts message messages "
    "msg msgs update updates command commands cmd cmds mro subclass subclasses plugin "
    "plugins extension extensions ext cog cogs listener listeners processor processors "
    "layer layers operation operations op ops action actions change changes patch patches "
    "line lines frame frames packet packets statement statements stmt stmts method methods "
    "fixture fixtures retry retries attempt attempts"
)
"""Things processed in order by nature: hooks, migrations, events, messages, MRO entries."""
ORDERING_CALLS = frozenset({"reversed", "sorted"})
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
"""``async with session.get(url) as response`` (aiohttp): one HTTP request per item."""


@dataclass
class LoopBody:
    """What one iteration does, gathered in a single walk of the body."""

    awaits: list[ast.Await] = field(default_factory=list)
    entered: list[ast.AsyncWith] = field(default_factory=list)
    """``async with`` blocks in the body (only an HTTP request's is allowed)."""
    stops: bool = False
    assigned: dict[str, list[ast.AST]] = field(default_factory=dict)
    """Name → the statements (or None markers) that bind or mutate it in the body."""


@rule.visit(ast.For)
def awaited_in_for(node: ast.For, context: NodeContext) -> Iterator[Finding]:
    if not context.in_async_function() or _fixed_collection(node.iter, context):
        return
    body = _survey(node.body)
    if body.stops or _ordered_context(context):
        return
    loop_names = _targets(node.target)
    if body.entered:
        request = _request_block(body)
        if request is None:
            return
        call = request.items[0].context_expr
        finding = _judge(request, call, loop_names, node.iter, body, context)
    elif len(body.awaits) == 1:
        awaited = body.awaits[0]
        finding = _judge(awaited, awaited.value, loop_names, node.iter, body, context)
    else:
        return
    if finding is not None:
        yield finding


def _request_block(body: LoopBody) -> ast.AsyncWith | None:
    """``async with session.get(url) as response:`` as the loop's one request, the other
    awaits only reading that response (``await response.json()``)."""
    if len(body.entered) != 1 or len(body.entered[0].items) != 1:
        return None
    block = body.entered[0]
    item = block.items[0]
    call = item.context_expr
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in HTTP_VERBS
        and isinstance(item.optional_vars, ast.Name)
    ):
        return None
    response = item.optional_vars.id
    for awaited in body.awaits:
        root: ast.expr = awaited.value
        while isinstance(root, (ast.Call, ast.Attribute, ast.Subscript)):
            root = root.func if isinstance(root, ast.Call) else root.value
        if not (isinstance(root, ast.Name) and root.id == response):
            return None
    return block


@rule.visit(ast.ListComp, ast.SetComp, ast.DictComp)
def awaited_in_comprehension(node: ast.expr, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp)):
        return
    if len(node.generators) != 1 or node.generators[0].is_async:
        return
    generator = node.generators[0]
    if not context.in_async_function() or _fixed_collection(generator.iter, context):
        return
    parts: list[ast.AST] = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    awaits = [
        inner for part in parts for inner in _walk_scope(part) if isinstance(inner, ast.Await)
    ]
    if any(isinstance(inner, ast.Await) for test in generator.ifs for inner in ast.walk(test)):
        return
    if len(awaits) != 1 or _ordered_context(context):
        return
    awaited = awaits[0]
    finding = _judge(
        awaited, awaited.value, _targets(generator.target), generator.iter, LoopBody(), context
    )
    if finding is not None:
        yield finding


def _judge(
    awaited: ast.Await | ast.AsyncWith,
    call: ast.expr,
    loop_names: frozenset[str],
    collection: ast.expr,
    body: LoopBody,
    context: NodeContext,
) -> Finding | None:
    """Report ``awaited`` (an ``await call`` or the ``async with call`` of a request) when the
    call is independent work per item."""
    if not isinstance(call, ast.Call) or not loop_names:
        return None
    if _ordered_items(collection, loop_names):
        return None
    if any(
        _rebinds(statement, name)
        for name in loop_names
        for statement in body.assigned.get(name, [])
    ):
        return None
    argument_names = {
        inner.id
        for argument in [*call.args, *(keyword.value for keyword in call.keywords)]
        for inner in ast.walk(argument)
        if isinstance(inner, ast.Name)
    }
    if not argument_names & (loop_names | _derived(loop_names, awaited, body)):
        return None
    receiver_names = (
        {inner.id for inner in ast.walk(call.func.value) if isinstance(inner, ast.Name)}
        if isinstance(call.func, ast.Attribute)
        else set()
    )
    for name in argument_names | receiver_names:
        if not _independent(name, awaited, loop_names, body):
            return None
    if any(name_tokens(name) & BATCH_WORDS for name in argument_names):
        return None  # one batch per call: the batch size is the chosen concurrency
    if isinstance(awaited, ast.Await) and sequential_by_design(call, context, loop_names):
        return None
    return context.report(
        call if isinstance(awaited, ast.AsyncWith) else awaited,
        f"`{'async with' if isinstance(awaited, ast.AsyncWith) else 'await'} {_short(call)}` "
        f"runs once per item of `{_short(collection)}`, each waiting "
        "for the previous one although the calls are independent",
        fix=_fix(context),
    )


def _fix(context: NodeContext) -> str:
    if context.python >= (3, 11):
        return (
            "start the calls together: `async with asyncio.TaskGroup() as tg:` with one "
            "`tg.create_task(...)` per item (or `asyncio.gather`), capped by an "
            "`asyncio.Semaphore` when the list comes from data"
        )
    return (
        "start the calls together with `await asyncio.gather(*(call(item) for item in items))`, "
        "capped by an `asyncio.Semaphore` when the list comes from data"
    )


def _derived(
    loop_names: frozenset[str], awaited: ast.Await | ast.AsyncWith, body: LoopBody
) -> set[str]:
    """Names computed before the await from the loop variables (``url = f"/users/{id}"``)."""
    derived: set[str] = set()
    for name, statements in body.assigned.items():
        if all(
            _binds_name(statement, name)
            and statement.value is not None
            and (statement.end_lineno or statement.lineno) < awaited.lineno
            and any(
                isinstance(inner, ast.Name) and inner.id in loop_names
                for inner in ast.walk(statement.value)
            )
            for statement in statements
        ):
            derived.add(name)
    return derived


def _independent(
    name: str, awaited: ast.Await | ast.AsyncWith, loop_names: frozenset[str], body: LoopBody
) -> bool:
    """The name has the same value for every iteration, or is computed in the iteration from
    the loop variable alone, before the await."""
    if name in loop_names or name not in body.assigned:
        return True
    for statement in body.assigned[name]:
        if not _binds_name(statement, name) or statement.value is None:
            return False
        if (statement.end_lineno or statement.lineno) >= awaited.lineno:
            return False
        for inner in ast.walk(statement.value):
            if isinstance(inner, ast.Await):
                return False
            if (
                isinstance(inner, ast.Name)
                and inner.id not in loop_names
                and inner.id in body.assigned
            ):
                return False
    return True


def _rebinds(statement: ast.AST, name: str) -> bool:
    """The statement gives ``name`` a new value (``item = ...``, ``item += 1``), as opposed to
    changing the object it holds (``item.total = ...``, ``item.tags.append(...)``)."""
    if isinstance(statement, (ast.AugAssign, ast.For, ast.NamedExpr, ast.AnnAssign)):
        targets = [statement.target]
    elif isinstance(statement, (ast.Assign, ast.Delete)):
        targets = list(statement.targets)
    elif isinstance(statement, ast.withitem):
        targets = [statement.optional_vars] if statement.optional_vars else []
    else:
        return isinstance(
            statement, (ast.ExceptHandler, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        )
    return any(
        isinstance(inner, ast.Name) and inner.id == name
        for target in targets
        for inner in ([target] if isinstance(target, ast.Name) else _unpacked(target))
    )


def _unpacked(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, (ast.Tuple, ast.List)):
        return [inner for element in target.elts for inner in _unpacked(element)]
    if isinstance(target, ast.Starred):
        return _unpacked(target.value)
    return [target]


def _binds_name(statement: ast.AST, name: str) -> TypeGuard[ast.Assign | ast.AnnAssign]:
    """``name = ...`` (a fresh value), not ``name[key] = ...`` (a change to a shared object)."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    else:
        return False
    return any(isinstance(target, ast.Name) and target.id == name for target in targets)


def _survey(statements: list[ast.stmt]) -> LoopBody:
    body = LoopBody()
    pending: list[ast.AST] = list(reversed(statements))
    while pending:
        node = pending.pop()
        if isinstance(node, NESTED_SCOPES):
            if not isinstance(node, ast.Lambda):
                body.assigned.setdefault(node.name, []).append(node)
            continue
        if isinstance(node, STOPS):
            body.stops = True
            return body
        if isinstance(node, ast.Await):
            body.awaits.append(node)
        elif isinstance(node, ast.AsyncWith):
            body.entered.append(node)
        elif isinstance(node, (*LOOPS, *COMPREHENSIONS)) and _contains_await(node):
            body.stops = True  # an inner loop that awaits is judged on its own
            return body
        _record_binding(body, node)
        pending.extend(reversed(list(ast.iter_child_nodes(node))))
    return body


def _record_binding(body: LoopBody, node: ast.AST) -> None:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.NamedExpr)):
        targets = [node.target]
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        targets = [node.optional_vars]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        body.assigned.setdefault(node.name, []).append(node)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in MUTATORS
    ):
        targets = [node.func.value]
    for target in targets:
        for name in _stored_names(target):
            body.assigned.setdefault(name, []).append(node)


def _stored_names(target: ast.expr) -> Iterator[str]:
    """Names a target binds or mutates: ``x``, ``x[k]``, ``x.attr``, ``a, b``."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _stored_names(element)
    elif isinstance(target, ast.Starred):
        yield from _stored_names(target.value)
    elif isinstance(target, (ast.Subscript, ast.Attribute)):
        root: ast.expr = target
        while isinstance(root, (ast.Subscript, ast.Attribute)):
            root = root.value
        if isinstance(root, ast.Name):
            yield root.id


def _contains_await(node: ast.AST) -> bool:
    return any(
        isinstance(inner, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for inner in _walk_scope(node)
    )


def _walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` that does not enter nested functions or classes."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(
            child for child in ast.iter_child_nodes(current) if not isinstance(child, NESTED_SCOPES)
        )


def _targets(target: ast.expr) -> frozenset[str]:
    """The loop variables: ``item``, or ``key, value``."""
    if isinstance(target, ast.Name):
        return frozenset({target.id})
    if isinstance(target, (ast.Tuple, ast.List)):
        return frozenset().union(*(_targets(element) for element in target.elts))
    if isinstance(target, ast.Starred):
        return _targets(target.value)
    return frozenset()


def _fixed_collection(collection: ast.expr, context: NodeContext) -> bool:
    """A literal handful (``("a", "b")``, ``range(3)``) or one batch of a larger list: the
    author chose the order or the batch size."""
    if isinstance(collection, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
        return True
    if (
        isinstance(collection, ast.Call)
        and isinstance(collection.func, ast.Name)
        and collection.func.id == "range"
        and all(isinstance(argument, ast.Constant) for argument in collection.args)
    ):
        return True
    if isinstance(collection, ast.Subscript) and isinstance(collection.slice, ast.Slice):
        return True
    named = collection.id if isinstance(collection, ast.Name) else None
    if isinstance(collection, ast.Attribute):
        named = collection.attr
    return named is not None and bool(name_tokens(named) & BATCH_WORDS)


def _ordered_items(collection: ast.expr, loop_names: frozenset[str]) -> bool:
    """The items are processed in an order on purpose: ``reversed(...)``, ``sorted(...)``, or
    hooks, events, messages and the like."""
    words: set[str] = set()
    for name in loop_names:
        words |= name_tokens(name)
    for inner in ast.walk(collection):
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Name)
            and inner.func.id in ORDERING_CALLS
        ):
            return True
        if isinstance(inner, ast.Name):
            words |= name_tokens(inner.id)
        elif isinstance(inner, ast.Attribute):
            words |= name_tokens(inner.attr)
    return bool(words & ORDERED_ITEMS)


def _ordered_context(context: NodeContext) -> bool:
    """Inside ``async with lock:`` / ``async with session.begin():`` in the same function."""
    for node in reversed(context.ancestors):
        if isinstance(node, NESTED_SCOPES):
            return False
        if isinstance(node, (ast.AsyncWith, ast.With)):
            for item in node.items:
                built = item.context_expr
                if (
                    isinstance(built, ast.Call)
                    and context.imported(built.func) in HTTP_CLIENTS.classes
                ):
                    continue  # `async with aiohttp.ClientSession() as session:`
                words = set()
                for inner in ast.walk(item.context_expr):
                    if isinstance(inner, ast.Name):
                        words |= name_tokens(inner.id)
                    elif isinstance(inner, ast.Attribute):
                        words |= name_tokens(inner.attr)
                if words & ORDERED_CONTEXTS:
                    return True
    return False


def _short(node: ast.expr) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."
