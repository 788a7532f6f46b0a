"""Work done in a forked child and sent back whole through a pipe: how the command line puts
a second core to work (the server runs threads and never forks).

The child runs the work, writes its bytes and leaves with ``os._exit``, so none of the
parent's clean-up (buffers, ``atexit``) runs twice. A child that fails leaves with status 1,
and the caller does the work itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable

Child = tuple[int, int]
"""A started child: its pid and the read end of its pipe."""


def start(work: Callable[[], bytes]) -> Child | None:
    """Fork a child that writes ``work()`` to a pipe; None when no child could start."""
    try:
        reading, writing = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:  # the child: work, write, and leave without running any clean-up
        status = 1
        try:
            os.close(reading)
            data = work()
            with os.fdopen(writing, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    return pid, reading


def collect(child: Child) -> bytes | None:
    """What the child wrote, once it has left; None unless it finished its work."""
    pid, reading = child
    try:
        with os.fdopen(reading, "rb") as pipe:
            data = pipe.read()
    finally:  # reaped even if reading failed
        _, status = os.waitpid(pid, 0)
    return data if status == 0 else None


def abandon(child: Child) -> None:
    """Stop waiting for a child: a child still writing gets EPIPE and leaves; it is reaped."""
    pid, reading = child
    os.close(reading)
    os.waitpid(pid, 0)
