"""What a rule can ask about the node it is given: where it sits, what names mean, which
Python and frameworks the file targets — so rules stay small and declarative."""

from __future__ import annotations

import ast
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from stackskills.detectors.source import physical_lines
from stackskills.review.findings import Finding

if TYPE_CHECKING:
    from stackskills.review.registry import Rule
    from stackskills.review.target import ReviewTarget

FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
LOOP_TYPES = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


@dataclass
class FileContext:
    """Per-file facts, built up during the walk."""

    filename: str
    source: str
    target: ReviewTarget
    imports: dict[str, str] = field(default_factory=dict)
    """Local name → what it was imported as: ``sleep`` → ``time.sleep``, ``np`` → ``numpy``."""
    tree: ast.Module | None = None
    analyses: dict[Any, Any] = field(default_factory=dict, repr=False)
    """What ``semantics.file_cache`` caches computed for this file, by cache."""

    @cached_property
    def lines(self) -> list[str]:
        """The source's lines, numbered as ``ast`` numbers them (``splitlines`` would also
        break at a form feed, and every noqa comment below one was read from the line above).
        Split on first use: most files have no finding and no rule that reads lines."""
        return physical_lines(self.source)

    @cached_property
    def has_walrus(self) -> bool:
        """Whether ``:=`` appears anywhere; without it only statements bind names, and
        analyses looking for bindings can skip every expression."""
        return ":=" in self.source

    def walrus_within(self, node: ast.AST) -> bool:
        """Whether ``:=`` appears on a line the node spans (the operator never spans lines),
        so a function without one can skip its expressions even when another has one."""
        if not self.has_walrus:
            return False
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if start is None or end is None:
            return True
        lines = self._walrus_lines
        index = bisect_left(lines, start)
        return index < len(lines) and lines[index] <= end

    @cached_property
    def _walrus_lines(self) -> list[int]:
        return [number for number, line in enumerate(self.lines, 1) if ":=" in line]

    def record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    self.imports[top] = top
        elif node.level == 0 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"


@dataclass
class NodeContext:
    """The context of the node being checked: its ancestors, the file, the rule running."""

    file: FileContext
    ancestors: list[ast.AST]
    """From the module down to the node's parent."""
    rule: Rule | None = None

    @property
    def python(self) -> tuple[int, int]:
        return self.file.target.python

    @property
    def parent(self) -> ast.AST | None:
        return self.ancestors[-1] if self.ancestors else None

    def enclosing_function(self) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None:
        for node in reversed(self.ancestors):
            if isinstance(node, FUNCTION_TYPES):
                return node
        return None

    def in_async_function(self) -> bool:
        """True when the nearest enclosing function is ``async def`` (a nested plain ``def`` or
        lambda inside it runs elsewhere, e.g. in a thread, so it does not count)."""
        return isinstance(self.enclosing_function(), ast.AsyncFunctionDef)

    def enclosing_loops(self) -> list[ast.AST]:
        """Loops (and comprehensions) around the node inside its function, innermost last."""
        loops: list[ast.AST] = []
        for node in reversed(self.ancestors):
            if isinstance(node, FUNCTION_TYPES):
                break
            if isinstance(node, LOOP_TYPES):
                loops.append(node)
        return list(reversed(loops))

    def enclosing_class(self) -> ast.ClassDef | None:
        for node in reversed(self.ancestors):
            if isinstance(node, ast.ClassDef):
                return node
        return None

    def qualified_name(self, node: ast.AST) -> str | None:
        """``time.sleep`` for ``sleep`` (from ``from time import sleep``) or ``t.sleep`` (with
        ``import time as t``); the dotted text itself when its root was not imported."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        root = self.file.imports.get(node.id, node.id)
        return ".".join([root, *reversed(parts)])

    def imported(self, node: ast.AST) -> str | None:
        """Like ``qualified_name`` but only when the root name was imported in this file."""
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in self.file.imports:
            return None
        return self.qualified_name(node)

    def character_column(self, line: int, byte_offset: int) -> int:
        """1-based column in characters: ``ast`` counts UTF-8 bytes, editors count characters."""
        lines = self.file.lines
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1

    def report(self, node: ast.AST, message: str, fix: str | None = None) -> Finding:
        """A finding of the running rule at ``node``'s span."""
        assert self.rule is not None
        line = getattr(node, "lineno", 1)
        offset = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_offset = getattr(node, "end_col_offset", None)
        column = self.character_column(line, offset)
        end_column = column if end_offset is None else self.character_column(end_line, end_offset)
        return Finding(
            file=self.file.filename,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            rule=self.rule.code,
            section=self.rule.section,
            severity=self.rule.severity,
            message=message,
            fix=fix,
        )
