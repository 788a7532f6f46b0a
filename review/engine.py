"""One parse and one walk per file: each node goes only to the rules that asked for its type.

The walk is iterative (a 10,000-deep expression cannot overflow it) and visits nodes in
source order, so imports are recorded before the code that uses them.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from stackskills.detectors.models import Stack
from stackskills.review.context import FileContext, NodeContext
from stackskills.review.findings import Finding, ReviewError, ReviewResult
from stackskills.review.noqa import suppressed
from stackskills.review.registry import Dispatch, Rule, all_rules, dispatch_table
from stackskills.review.target import (
    ReviewTarget,
    deciding_names,
    imported_distributions,
    python_of,
    target_for,
    with_imports,
)

MAX_SOURCE_BYTES = 5 * 1024 * 1024
"""Above this a file is generated or data, not code anyone reviews."""


@dataclass
class Reviewer:
    """Reviews sources against one base stack; rule selection is computed once per set of
    imported frameworks and reused for every file that imports the same ones."""

    stack: Stack | None = None
    """The project's detected (or given) stack; None judges each file by its own imports."""
    python: tuple[int, int] | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    _targets: dict[frozenset[str], tuple[ReviewTarget, dict[type[ast.AST], list[Dispatch]]]] = (
        field(default_factory=dict, repr=False)
    )

    _tables: dict[tuple[Rule, ...], dict[type[ast.AST], list[Dispatch]]] = field(
        default_factory=dict, repr=False
    )
    _python_text: str | None = field(default=None, repr=False)
    _rule_sets: dict[frozenset[str], tuple[Rule, ...]] = field(default_factory=dict, repr=False)

    def _rules(self) -> list[Rule]:
        return [
            rule
            for rule in all_rules()
            if (self.select is None or _matches(rule.code, self.select))
            and not _matches(rule.code, self.ignore)
        ]

    def target(
        self, imported: frozenset[str]
    ) -> tuple[ReviewTarget, dict[type[ast.AST], list[Dispatch]]]:
        """What a file importing ``imported`` is judged against. Which rules apply is worked
        out once per set of imported frameworks that can change it: a project's files import
        dozens of different sets of libraries, but few different sets of frameworks."""
        cached = self._targets.get(imported)
        if cached is None:
            base = self.stack if self.stack is not None else Stack(root="<snippet>")
            stack = with_imports(base, imported, self.python)
            deciding = imported & deciding_names()
            rules = self._rule_sets.get(deciding)
            if rules is None:
                rules = self._rule_sets[deciding] = target_for(stack, self._rules()).rules
            table = self._tables.get(rules)
            if table is None:
                table = self._tables[rules] = dispatch_table(rules)
            cached = (ReviewTarget(python=python_of(stack), stack=stack, rules=rules), table)
            self._targets[imported] = cached
        return cached

    def python_text(self) -> str:
        """The Python target as text, before any file's imports are known (kept: every
        result carries it)."""
        if self._python_text is None:
            base = self.stack if self.stack is not None else Stack(root="<snippet>")
            major, minor = self.python or python_of(with_imports(base, (), None))
            self._python_text = f"{major}.{minor}"
        return self._python_text

    def review_source(self, code: str, filename: str = "<snippet>") -> ReviewResult:
        result = ReviewResult(python=self.python_text())
        if len(code) > MAX_SOURCE_BYTES:
            result.errors.append(
                ReviewError(
                    file=filename,
                    message=f"file is larger than {MAX_SOURCE_BYTES // 2**20} MB; not reviewed",
                )
            )
            return result
        tree = _parse(code, filename, result)
        if tree is None:
            return result
        target, _ = self.target(frozenset(imported_distributions(tree)))
        result.python = target.python_text
        rules = tuple(rule for rule in target.rules if rule.wants(code))
        if not rules:
            return result
        table = self._tables.get(rules)
        if table is None:
            table = self._tables[rules] = dispatch_table(rules)
        file = FileContext(filename=filename, source=code, target=target, tree=tree)
        result.findings.extend(walk(tree, file, table))
        return result


