"""SKS401: a blocking call inside ``async def``.

The event loop runs every coroutine on one thread and switches only at an ``await``; a
``time.sleep()``, ``requests.get()``, ``open()`` or ``subprocess.run()`` in a coroutine holds
that thread, so every other request waits with it. A function handed to
``asyncio.to_thread``/``run_in_executor`` (or a nested plain ``def``/lambda) runs elsewhere and
is not flagged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.bindings import Kind, instance_of, lookup, scope_chain

rule = Rule(
    code="SKS401",
    triggers=("async",),
    name="blocking-call-in-async",
    section="async.blocking",
    summary="A blocking call (time.sleep, requests, sync file I/O, subprocess, os.system) "
    "inside an async def body.",
)

SLEEP = "await asyncio.sleep(...)"
HTTP = "use an async client (`await client.get(...)` on a shared httpx.AsyncClient)"
PROCESS = (
    "`await asyncio.create_subprocess_exec(...)` then `await process.communicate()`, "
    "or run it with `await asyncio.to_thread(...)`"
)
FILES = "move the file I/O into a plain function and `await asyncio.to_thread(that_function, ...)`"

BLOCKING_FUNCTIONS = {
    "time.sleep": SLEEP,
    "urllib.request.urlopen": HTTP,
    "urllib.request.urlretrieve": HTTP,
    "subprocess.run": PROCESS,
    "subprocess.call": PROCESS,
    "subprocess.check_call": PROCESS,
    "subprocess.check_output": PROCESS,
    "subprocess.Popen": PROCESS,
    "os.system": PROCESS,
    "io.open": FILES,
}
REQUESTS_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request"}
)
PATH_IO_METHODS = frozenset({"read_text", "write_text", "read_bytes", "write_bytes", "open"})

PATH = Kind(
    classes=frozenset(
        {"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePath"}
    ),
    class_methods=frozenset({"home", "cwd"}),
    methods=frozenset(
        {
            "with_suffix",
            "with_name",
            "with_stem",
            "joinpath",
            "resolve",
            "absolute",
            "expanduser",
            "relative_to",
        }
    ),
    attributes=frozenset({"parent"}),
    divides=True,
)
REQUESTS_SESSION = Kind(
    classes=frozenset({"requests.Session", "requests.sessions.Session"}),
    factories=frozenset({"requests.session", "requests.sessions.session"}),
)

INTERESTING_NAMES = frozenset({"open", *(name.rsplit(".", 1)[1] for name in BLOCKING_FUNCTIONS)})
INTERESTING_ATTRIBUTES = (
    INTERESTING_NAMES | REQUESTS_METHODS | PATH_IO_METHODS | {"urlopen", "urlretrieve"}
)


@rule.visit(ast.Call)
def blocking_call(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in INTERESTING_NAMES and func.id not in context.file.imports:
            return
    elif not isinstance(func, ast.Attribute) or func.attr not in INTERESTING_ATTRIBUTES:
        return
    if isinstance(context.parent, ast.Await) or not context.in_async_function():
        return
    found = _blocking(node, context)
    if found is None:
        return
    spelled, fix = found
    if context.python < (3, 9):
        fix = fix.replace(
            "`await asyncio.to_thread(", "`await loop.run_in_executor(None, "
        )  # asyncio.to_thread arrived in Python 3.9
    coroutine = context.enclosing_function()
    name = getattr(coroutine, "name", "the coroutine")
    yield context.report(
        node,
        f"`{spelled}` blocks the event loop inside `async def {name}`: every other coroutine "
        "waits until it returns",
        fix=fix,
    )


def _blocking(node: ast.Call, context: NodeContext) -> tuple[str, str] | None:
    """(how the call reads, the fix) when the call blocks."""
    func = node.func
    if isinstance(func, ast.Name) and func.id == "open":
        if func.id in context.file.imports or lookup("open", scope_chain(context), context):
            return None
        return "open()", FILES
    qualified = context.imported(func)
    if qualified is not None:
        if qualified in BLOCKING_FUNCTIONS:
            return f"{qualified}()", BLOCKING_FUNCTIONS[qualified]
        module, _, function = qualified.rpartition(".")
        if module in {"requests", "requests.api"} and function in REQUESTS_METHODS:
            return f"requests.{function}()", HTTP
    if not isinstance(func, ast.Attribute):
        return None
    if (
        func.attr in PATH_IO_METHODS
        and _imports(context, "pathlib")
        and instance_of(func.value, PATH, context)
    ):
        return f"Path.{func.attr}()", FILES
    if (
        func.attr in REQUESTS_METHODS
        and _imports(context, "requests")
        and instance_of(func.value, REQUESTS_SESSION, context)
    ):
        return f"requests.Session.{func.attr}()", HTTP
    return None


def _imports(context: NodeContext, module: str) -> bool:
    prefix = module + "."
    return any(name == module or name.startswith(prefix) for name in context.file.imports.values())
