"""What an awaited call is: one that must stay sequential by design (a queue, a lock, a stream,
a statement on one shared database session), or independent work such as an HTTP request.

The async rules use it to stay silent where running calls together would be wrong. It judges by
the names code conventionally uses (``session``, ``conn``, ``queue``, ``ws``), by well-known
functions (``asyncio.sleep``) and by method names whose meaning is ordered (``send``,
``commit``, ``readline``); an HTTP client that happens to be called ``session`` is recognised by
what it was built from.
"""

from __future__ import annotations

import ast
import re

from stackskills.review.context import NodeContext
from stackskills.review.semantics.bindings import Kind, instance_of
from stackskills.review.semantics.vocabulary import words

SEQUENTIAL_FUNCTIONS = words(
    "asyncio.sleep anyio.sleep trio.sleep asyncio.gather asyncio.wait asyncio.wait_for "
    "asyncio.shield asyncio.to_thread asyncio.create_subprocess_exec "
    "asyncio.create_subprocess_shell asyncio.open_connection anyio.to_thread.run_sync "
    "asgiref.sync.sync_to_async channels.db.database_sync_to_async "
    "starlette.concurrency.run_in_threadpool fastapi.concurrency.run_in_threadpool"
)
"""Awaited functions that are themselves a pause, already concurrent, or a thread hand-off."""

SEQUENTIAL_NAMES = frozenset(
    {"send", "receive", "sleep", "call_next", "run_in_threadpool", "sync_to_async"}
)
"""Plain callees (ASGI ``send``/``receive``, middleware ``call_next``) that are ordered."""

SEQUENTIAL_METHODS = words(
    # queues, locks, events
    "acquire release wait wait_for join put "
    # streams, sockets, websockets, chats
    "drain read readline readexactly readuntil readany readchunk write writelines send "
    "sendall sendto send_bytes send_text send_json send_str send_frame send_message recv "
    "receive receive_text receive_json receive_bytes answer reply respond edit edit_text "
    "publish emit produce ack nack close aclose wait_closed "
    # database statements and ORM writes
    "commit rollback flush refresh execute executemany execute_many fetchrow fetchval "
    "fetchall fetchone fetchmany scalar scalars stream stream_scalars run_sync merge save "
    "insert insert_one insert_many update update_one update_many delete delete_one "
    "delete_many create upsert add remove"
)
"""Methods whose calls are ordered or go through one shared resource."""

DJANGO_ASYNC_ORM = re.compile(
    r"a(save|delete|refresh_from_db|create|get|get_or_create|update_or_create|update|count|"
    r"exists|first|last|bulk_create|bulk_update|in_bulk|iterator|aggregate|contains|explain|"
    r"add|remove|clear|set|earliest|latest)$"
)

STATEFUL_TOKENS = words(
    # one database session or connection
    "session sess db database conn connection con cursor cur tx txn transaction uow repo "
    "repository dao orm objects pipeline pipe redis cache store storage mongo motor "
    # ordered primitives and streams
    "lock mutex queue semaphore sem ws websocket socket sock stream reader writer channel "
    "chan file fp fh response resp ctx page tab browser modem"
)
"""Name parts (split on ``_``) of receivers or arguments that mean one shared resource."""

MUTATING_VERBS = words(
    "set update delete remove drop kill apply run execute exec dispatch handle handler "
    "redact register unregister init initialize setup teardown enter exit migrate install "
    "uninstall unload reload restart start stop shutdown close cleanup clean clear reset "
    "write save store insert create add put commit publish emit append pop subscribe "
    "unsubscribe connect disconnect acquire release lock unlock wait sleep pause resume "
    "cancel mark ack flush sync move rename copy trigger fire schedule enqueue refresh join "
    "leave invite kick ban assign attach detach link unlink grant revoke enable disable "
    "toggle patch upsert merge replace deploy broadcast wake seek invalidate increment "
    "decrement persist route launch spawn open fill cull evaluate future task"
)
"""Verbs of callees that change one shared thing (or its lifecycle), where order can matter.
Remote API clients are the exception: ``client.delete_item(item_id)`` per item is independent."""
API_CLIENT_TOKENS = frozenset({"client", "api", "http", "sdk", "gateway"})
HTTP_VERBS = words("get post put patch delete head options request")
STATEMENT_VERBS = frozenset({"execute", "exec", "query", "sql", "script", "statement"})
"""A "client" that runs statements is a database connection, not an API client."""