def _matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def _parse(code: str, filename: str, result: ReviewResult) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(code, filename=filename)
    except SyntaxError as exc:
        result.errors.append(
            ReviewError(
                file=filename,
                line=exc.lineno,
                column=exc.offset,
                message=f"cannot parse: {exc.msg}",
            )
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        reason = "nested too deeply" if isinstance(exc, (RecursionError, MemoryError)) else str(exc)
        result.errors.append(ReviewError(file=filename, message=f"cannot parse: {reason}"))
    return None


def walk(
    tree: ast.Module, file: FileContext, table: dict[type[ast.AST], list[Dispatch]]
) -> list[Finding]:
    """Visit every node once, depth first in source order, dispatching by node type.

    This loop runs for every node of every file, so it is written for speed: one lookup per
    node type gives the function that pushes its children, its checks and whether it is an
    import, and a marker pushed under a node's children pops the node off the ancestor path
    once they are done.
    """
    findings: list[Finding] = []
    path: list[ast.AST] = []
    context = NodeContext(file=file, ancestors=path)
    skip = _LEAVES.difference(table)
    plans: dict[type[ast.AST], tuple[_PushChildren | None, list[Dispatch] | None, bool]]
    plans = {}
    done = _CHILDREN_DONE
    pending: list[ast.AST] = [tree]
    push, pop = pending.append, pending.pop
    while pending:
        node = pop()
        if node is done:
            path.pop()
            continue
        kind = type(node)
        plan = plans.get(kind)
        if plan is None:
            plan = plans[kind] = (_pusher(kind, node, skip), table.get(kind), kind in _IMPORTS)
        push_children, checks, is_import = plan
        if is_import:
            file.record_import(node)  # type: ignore[arg-type]
        if checks:
            callee = None  # the name called, or the attribute read, for checks limited to some
            if kind is ast.Call:
                func = node.func  # type: ignore[attr-defined]
                if type(func) is ast.Attribute:
                    callee = func.attr
                elif type(func) is ast.Name:
                    callee = func.id
            elif kind is ast.Attribute:
                callee = node.attr  # type: ignore[attr-defined]
            for rule, check, callees in checks:
                if callees is not None and callee not in callees:
                    continue
                context.rule = rule
                # a loop, not a comprehension: nearly every call finds nothing, and a
                # comprehension would cost a frame each time
                for finding in check(node, context):
                    if not _noqa(file, finding):
                        findings.append(finding)  # noqa: PERF401
        if push_children is None:
            continue
        push(done)
        push_children(node, push)
        if pending[-1] is done:  # no children worth a visit
            pop()
        else:
            path.append(node)
    findings.sort(key=lambda f: (f.line, f.column, f.rule))
    return findings


_PushChildren = Callable[[ast.AST, Callable[[ast.AST], None]], None]

_PUSHERS: dict[tuple[type[ast.AST], frozenset[type[ast.AST]]], _PushChildren | None] = {}


def _pusher(
    kind: type[ast.AST], sample: ast.AST, skip: frozenset[type[ast.AST]]
) -> _PushChildren | None:
    """A function pushing a node's children that need a visit, last first (so they pop in
    source order); None for a type without child fields.

    Written out per node type, as ``dataclasses`` and ``namedtuple`` write their methods: a
    loop over the field names, asking each value whether it is a list, cost a third of the
    walk. A field holds a list on every node of a type or on none, so one node (``sample``)
    tells which fields do.
    """
    key = (kind, skip)
    if key not in _PUSHERS:
        fields = _child_fields(kind)
        if not fields:
            _PUSHERS[key] = None
            return None
        code = ["def push_children(node, push):"]
        for name in reversed(fields):
            # the parser sets every field of every node (optional ones to None); a node's
            # type is in ``visited`` unless it is a leaf no rule wants, and None, strings
            # and other values never are
            if type(getattr(sample, name, None)) is list:
                code.append(f"    items = node.{name}")
                code.append("    if items:")  # most lists are empty: no reversed copy then
                code.append("        for item in items[::-1]:")
                code.append("            if type(item) in visited:")
                code.append("                push(item)")
            else:
                code.append(f"    value = node.{name}")
                code.append("    if type(value) in visited:")
                code.append("        push(value)")
        namespace: dict[str, Any] = {"visited": _NODE_TYPES - skip}
        exec("\n".join(code), namespace)  # our own text: field names of ``ast`` classes
        _PUSHERS[key] = namespace["push_children"]
    return _PUSHERS[key]


_NODE_TYPES = frozenset(
    kind
    for kind in vars(ast).values()
    if isinstance(kind, type) and issubclass(kind, ast.AST) and kind is not ast.AST
)
"""Every node class of this Python's ``ast`` (abstract bases too: harmless, never built)."""

_CHILDREN_DONE = ast.AST()
"""Pushed under a node's children: popping it means they are all visited."""

_IMPORTS = frozenset({ast.Import, ast.ImportFrom})

_SCALAR_FIELDS = frozenset(
    {"ctx", "id", "name", "attr", "arg", "module", "level", "names", "type_comment",
     "conversion", "is_async", "kind", "op"}
)  # fmt: skip
"""Fields that never hold child nodes worth visiting (``op`` and ``ctx`` are singletons)."""

_FIELDS_BY_TYPE: dict[type[ast.AST], tuple[str, ...]] = {}

_LEAVES = frozenset(
    {ast.Name, ast.Constant, ast.alias, ast.Pass, ast.Break, ast.Continue, ast.Global,
     ast.Nonlocal, ast.MatchSingleton, ast.MatchStar}
)  # fmt: skip
"""Node types with no children: unless a rule wants one, the walk does not even push it.
``Name`` and ``Constant`` alone are about half the nodes of real code."""


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    fields = _FIELDS_BY_TYPE.get(kind)
    if fields is None:
        fields = tuple(name for name in kind._fields if name not in _SCALAR_FIELDS)
        if kind is ast.Constant:
            fields = ()
        _FIELDS_BY_TYPE[kind] = fields
    return fields


def _noqa(file: FileContext, finding: Finding) -> bool:
    lines = file.lines
    for number in {finding.line, finding.end_line}:
        if 0 < number <= len(lines) and suppressed(lines[number - 1], finding.rule):
            return True
    return False


def review_source(
    code: str,
    filename: str = "<snippet>",
    stack: Stack | None = None,
    python: str | tuple[int, int] | None = None,
) -> ReviewResult:
    """Review one source text: the Python API the server calls."""
    from stackskills.review.target import parse_python

    version = parse_python(python) if isinstance(python, str) else python
    return Reviewer(stack=stack, python=version).review_source(code, filename)
