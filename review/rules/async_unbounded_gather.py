"""SKS403: ``asyncio.gather(*(call(x) for x in items))`` with nothing bounding how many run.

The size of the data decides how many requests are in flight: ten thousand items open ten
thousand connections, exhaust file descriptors or pools, and earn HTTP 429s. The rule stays
silent when a semaphore (or another limiter) is visible: created in the function, held in the
called coroutine (when the file defines it), or passed in the comprehension; and for fixed
argument lists, literal collections and explicit batches.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.awaits import name_tokens
from stackskills.review.semantics.bindings import local_function, lookup, scope_chain, scope_of
from stackskills.review.semantics.file_cache import PerNodeCache
from stackskills.review.semantics.vocabulary import words

rule = Rule(
    code="SKS403",
    triggers=("gather",),
    name="unbounded-gather",
    section="async.rate-limiting",
    summary="asyncio.gather over a comprehension of coroutine calls with no semaphore bounding "
    "how many run at once.",
)

GATHER = frozenset({"asyncio.gather", "asyncio.tasks.gather"})
WRAPPERS = words("asyncio.create_task asyncio.ensure_future asyncio.wait_for asyncio.shield")
THREAD_HANDOFFS = words(
    "asyncio.to_thread anyio.to_thread.run_sync asgiref.sync.sync_to_async "
    "starlette.concurrency.run_in_threadpool fastapi.concurrency.run_in_threadpool"
)
"""Work handed to a thread pool is already bounded by the pool's size."""
EXECUTOR_METHODS = frozenset({"run_in_executor", "async_add_executor_job", "run_sync"})
LIMIT_WORDS = words(
    "sem semaphore limiter limit limits throttle throttler concurrency bounded bound lock "
    "capacity slots pool worker workers max parallel parallelism"
)
"""Name parts that show a concurrency limit is involved."""
BATCH_WORDS = frozenset({"batch", "batches", "chunk", "chunks"})

_limited_functions: PerNodeCache[bool] = PerNodeCache()

Source = tuple[ast.expr, ast.expr, set[str] | None]
"""(the per-item expression, the collection, the loop variables when known)."""


@rule.visit(ast.Call)
def unbounded_gather(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    if not any(isinstance(argument, ast.Starred) for argument in node.args):
        return
    if context.imported(node.func) not in GATHER:
        return
    for argument in node.args:
        if not isinstance(argument, ast.Starred):
            continue
        source = _source(argument.value, context)
        if source is None:
            continue
        element, collection, item_names = source
        work = _coroutine_call(element, context)
        if work is None or _bounded(work, element, collection, item_names, context):
            continue
        yield context.report(
            node,
            f"`asyncio.gather` starts one `{_short(work)}` per item of `{_short(collection)}` "
            "all at once: the size of the data decides how many run, with no limit",
            fix="hold an `asyncio.Semaphore(N)` around the call inside the coroutine "
            "(`async with limit: ...`), so at most N run at a time",
        )
        return


def _source(value: ast.expr, context: NodeContext) -> Source | None:
    """(the per-item expression, the collection) for ``*(f(x) for x in xs)``, ``*[...]``,
    ``*map(f, xs)``, or a local list built by such a comprehension."""
    if isinstance(value, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        generator = value.generators[0]
        return value.elt, generator.iter, _names(generator.target)
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in {"map", "list", "tuple"}
        and value.func.id not in context.file.imports
    ):
        if value.func.id == "map" and len(value.args) == 2:
            return ast.Call(func=value.args[0], args=[], keywords=[]), value.args[1], None
        if len(value.args) == 1:
            return _source(value.args[0], context)
        return None
    if isinstance(value, ast.Name):
        chain = scope_chain(context)
        found = lookup(value.id, chain, context)
        if found is None:
            return None
        scope, position = found
        values = scope.values.get(value.id, [])
        if len(values) != 1 or value.id in scope.opaque:
            return None
        if isinstance(values[0], (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.Call)):
            return _source(values[0], context)
        if isinstance(values[0], ast.List) and not values[0].elts:
            return _appended_in_loop(value.id, chain[position])
    return None


def _appended_in_loop(name: str, scope_node: ast.AST) -> Source | None:
    """``tasks = []`` then ``for x in xs: tasks.append(f(x))`` (possibly under an ``if``): the
    one appended expression and the collection of the loop around it."""
    found: list[Source] = []
    pending: list[tuple[ast.AST, ast.For | None]] = [(scope_node, None)]
    while pending:
        node, loop = pending.pop()
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == name
            ):
                if func.attr != "append" or len(node.args) != 1 or loop is None:
                    return None  # extended, inserted or appended outside a loop
                found.append((node.args[0], loop.iter, _names(loop.target)))
        inner_loop = node if isinstance(node, ast.For) else loop
        pending.extend((child, inner_loop) for child in ast.iter_child_nodes(node))
    return found[0] if len(found) == 1 else None