HTTP_CLIENTS = Kind(
    classes=frozenset(
        {
            "httpx.AsyncClient",
            "httpx.Client",
            "aiohttp.ClientSession",
            "aiohttp.client.ClientSession",
        }
    )
)


def name_tokens(name: str) -> set[str]:
    """``_db_session`` → ``{"db", "session"}``; ``dbSession`` → ``{"db", "session"}``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return {part for part in spaced.lower().split("_") if part}


def _chain_names(node: ast.expr) -> list[str]:
    """``self.db.users`` → ``["self", "db", "users"]``; calls in the chain are looked through."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    if isinstance(node, ast.Name):
        names.append(node.id)
    return list(reversed(names))


def shares_resource(node: ast.expr) -> bool:
    """The expression names a shared session, connection, queue, stream and the like."""
    return any(name_tokens(name) & STATEFUL_TOKENS for name in _chain_names(node))


def sequential_by_design(
    call: ast.Call, context: NodeContext, per_item: frozenset[str] = frozenset()
) -> bool:
    """True when awaiting ``call`` once per item must stay one at a time, or when the call is
    not plain I/O at all (a pause, a thread hand-off, already concurrent). ``per_item`` names
    (the loop variables) differ on every call, so they never count as a shared resource."""
    func = call.func
    qualified = context.imported(func)
    if qualified in SEQUENTIAL_FUNCTIONS:
        return True
    if isinstance(func, ast.Name):
        if func.id in SEQUENTIAL_NAMES or _mutates(func.id):
            return True
    elif isinstance(func, ast.Attribute):
        method = func.attr
        if method in HTTP_VERBS and instance_of(func.value, HTTP_CLIENTS, context):
            return False  # `await client.delete(f"/items/{item_id}")`: one request per item
        if method in SEQUENTIAL_METHODS or DJANGO_ASYNC_ORM.match(method):
            return True
        receiver = func.value
        remote = _remote_client(receiver, context) and not name_tokens(method) & STATEMENT_VERBS
        if _mutates(method) and not remote:
            return True
        if _root_name(receiver) not in per_item and shares_resource(receiver) and not remote:
            return True
    else:
        return True  # `sync_to_async(f)(x)`, `handlers[kind](x)`: not judged
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(
        isinstance(argument, (ast.Name, ast.Attribute))
        and _root_name(argument) not in per_item
        and _names_resource(argument)
        for argument in arguments
    )


def _names_resource(argument: ast.Name | ast.Attribute) -> bool:
    """``db``, ``self.session``, ``db_conn`` (but not ``session_id``): the argument is the
    shared resource itself, judged by the last word of its name."""
    names = _chain_names(argument)
    if not names:
        return False
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", names[-1]).lower().strip("_")
    return spaced.rsplit("_", 1)[-1] in STATEFUL_TOKENS


def _mutates(name: str) -> bool:
    """``async_update_pipeline``, ``aset_hash``, ``_kill_session``: the name carries a verb that
    changes something (or an ``on_*`` callback: an event handler)."""
    words = name_tokens(name)
    if name.startswith("on_"):
        return True
    words |= {word[1:] for word in words if word.startswith("a") and word[1:] in MUTATING_VERBS}
    return bool(words & MUTATING_VERBS)


def _remote_client(receiver: ast.expr, context: NodeContext) -> bool:
    """An HTTP or API client: each call is its own request, whatever it does remotely."""
    names = _chain_names(receiver)
    if names:
        parts = name_tokens(names[-1])
        if parts & API_CLIENT_TOKENS and not parts & STATEFUL_TOKENS:  # not `redis_client`
            return True
    return instance_of(receiver, HTTP_CLIENTS, context)


def _root_name(node: ast.expr) -> str | None:
    names = _chain_names(node)
    return names[0] if names else None
