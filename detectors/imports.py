"""The import statements of Python source, found by regular expressions instead of an AST.

Detection reads thousands of files: ``ast.parse`` costs milliseconds per file, a scan by
``re`` (which runs in C) a fraction of that. Every import statement holds the word
``import``, a literal the engine finds fast; a word counts only when it is code, which is
known by consuming strings and comments whole from the top of the file, as far as needed.
So ``import os`` in a docstring is never taken for code, and source with syntax errors is
scanned as far as it makes sense: the scan never raises. Indented imports, which are rare,
pay for a look at the blocks that enclose them (``_EnclosingBlocks``).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from keyword import iskeyword
from typing import Literal, NamedTuple

ImportContext = Literal["module", "function", "try", "type-checking", "conditional"]

# Strings are matched whole, prefix letters aside (they do not change where a string ends).
# Each pattern is an "unrolled loop" whose alternatives start with different characters, so
# the engine never has two ways to match the same text and cannot backtrack exponentially.
# An unterminated string ends at the end of its line (one quote) or of the text (three).
_STRING = (
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\\?\Z)'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\\?\Z)"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*(?:"|(?=\n)|\\?\Z)'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*(?:'|(?=\n)|\\?\Z)"
)
_COMMENT = r"#[^\n]*"
_NOT_CODE = re.compile(rf"{_COMMENT}|{_STRING}", re.DOTALL)

_IMPORT_WORD = re.compile(r"import\b")
_FROM_TAIL = re.compile(r"from(?![\w])[\w. \t\f]*")
_LOOK_BEHIND = 1_000
"""How far before an ``import`` word its statement may start (``from <long name>``)."""

_WS = r"(?:[ \t\f]|\\\n)"  # blanks inside one logical line, backslash continuations included
_NAME = r"[^\W\d]\w*"
_DOTTED = rf"{_NAME}(?:{_WS}*\.{_WS}*{_NAME})*"
_DOTTED_AS = rf"{_DOTTED}(?:{_WS}+as{_WS}+{_NAME})?"
_NAME_AS = rf"{_NAME}(?:{_WS}+as{_WS}+{_NAME})?"
_IMPORT = re.compile(rf"import{_WS}+(?P<body>{_DOTTED_AS}(?:{_WS}*,{_WS}*{_DOTTED_AS})*)")
_FROM = re.compile(
    rf"from(?P<dots>(?:{_WS}*\.)*){_WS}*(?:(?P<module>{_DOTTED}){_WS}+)?import\b{_WS}*"
    rf"(?:(?P<star>\*)|(?P<paren>\()|(?P<names>{_NAME_AS}(?:{_WS}*,{_WS}*{_NAME_AS})*))?"
)
_IMPORTED_MODULE = re.compile(rf"({_DOTTED})(?:{_WS}+as{_WS}+{_NAME})?")
_IMPORTED_NAME = re.compile(rf"({_NAME})(?:\s+as\s+{_NAME})?")
_PARENTHESISED = re.compile(r"(?:[^)#]+|#[^\n]*)*")
_COMMENT_TEXT = re.compile(_COMMENT)
_LAYOUT = re.compile(r"[\s\\]+")
_WORD = re.compile(r"\w+")


class ImportedModule(NamedTuple):
    """One absolute module an import statement names, where, and under what guard.

    A named tuple: a large tree has thousands, made in forked scanners and rebuilt here.
    """

    module: str
    """Dotted module as written: ``google.cloud`` for ``from google.cloud import storage``."""
    names: tuple[str, ...]
    """What ``from X import a, b`` takes (``('*',)`` for a star); empty for ``import X``."""
    line: int
    """1-based line of the ``import`` or ``from`` keyword."""
    context: ImportContext


def scan_imports(source: str, *, fast_start: bool = True) -> list[ImportedModule]:
    """Every absolute, non-``__future__`` import of the source, in order; never raises.

    ``fast_start=False`` skips the fast path for the head of the file
    (``_read_head``), which must never change the result: tests compare the two.
    """
    if "\r" in source:
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n" + source  # so that the first line, too, starts after a newline
    found: list[ImportedModule] = []
    head_end, line, previous = _read_head(text, found) if fast_start else (1, 1, -1)
    code = _CodeIndex(text, head_end)
    blocks: _EnclosingBlocks | None = None
    counted = head_end
    for word in _IMPORT_WORD.finditer(text, head_end):
        start, at_line_start = _statement_start(text, word.start())
        if start < 0 or start == previous or not code.is_code(start):
            continue
        previous = start
        statement = _parse_statement(text, start)
        if not statement:
            continue
        if start < counted:
            line, counted = 0, 0
        line += text.count("\n", counted, start)
        counted = start
        context: ImportContext = "module"
        if not at_line_start:
            # its own index: the blocks ask about headers behind the last import found
            blocks = blocks or _EnclosingBlocks(text, _CodeIndex(text, head_end), head_end)
            context = blocks.context_at(start)
        found.extend(ImportedModule(module, names, line, context) for module, names in statement)
    return found


# --- the head of a file: comments, docstrings and import lines -------------------------

_LINE_TAIL = r"[ \t\f]*(?:#[^\n]*(?<!\\))?\n"
"""The rest of a line: blanks, maybe a comment, the newline; not a backslash before it,
which ``_statement_start`` would read as joining the next line to this one."""
_STRING_LINE = rf"(?:[rRbBuUfF]{{1,2}})?(?:{_STRING}){_LINE_TAIL}"
_HEAD_FILLER = re.compile(rf"(?:{_LINE_TAIL}|{_STRING_LINE})+", re.DOTALL)
"""Blank lines, comment lines and lines of one string (a docstring), as many as follow."""
_LINE_END = re.compile(_LINE_TAIL)
_PLAIN_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
_PLAIN_STATEMENT = re.compile(
    rf"import[ \t]+(?P<module>{_PLAIN_DOTTED})[ \t]*\n"
    rf"|from[ \t]+(?P<source>{_PLAIN_DOTTED})[ \t]+import[ \t]+"
    rf"(?P<names>{_NAME}(?:[ \t]*,[ \t]*{_NAME})*)[ \t]*\n"
)
"""The commonest import lines, ``import a.b`` and ``from a.b import c, d``, read in one
match; anything else (aliases, parentheses, comments) goes through ``_head_statement``."""


def _read_head(text: str, found: list[ImportedModule]) -> tuple[int, int, int]:
    """Read the head of the file, the lines most imports are on, without ``_CodeIndex``.

    Each step takes whole lines at a line start in code: a run of blank lines, comments
    and string statements (one regular-expression match), or one import statement on
    lines of its own, parsed as the general scan would (``_statement_parts``).
    The head ends at the first line that is anything else; the general scan goes on from
    there. Returns the end of the head, the line number there, and the start of the last
    statement taken.
    """
    position, line, previous = 1, 1, -1
    while True:
        filler = _HEAD_FILLER.match(text, position)
        if filler:
            line += text.count("\n", position, filler.end())
            position = filler.end()
        plain = _PLAIN_STATEMENT.match(text, position)
        if plain is not None and plain.end() - position < _LOOK_BEHIND // 2:
            parts = _plain_parts(plain)
            if parts is not None:
                if parts:
                    found.append(ImportedModule(parts[0], parts[1], line, "module"))
                previous = position
                line += 1
                position = plain.end()
                continue
        statement, end = _head_statement(text, position)
        if statement is None:
            return position, line, previous
        found.extend(
            ImportedModule(module, names, line, "module")
            for module, names in _statement_parts(text, statement)
        )
        previous = position
        line += text.count("\n", position, end)
        position = end


def _plain_parts(plain: re.Match[str]) -> tuple[str, tuple[str, ...]] | tuple[()] | None:
    """What ``_statement_parts`` gives for a ``_PLAIN_STATEMENT``: the module and names,
    ``()`` for a statement that counts for nothing (``__future__``), None for a line with
    a keyword among its names (broken source: left to the general scan)."""
    module = plain["module"]
    names: tuple[str, ...] = ()
    if module is None:
        module = plain["source"]
        names = tuple(name.strip(" \t") for name in plain["names"].split(","))
    if any(iskeyword(name) for name in names):
        return None
    if not _is_module(module):
        return () if module == "__future__" else None
    return module, names


def _head_statement(text: str, start: int) -> tuple[re.Match[str] | None, int]:
    """The import statement at ``start`` and where it ends, past its line's newline, when
    it stands on lines of its own and holds no other ``import`` word; else ``None`` (the
    general scan will look at it)."""
    statement = _statement_match(text, start)
    if statement is None:
        return None, -1
    end = statement.end()
    if statement.re is _FROM:
        if end - start > _LOOK_BEHIND // 2:
            return None, -1  # ``_statement_start`` looks only so far back from ``import``
        if statement["paren"]:
            inside = _PARENTHESISED.match(text, end)
            if inside is None or not text.startswith(")", inside.end()):
                return None, -1
            listed = _COMMENT_TEXT.sub("", inside.group())
            if "'" in listed or '"' in listed:
                return None, -1  # the general scan would read a string here
            end = inside.end() + 1
    line_end = _LINE_END.match(text, end)
    if line_end is None or len(_IMPORT_WORD.findall(text, start, line_end.end())) != 1:
        return None, -1
    return statement, line_end.end()


def _statement_start(text: str, word: int) -> tuple[int, bool]:
    """Where the statement with the ``import`` at ``word`` starts (-1: it starts none),
    and whether that is the very start of a line (the common, top-level case).

    Only a bounded stretch before the word is read, so a line of a million ``import``
    words costs linear time, not quadratic.
    """
    window = max(0, word - _LOOK_BEHIND)
    newline = text.rfind("\n", window, word)
    if newline >= 0 and not (newline - 1 >= window and text[newline - 1] == "\\"):
        # The common case, a line of its own: only that line is looked at, not the window.
        offset, at_line_start = _start_in_line(text[newline + 1 : word], 0)
        return (newline + 1 + offset if offset >= 0 else -1), at_line_start
    before = text[window:word]
    line_start = before.rfind("\n") + 1
    if line_start > 1 and before[line_start - 2] == "\\":
        # ``from a \\<newline> import b``, unless the backslash ended a comment.
        joined = before.replace("\\\n", "  ")
        joined_start = joined.rfind("\n") + 1
        offset, at_line_start = _start_in_line(joined, joined_start)
        if offset >= 0:
            return window + offset, at_line_start and joined_start > 0
    offset, at_line_start = _start_in_line(before, line_start)
    return (window + offset if offset >= 0 else -1), at_line_start and line_start > 0


def _start_in_line(before: str, line_start: int) -> tuple[int, bool]:
    """``_statement_start`` within the text before the word, from its last line start."""
    prefix = before[line_start:]
    head = prefix.rstrip(" \t\f")
    if not head:
        return len(before), not prefix
    if head[-1] in ";:":
        return len(before), False  # ``import a; import b``, ``try: import a``
    found = len(head)
    for _ in range(3):  # ``from`` must be a word: skip it inside ``from fromage import``
        found = head.rfind("from", 0, found)
        if found < 0:
            break
        if _FROM_TAIL.fullmatch(head, found):
            before_from = head[:found].rstrip(" \t\f")
            if before_from and before_from[-1] not in ";:":
                break
            return line_start + found, found == 0
    return -1, False


def _parse_statement(text: str, start: int) -> list[tuple[str, tuple[str, ...]]]:
    """The modules and names of the import statement at ``start``; empty if none counts."""
    statement = _statement_match(text, start)
    return [] if statement is None else _statement_parts(text, statement)


def _statement_match(text: str, start: int) -> re.Match[str] | None:
    """``import ...`` or ``from ... import ...`` at ``start``, as far as it parses."""
    if text.startswith("import", start):
        return _IMPORT.match(text, start)
    if text.startswith("from", start):
        return _FROM.match(text, start)
    return None


def _statement_parts(text: str, statement: re.Match[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The modules and names of a ``_statement_match``; empty if none counts."""
    if statement.re is _IMPORT:
        modules = (_LAYOUT.sub("", m) for m in _IMPORTED_MODULE.findall(statement["body"]))
        return [(module, ()) for module in modules if _is_module(module)]
    if statement["dots"] or not statement["module"]:
        return []  # relative imports are first-party; anything else is not an import
    module = _LAYOUT.sub("", statement["module"])
    if not _is_module(module):
        return []
    if statement["star"]:
        return [(module, ("*",))]
    if statement["paren"]:
        inside = _PARENTHESISED.match(text, statement.end())  # always matches, maybe empty
        closed_at = inside.end() if inside else statement.end()
        listed = _COMMENT_TEXT.sub("", inside.group()) if inside else ""
        if not text.startswith(")", closed_at) or _has_keyword(listed):
            return [(module, ())]  # unclosed: the names are not known
        return [(module, _names(listed))]
    return [(module, _names(statement["names"] or ""))]


