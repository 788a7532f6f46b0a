"""SKS204: a path operation starts ``asyncio.create_task(...)`` and drops the task.

The event loop keeps only a weak reference to a task, so an unreferenced one can vanish before
it finishes, its exception is only logged, and shutdown does not wait for it. Work that should
run after the response belongs in ``BackgroundTasks``, which FastAPI awaits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.dropped_calls import dropped_call
from stackskills.review.semantics.fastapi_routes import enclosing_route

rule = Rule(
    code="SKS204",
    triggers=("create_task", "ensure_future"),
    name="fastapi-dropped-task",
    section="fastapi.background-tasks",
    summary="A path operation starts an asyncio task and keeps no reference to it instead of "
    "using BackgroundTasks.",
)

TASK_STARTERS = {"asyncio.create_task", "asyncio.ensure_future"}
LOOP_GETTERS = {"asyncio.get_event_loop", "asyncio.get_running_loop"}


@rule.visit(ast.Expr, ast.Assign)
def dropped_task(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    call = dropped_call(node)
    if call is None:
        return
    starter = _starter(call.func, context)
    if starter is None or enclosing_route(context) is None:
        return
    work = ast.unparse(call.args[0])
    yield context.report(
        call,
        f"`{starter}(...)` in a path operation drops its task: the loop holds it only weakly, "
        "so it can be collected before it finishes, its errors are lost, and shutdown does not "
        "wait for it",
        fix=_fix(call.args[0]) if len(work) <= 80 else None,
    )


def _starter(func: ast.expr, context: NodeContext) -> str | None:
    name = context.imported(func)
    if name in TASK_STARTERS:
        return name
    # asyncio.get_running_loop().create_task(...)
    if (
        isinstance(func, ast.Attribute)
        and func.attr in {"create_task", "ensure_future"}
        and isinstance(func.value, ast.Call)
        and context.imported(func.value.func) in LOOP_GETTERS
    ):
        return f"loop.{func.attr}"
    return None


def _fix(work: ast.expr) -> str:
    """``background_tasks.add_task(send_email, user.email)`` for ``send_email(user.email)``."""
    if isinstance(work, ast.Call) and not any(
        isinstance(argument, ast.Starred) for argument in work.args
    ):
        parts = [ast.unparse(work.func), *(ast.unparse(a) for a in work.args)]
        parts += [ast.unparse(keyword) for keyword in work.keywords]
        return (
            "take a `background_tasks: BackgroundTasks` parameter and call "
            f"`background_tasks.add_task({', '.join(parts)})`"
        )
    return "take a `background_tasks: BackgroundTasks` parameter and queue the work with add_task"