def _coroutine_call(element: ast.expr, context: NodeContext) -> ast.Call | None:
    """The call whose coroutine each item runs (looking through ``create_task`` and co.)."""
    while isinstance(element, ast.Call):
        qualified = context.imported(element.func)
        if qualified in WRAPPERS and element.args:
            element = element.args[0]
            continue
        if qualified in THREAD_HANDOFFS:
            return None
        if isinstance(element.func, ast.Attribute) and element.func.attr in {
            "create_task",
            *EXECUTOR_METHODS,
        }:
            if element.func.attr in EXECUTOR_METHODS or not element.args:
                return None
            element = element.args[0]
            continue
        return element
    return None


def _bounded(
    work: ast.Call,
    element: ast.expr,
    collection: ast.expr,
    item_names: set[str] | None,
    context: NodeContext,
) -> bool:
    if _fixed_or_batched(collection, element, item_names, context):
        return True
    if _mentions_limit(element):
        return True
    if _creates_limiter(context):
        return True
    called = local_function(work.func, context)
    return called is not None and _limited_functions.get(context, called, _holds_limit)


def _fixed_or_batched(
    collection: ast.expr, element: ast.expr, item_names: set[str] | None, context: NodeContext
) -> bool:
    if isinstance(collection, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
        return True
    if (
        isinstance(collection, ast.Call)
        and isinstance(collection.func, ast.Name)
        and collection.func.id == "range"
        and (
            all(isinstance(argument, ast.Constant) for argument in collection.args)
            or _mentions_limit(collection)
            or (item_names is not None and not _uses_any(element, item_names))
        )
    ):
        return True  # a fixed pool of workers: `worker(queue) for _ in range(WORKERS)`
    if isinstance(collection, ast.Subscript) and isinstance(collection.slice, ast.Slice):
        return True
    names = [
        inner for inner in ast.walk(collection) if isinstance(inner, (ast.Name, ast.Attribute))
    ]
    words: set[str] = set()
    for inner in names:
        words |= name_tokens(inner.id if isinstance(inner, ast.Name) else inner.attr)
    if words & BATCH_WORDS:
        return True
    # one batch of a larger list: `for batch in ...: gather(*(f(x) for x in batch))`
    if isinstance(collection, ast.Name):
        for node in reversed(context.ancestors):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                break
            if isinstance(node, (ast.For, ast.AsyncFor)) and any(
                isinstance(target, ast.Name) and target.id == collection.id
                for target in ast.walk(node.target)
            ):
                return True
    return False


def _uses_any(element: ast.expr, names: set[str]) -> bool:
    return any(isinstance(inner, ast.Name) and inner.id in names for inner in ast.walk(element))


def _names(target: ast.expr) -> set[str]:
    return {inner.id for inner in ast.walk(target) if isinstance(inner, ast.Name)}


def _mentions_limit(node: ast.expr) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            words = name_tokens(inner.id)
        elif isinstance(inner, ast.Attribute):
            words = name_tokens(inner.attr)
        elif isinstance(inner, ast.keyword) and inner.arg:
            words = name_tokens(inner.arg)
        else:
            continue
        if words & LIMIT_WORDS:
            return True
    return False


def _creates_limiter(context: NodeContext) -> bool:
    """The enclosing function (or one around it) builds a semaphore or limiter."""
    for scope_node in scope_chain(context):
        if scope_node is context.file.tree:
            break
        scope = scope_of(scope_node, context)
        for values in scope.values.values():
            if any(_is_limiter(value) for value in values):
                return True
    return False


def _is_limiter(value: ast.expr) -> bool:
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name.endswith(("Semaphore", "Limiter", "Throttler")) or name == "CapacityLimiter"


def _holds_limit(function: ast.AST) -> bool:
    """The coroutine's own body waits on a semaphore-like object or is decorated with a
    limiter."""
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    if any(_mentions_limit(decorator) for decorator in function.decorator_list):
        return True
    for node in ast.walk(function):
        if isinstance(node, (ast.AsyncWith, ast.With)) and any(
            _mentions_limit(item.context_expr) for item in node.items
        ):
            return True
        if isinstance(node, ast.Call):
            if _is_limiter(node):
                return True
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "acquire"
                and _mentions_limit(func.value)
            ):
                return True
    return False


def _short(node: ast.expr) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 50 else text[:47] + "..."