@functools.lru_cache(maxsize=4096)
def _is_module(module: str) -> bool:
    """False for ``__future__`` and for keywords, which only broken source puts there."""
    return module != "__future__" and not any(iskeyword(part) for part in module.split("."))


def _has_keyword(listed: str) -> bool:
    """A keyword in a name list means the ``(`` was never closed where it should be."""
    return any(iskeyword(word) for word in _WORD.findall(listed) if word != "as")


def _names(text: str) -> tuple[str, ...]:
    found = _IMPORTED_NAME.findall(text.replace("\\", " "))
    return tuple(name for name in found if not iskeyword(name))


_CODE_RUN = re.compile(
    r"""(?:[^'"#]+|#[^\n]*\n"""
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"(?!"")[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'(?!'')[^'\\\n]*(?:\\.[^'\\\n]*)*'"
    r")*",
    re.DOTALL,
)
"""Code with whole comments and closed strings in it, as far as it goes: ``_NOT_CODE``'s
tokens, but a token cut by the end of the search, or left open, stops the run before it
(a three-quote opening is never read as an empty string and a quote)."""


class _CodeIndex:
    """Which positions of a text are code: strings and comments consumed from the top,
    only as far as a question needs (imports cluster at the top of files).

    Questions asked in order of position are answered by ``_CODE_RUN``, one match from
    the last answer to the next, so the engine, not a loop here, steps over the strings
    and comments between; only a token around the position asked is looked at alone. A
    question about an earlier position goes to a ``_TokenIndex``.
    """

    def __init__(self, text: str, start: int = 0) -> None:
        self._text = text
        self._start = start
        self._frontier = start  # code starts here, and every token before it is known
        self._token_end = -1  # the end of the token at the frontier, once read
        self._tokens: _TokenIndex | None = None

    def is_code(self, position: int) -> bool:
        """True when ``position`` is neither inside a string nor inside a comment.

        Before ``start`` (the head ``_read_head`` took), nothing is code any more: what
        was code there has been read.
        """
        if position < self._start:
            return False
        if position < self._frontier:
            self._tokens = self._tokens or _TokenIndex(self._text, self._start)
            return self._tokens.is_code(position)
        while True:
            if self._token_end > position:
                return False
            if self._token_end >= 0:
                self._frontier, self._token_end = self._token_end, -1
            run = _CODE_RUN.match(self._text, self._frontier, position)  # always matches
            self._frontier = run.end() if run else self._frontier
            if self._frontier == position:
                return True
            token = _NOT_CODE.match(self._text, self._frontier)  # ``#`` or a quote is here
            self._token_end = token.end() if token else self._frontier + 1


