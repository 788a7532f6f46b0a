"""SKS404: ``asyncio.create_task(...)`` as a statement of its own, its task dropped.

The loop keeps only a weak reference to a task: one nobody holds can be garbage-collected
mid-run, its exception surfaces only as "Task exception was never retrieved", and the caller
cannot know when it is done. On Python 3.11+ an ``asyncio.TaskGroup`` scopes such tasks.
A task started on a TaskGroup (``tg.create_task``) is fine; inside a FastAPI path operation the
same mistake is SKS204's (use ``BackgroundTasks``), so it is not reported twice.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.dropped_calls import dropped_call
from stackskills.review.semantics.fastapi_routes import (
    ROUTE_DECORATORS,
    route_methods,
    web_facts,
)

rule = Rule(
    code="SKS404",
    triggers=("create_task", "ensure_future"),
    name="dropped-task",
    section="async.task-groups",
    summary="A task started with asyncio.create_task()/loop.create_task() whose task object is "
    "dropped instead of being scoped by a TaskGroup.",
    requires=("python>=3.11",),
)

TASK_STARTERS = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
LOOP_GETTERS = frozenset(
    {"asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop"}
)
LOOP_NAMES = frozenset({"loop", "event_loop", "_loop", "_event_loop", "main_loop", "io_loop"})


@rule.visit(ast.Expr, ast.Assign)
def dropped_task(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    call = dropped_call(node)
    if call is None:
        return
    starter = _starter(call.func, call.args[0], context)
    if starter is None or _in_path_operation(context):
        return
    yield context.report(
        call,
        f"the task from `{starter}(...)` is dropped: the loop holds it only weakly, so it can "
        "be collected mid-run, its exception is never seen and nobody waits for it",
        fix="start it in `async with asyncio.TaskGroup() as tg:` with `tg.create_task(...)`, "
        "or keep a reference (a set of tasks with `add_done_callback(tasks.discard)`)",
    )


def _starter(func: ast.expr, work: ast.expr, context: NodeContext) -> str | None:
    name = context.imported(func)
    if name == "asyncio.ensure_future" and not isinstance(work, ast.Call):
        return None  # a future that already exists: nothing new was started
    if name in TASK_STARTERS:
        return name
    if not isinstance(func, ast.Attribute) or func.attr != "create_task":
        return None
    receiver = func.value
    if isinstance(receiver, ast.Call) and context.imported(receiver.func) in LOOP_GETTERS:
        return "loop.create_task"
    if isinstance(receiver, ast.Attribute):
        receiver_name = receiver.attr
    elif isinstance(receiver, ast.Name):
        receiver_name = receiver.id
    else:
        return None
    return "loop.create_task" if receiver_name.lower() in LOOP_NAMES else None


def _in_path_operation(context: NodeContext) -> bool:
    """The statement's own function is a FastAPI path operation (SKS204 reports those)."""
    function = context.enclosing_function()
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if route_methods(function, context) is not None:
        return True
    # `@router.get(...)` in a FastAPI project's module that imports its router from elsewhere
    if (
        context.file.target.stack.framework("fastapi") is None
        or web_facts(context).imports_other_web
    ):
        return False
    return any(_route_like(decorator) for decorator in function.decorator_list)


def _route_like(decorator: ast.expr) -> bool:
    if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
        return False
    owner = decorator.func.value
    name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
    return decorator.func.attr in ROUTE_DECORATORS | {"websocket"} and (
        name.endswith("router") or name.endswith("app")
    )
