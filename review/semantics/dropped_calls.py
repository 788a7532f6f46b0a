"""A call whose result is thrown away: the statement shape shared by the dropped-task rules."""

from __future__ import annotations

import ast


def dropped_call(node: ast.stmt) -> ast.Call | None:
    """The call of ``f(x)`` as a bare statement or ``_ = f(x)``, if it has arguments."""
    if isinstance(node, ast.Assign):
        targets = node.targets
        if not (len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == "_"):
            return None
    elif not isinstance(node, ast.Expr):
        return None
    call = node.value
    if not isinstance(call, ast.Call) or not call.args:
        return None
    return call