class _TokenIndex:
    """``_CodeIndex`` token by token: each string and comment from the top, kept."""

    def __init__(self, text: str, start: int) -> None:
        self._tokens: Iterator[re.Match[str]] = _NOT_CODE.finditer(text, start)
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._done = False

    def is_code(self, position: int) -> bool:
        while not self._done and (not self._starts or self._starts[-1] < position):
            token = next(self._tokens, None)
            if token is None:
                self._done = True
            else:
                self._starts.append(token.start())
                self._ends.append(token.end())
        index = bisect_right(self._starts, position) - 1
        return index < 0 or self._ends[index] <= position


# --- the enclosing blocks of indented imports -------------------------------------------

_HEADER_KEYWORD = (
    r"a(?:sync[ \t]+(?:def|with|for))|c(?:lass|ase)|def|e(?:l(?:if|se)|xcept)|f(?:or|inally)"
    r"|if|match|try|w(?:ith|hile)"
)
_HEADER_LINE = re.compile(rf"\n([ \t\f]*)(?=[acdefimtw])({_HEADER_KEYWORD})\b")
_HEADER_TOKEN = re.compile(rf"{_COMMENT}|{_STRING}|[(\[{{]|[)\]}}]|\\\n|\n|:", re.DOTALL)
_PLAIN_HEADER_END = re.compile(r"[^\n#'\"()\[\]{}:\\]*:")
_TYPE_CHECKING = re.compile(r"\bTYPE_CHECKING\b")
_NOT_TYPE_CHECKING = re.compile(r"\bnot\s+(?:\w+\s*\.\s*)*TYPE_CHECKING\b")
_IMPORT_ERRORS = re.compile(r"\b(?:ImportError|ModuleNotFoundError|Exception|BaseException)\b")
_MAX_HEADER_CHARS = 20_000
"""A block header longer than this is not looked at (generated code, garbage)."""

_RANK: dict[ImportContext, int] = {
    "module": 0,
    "conditional": 1,
    "function": 2,
    "try": 3,
    "type-checking": 4,
}
"""When blocks nest, the strongest says what the import is: never run, optional, lazy."""
_BY_RANK: tuple[ImportContext, ...] = tuple(_RANK)


@dataclass(frozen=True)
class _Header:
    keyword: str
    start: int
    colon: int
    width: int


class _EnclosingBlocks:
    """The block headers (``def``, ``if``, ``try``...) of a text and how they nest.

    Headers are read from the top only as far as needed. The block that holds a line is
    the nearest earlier header indented less; parent links make finding it short.
    """

    def __init__(self, text: str, code: _CodeIndex, start: int = 1) -> None:
        self._text = text
        self._code = code
        # a header line starts after a newline; the head before ``start`` holds none
        self._lines: Iterator[re.Match[str]] = _HEADER_LINE.finditer(text, start - 1)
        self._done = False
        self._headers: list[_Header] = []
        self._parents: list[int] = []
        self._ranks: list[int] = []
        self._open: list[int] = []  # the headers whose blocks may still hold the next line

    def context_at(self, position: int) -> ImportContext:
        """The context of the statement starting at ``position``."""
        line_start = self._text.rfind("\n", 0, position) + 1
        line = self._text[line_start:position]
        width = _width(line[: len(line) - len(line.lstrip(" \t\f"))])
        index = self._last_header_before(position)
        if index >= 0 and self._headers[index].start >= line_start:
            # ``try: import x``: the header on the import's own line holds it.
            if self._headers[index].colon < position:
                return _BY_RANK[self._rank(index)]
            index = self._parents[index]
        while index >= 0 and self._headers[index].width >= width:
            index = self._parents[index]
        return _BY_RANK[self._rank(index)]

    def _read_until(self, position: int) -> None:
        """Read headers until one starts at or after ``position`` (or the text ends)."""
        while not self._done and (not self._headers or self._headers[-1].start < position):
            match = next(self._lines, None)
            if match is None:
                self._done = True
                return
            start = match.start(2)
            if not self._code.is_code(start):
                continue
            keyword = match[2].split()[-1]
            colon = _header_colon(self._text, match.end(2))
            if colon < 0 and keyword not in ("def", "class"):
                continue  # ``for``/``if`` of a comprehension, ``match = ...``
            header = _Header(keyword, start, max(colon, match.end(2)), _width(match[1]))
            while self._open and self._headers[self._open[-1]].width >= header.width:
                self._open.pop()
            self._parents.append(self._open[-1] if self._open else -1)
            self._ranks.append(-1)
            self._open.append(len(self._headers))
            self._headers.append(header)

    def _last_header_before(self, position: int) -> int:
        self._read_until(position)
        low, high = 0, len(self._headers)
        while low < high:
            middle = (low + high) // 2
            if self._headers[middle].start < position:
                low = middle + 1
            else:
                high = middle
        return low - 1

    def _rank(self, index: int) -> int:
        """The strongest context of the header and of the headers enclosing it."""
        chain: list[int] = []
        while index >= 0 and self._ranks[index] < 0:
            chain.append(index)
            index = self._parents[index]
        rank = self._ranks[index] if index >= 0 else 0
        for item in reversed(chain):
            rank = max(rank, _RANK[self._own_context(item)])
            self._ranks[item] = rank
        return rank

    def _own_context(self, index: int) -> ImportContext:
        header = self._headers[index]
        keyword = header.keyword
        condition = self._text[header.start + len(keyword) : header.colon]
        if keyword == "def":
            return "function"
        if keyword in ("class", "finally"):
            return "module"  # runs whenever the enclosing block runs
        if keyword in ("if", "elif") and _is_type_checking(condition):
            return "type-checking"
        if keyword == "try":
            return "try" if self._guards_imports(index) else "module"
        if keyword == "except" and _catches_import_errors(condition):
            return "try"  # the fallback import of ``except ImportError:``
        return "conditional"

    def _guards_imports(self, index: int) -> bool:
        """True when a handler of this ``try`` catches a failed import."""
        width = self._headers[index].width
        following = index + 1
        while True:
            if following >= len(self._headers):
                self._read_until(self._headers[-1].start + 1)
                if following >= len(self._headers):
                    return False
            header = self._headers[following]
            following += 1
            if header.width > width:
                continue
            if header.width < width or header.keyword != "except":
                return False
            if _catches_import_errors(self._text[header.start + 6 : header.colon]):
                return True


def _is_type_checking(condition: str) -> bool:
    """``if TYPE_CHECKING:``, ``if typing.TYPE_CHECKING:``, not ``if not TYPE_CHECKING:``."""
    return bool(_TYPE_CHECKING.search(condition)) and not _NOT_TYPE_CHECKING.search(condition)


def _catches_import_errors(condition: str) -> bool:
    return condition.strip() in ("", "*") or bool(_IMPORT_ERRORS.search(condition))


def _header_colon(text: str, start: int) -> int:
    """Where the header starting at ``start`` ends with ``:``, or -1 if it is no header."""
    plain = _PLAIN_HEADER_END.match(text, start)
    if plain:
        return plain.end() - 1
    depth = 0
    for token in _HEADER_TOKEN.finditer(text, start, start + _MAX_HEADER_CHARS):
        kind = token.group()[0]
        if kind in "([{":
            depth += 1
        elif kind in ")]}":
            depth -= 1
            if depth < 0:
                return -1
        elif depth == 0 and kind == ":":
            return token.start()
        elif depth == 0 and kind == "\n":
            return -1
    return -1


def _width(indentation: str) -> int:
    return len(indentation.expandtabs(8))
