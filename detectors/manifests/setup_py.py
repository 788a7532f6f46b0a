"""setup.py: the literal arguments of its ``setup()`` call, read with ``ast``, never run.

Running a setup.py would run arbitrary workspace code, so only what is written as
literals counts: strings, lists, dicts, names bound to them (``REQUIRES = [...]``,
``REQUIRES += [...]``, ``.append``), ``"...".splitlines()`` and ``setup(**metadata)``.
Anything computed (a function reading requirements.txt, say) is skipped without error.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeAlias

from packaging.markers import InvalidMarker, Marker

from stackskills.detectors.manifests.scopes import scope_for_extra
from stackskills.detectors.manifests.setup_cfg import (
    REQUIREMENT_KEYWORDS,
    classifier_constraint,
    python_requires_constraint,
)
from stackskills.detectors.models import DetectionError, ManifestReading, PythonConstraint, Scope
from stackskills.detectors.names import normalise
from stackskills.detectors.requirement_strings import requirement_or_error
from stackskills.detectors.source import Workspace

SETUP_MODULES = frozenset({"setuptools", "distutils.core"})
"""Modules whose ``setup`` function a setup.py calls."""


@dataclass(frozen=True)
class _Text:
    """A string literal, with the line it starts on and whether its lines are physical."""

    text: str
    line: int
    physical: bool
    """True when each newline in ``text`` is a line break in the file (a plain literal)."""

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset) if self.physical else self.line

    def pieces(self, separator: str | None) -> list[_Text]:
        """``str.split()`` (``None``) or ``splitlines`` (``'\\n'``), each piece at its line."""
        found: list[_Text] = []
        offset = 0
        parts = self.text.split() if separator is None else self.text.splitlines()
        for part in parts:
            offset = self.text.index(part, offset)
            found.append(_Text(part, self.line_at(offset), physical=False))
            offset += len(part)
        return found


@dataclass(frozen=True)
class _List:
    items: tuple[_Text, ...]


@dataclass(frozen=True)
class _Dict:
    entries: dict[str, _Value]


_Value: TypeAlias = "_Text | _List | _Dict"


def read_setup_py(workspace: Workspace, path: Path) -> ManifestReading:
    """Dependencies, extras, ``python_requires``, name and classifiers of a setup.py."""
    reading = ManifestReading()
    rel = workspace.relative(path)
    text = workspace.read_or_report(path, reading.errors)
    if text is None:
        return reading
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes etc. are not our concern
            tree = ast.parse(text, filename=rel)
        _SetupReader(rel, reading, _setup_names(tree)).module(tree)
        if not any(c.evidence.kind in ("classifier", "python_requires") for c in reading.python):
            reading.python.extend(_classifiers_in_strings(tree, rel))
    except SyntaxError as exc:
        message = f"cannot parse setup.py: {exc.msg}"
        reading.errors.append(DetectionError(file=rel, line=exc.lineno, message=message))
    except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
        reading.errors.append(DetectionError(file=rel, message=f"cannot parse setup.py: {exc}"))
    except (RecursionError, MemoryError):
        message = "cannot parse setup.py: nested too deeply"
        reading.errors.append(DetectionError(file=rel, message=message))
    _drop_repeats(reading)
    return reading


def _classifiers_in_strings(tree: ast.Module, rel: str) -> list[PythonConstraint]:
    """Python classifiers written in any string of the file, for the setup.py files that
    build their ``classifiers`` at run time (``CLASSIFIERS.split("\\n")`` in a comprehension):
    a ``Programming Language :: Python :: 3.X`` line means the same wherever it is."""
    found: list[PythonConstraint] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if "Programming Language :: Python ::" not in node.value:
            continue
        for offset, line in enumerate(node.value.split("\n")):
            constraint = classifier_constraint(line, rel, node.lineno + offset)
            if constraint is not None:
                found.append(constraint)
    return found


@dataclass(frozen=True)
class _SetupNames:
    """How this file spells ``setup``: bare names and ``module.setup`` module aliases."""

    functions: frozenset[str]
    modules: frozenset[str]

    def is_setup(self, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in self.functions
        if isinstance(func, ast.Attribute) and func.attr == "setup":
            return _dotted(func.value) in self.modules
        return False


def _setup_names(tree: ast.Module) -> _SetupNames:
    functions = {"setup"}
    modules = set(SETUP_MODULES)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in SETUP_MODULES:
            functions.update(a.asname or a.name for a in node.names if a.name == "setup")
        elif isinstance(node, ast.ImportFrom) and node.module == "distutils":
            modules.update(a.asname or a.name for a in node.names if a.name == "core")
        elif isinstance(node, ast.Import):
            modules.update(a.asname for a in node.names if a.asname and a.name in SETUP_MODULES)
    return _SetupNames(frozenset(functions), frozenset(modules))


@dataclass
class _SetupReader:
    """Walks statements in order, tracking literal bindings, and reads each setup() call."""

    rel: str
    reading: ManifestReading
    names: _SetupNames
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)

    def module(self, tree: ast.Module) -> None:
        bindings: dict[str, _Value] = {}
        self.statements(tree.body, bindings)
        while self.functions:  # setup() called from main(): module names are bound by then
            function = self.functions.pop(0)
            self.statements(function.body, dict(bindings))

    def statements(self, body: list[ast.stmt], bindings: dict[str, _Value]) -> None:
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.append(statement)
            elif isinstance(statement, ast.ClassDef):
                continue
            elif hasattr(statement, "body"):
                self.compound(statement, bindings)
            else:
                self.calls(statement, bindings)
                _bind(statement, bindings)

    def compound(self, statement: ast.stmt, bindings: dict[str, _Value]) -> None:
        """``if``/``try``/``with``/``for`` blocks: every branch, in order."""
        blocks: list[list[ast.stmt]] = [
            getattr(statement, name, None) or [] for name in ("body", "orelse", "finalbody")
        ]
        blocks += [handler.body for handler in getattr(statement, "handlers", [])]
        blocks += [case.body for case in getattr(statement, "cases", [])]
        for block in blocks:
            self.statements(block, bindings)

    def calls(self, statement: ast.stmt, bindings: dict[str, _Value]) -> None:
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and self.names.is_setup(node):
                self.setup_call(node, bindings)

    def setup_call(self, call: ast.Call, bindings: dict[str, _Value]) -> None:
        arguments: dict[str, _Value] = {}
        for keyword in call.keywords:
            value = _evaluate(keyword.value, bindings)
            if keyword.arg is not None and value is not None:
                arguments[keyword.arg] = value
            elif keyword.arg is None and isinstance(value, _Dict):
                arguments.update(value.entries)
        for key, scope in REQUIREMENT_KEYWORDS:
            if key in arguments:
                self.requirements(arguments[key], scope)
        extras = arguments.get("extras_require")
        if isinstance(extras, _Dict):
            for key, value in extras.entries.items():
                self.extra(key, value)
        self.metadata(arguments)

    def extra(self, key: str, value: _Value) -> None:
        """An ``extras_require`` entry; ``"name:marker"`` keys add a marker, ``":marker"``
        keys are conditional runtime dependencies."""
        name, _, marker_text = key.partition(":")
        scope: Scope = scope_for_extra(name) if name.strip() else "runtime"
        marker: Marker | None = None
        if marker_text.strip():
            try:
                marker = Marker(marker_text)
            except InvalidMarker:
                message = f"invalid marker in extras_require key {key!r}"
                line = _first_line(value)
                self.reading.errors.append(
                    DetectionError(file=self.rel, line=line, message=message)
                )
                return
        self.requirements(value, scope, marker)

    def requirements(self, value: _Value, scope: Scope, marker: Marker | None = None) -> None:
        for item in _requirement_items(value):
            found = requirement_or_error(item.text, scope=scope, file=self.rel, line=item.line)
            if isinstance(found, DetectionError):
                self.reading.errors.append(found)
                continue
            if marker is not None:
                combined = f"({found.marker}) and ({marker})" if found.marker else str(marker)
                found = replace(found, marker=str(Marker(combined)))
            self.reading.dependencies.append(found)

    def metadata(self, arguments: dict[str, _Value]) -> None:
        name = arguments.get("name")
        if isinstance(name, _Text) and name.text.strip():
            self.reading.project_name = normalise(name.text.strip())
        python = arguments.get("python_requires")
        if isinstance(python, _Text):
            found = python_requires_constraint(python.text.strip(), self.rel, python.line)
            if isinstance(found, DetectionError):
                self.reading.errors.append(found)
            else:
                self.reading.python.append(found)
        classifiers = arguments.get("classifiers")
        if isinstance(classifiers, _Text):
            classifiers = _List(tuple(classifiers.pieces("\n")))
        if isinstance(classifiers, _List):
            for item in classifiers.items:
                constraint = classifier_constraint(item.text, self.rel, item.line)
                if constraint is not None:
                    self.reading.python.append(constraint)


def _bind(statement: ast.stmt, bindings: dict[str, _Value]) -> None:
    """Update literal bindings for ``x = ...``, ``x += ...``, ``x.append/extend/update``."""
    if isinstance(statement, ast.Assign):
        value = _evaluate(statement.value, bindings)
        for target in statement.targets:
            _assign(target, value, bindings)
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        _assign(statement.target, _evaluate(statement.value, bindings), bindings)
    elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
        if isinstance(statement.op, ast.Add):
            name = statement.target.id
            added = _add(bindings.get(name), _evaluate(statement.value, bindings))
            _assign(statement.target, added, bindings)
        else:
            bindings.pop(statement.target.id, None)
    elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        _mutate(statement.value, bindings)


def _assign(target: ast.expr, value: _Value | None, bindings: dict[str, _Value]) -> None:
    if isinstance(target, ast.Name):
        if value is None:
            bindings.pop(target.id, None)
        else:
            bindings[target.id] = value
    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        container = bindings.get(target.value.id)
        key = _evaluate(target.slice, bindings)
        if isinstance(container, _Dict) and isinstance(key, _Text) and value is not None:
            bindings[target.value.id] = _Dict({**container.entries, key.text: value})
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:  # unpacking: the names are no longer known literals
            _assign(element, None, bindings)


def _mutate(call: ast.Call, bindings: dict[str, _Value]) -> None:
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return
    name = func.value.id
    current = bindings.get(name)
    argument = _evaluate(call.args[0], bindings) if len(call.args) == 1 else None
    if func.attr == "append" and isinstance(argument, _Text):
        argument = _List((argument,))
    if func.attr in ("append", "extend") and isinstance(current, _List):
        bindings[name] = _add(current, argument) or current
    elif func.attr == "update" and isinstance(current, _Dict) and isinstance(argument, _Dict):
        bindings[name] = _Dict({**current.entries, **argument.entries})


def _evaluate(node: ast.expr, bindings: dict[str, _Value]) -> _Value | None:
    """The literal value of an expression, or None when it is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        end = node.end_lineno or node.lineno
        physical = end - node.lineno == node.value.count("\n")
        return _Text(node.value, node.lineno, physical)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items: list[_Text] = []
        for element in node.elts:
            inner = element.value if isinstance(element, ast.Starred) else element
            value = _evaluate(inner, bindings)
            if isinstance(value, _Text):
                items.append(value)
            elif isinstance(value, _List):
                items.extend(value.items)
        return _List(tuple(items))
    if isinstance(node, ast.Dict):
        return _evaluate_dict(node, bindings)
    if isinstance(node, ast.Name):
        return bindings.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _add(_evaluate(node.left, bindings), _evaluate(node.right, bindings))
    if isinstance(node, ast.Call):
        return _evaluate_call(node, bindings)
    return None


def _evaluate_dict(node: ast.Dict, bindings: dict[str, _Value]) -> _Dict:
    entries: dict[str, _Value] = {}
    for key_node, value_node in zip(node.keys, node.values, strict=True):
        value = _evaluate(value_node, bindings)
        if key_node is None:
            if isinstance(value, _Dict):
                entries.update(value.entries)
            continue
        key = _evaluate(key_node, bindings)
        if isinstance(key, _Text) and value is not None:
            entries[key.text] = value
    return _Dict(entries)


def _evaluate_call(node: ast.Call, bindings: dict[str, _Value]) -> _Value | None:
    """``"...".split()``, ``.splitlines()``, ``.strip()``, ``dict(a=...)``, ``list(x)``."""
    func = node.func
    if isinstance(func, ast.Attribute):
        target = _evaluate(func.value, bindings)
        if not isinstance(target, _Text):
            return None
        if func.attr == "splitlines" and not node.args:
            return _List(tuple(target.pieces("\n")))
        if func.attr == "split" and not node.args:
            return _List(tuple(target.pieces(None)))
        if func.attr == "split" and _is_newline(node.args[0]):
            return _List(tuple(target.pieces("\n")))
        if func.attr == "strip" and not node.args:
            start = len(target.text) - len(target.text.lstrip())
            return _Text(target.text.strip(), target.line_at(start), target.physical)
        return None
    if isinstance(func, ast.Name) and func.id == "dict" and not node.args:
        entries: dict[str, _Value] = {}
        for keyword in node.keywords:
            value = _evaluate(keyword.value, bindings)
            if keyword.arg is not None and value is not None:
                entries[keyword.arg] = value
        return _Dict(entries)
    if isinstance(func, ast.Name) and func.id in ("list", "tuple", "sorted") and node.args:
        found = _evaluate(node.args[0], bindings)
        return found if isinstance(found, _List) else None
    return None


def _add(left: _Value | None, right: _Value | None) -> _Value | None:
    """List concatenation; a computed side is dropped, keeping what is literal."""
    if isinstance(left, _List) and isinstance(right, _List):
        return _List(left.items + right.items)
    if isinstance(left, _List) and right is None:
        return left
    if left is None and isinstance(right, _List):
        return right
    return None


def _requirement_items(value: _Value) -> list[_Text]:
    """Requirement strings of a value: list items, or the lines of one string."""
    texts = list(value.items) if isinstance(value, _List) else []
    if isinstance(value, _Text):
        texts = [value]
    items: list[_Text] = []
    for text in texts:
        for piece in text.pieces("\n") if "\n" in text.text else [text]:
            stripped = piece.text.split(" #", 1)[0].strip()
            if stripped and not stripped.startswith("#"):
                items.append(_Text(stripped, piece.line, physical=False))
    return items


def _first_line(value: _Value) -> int | None:
    if isinstance(value, _Text):
        return value.line
    if isinstance(value, _List) and value.items:
        return value.items[0].line
    return None


def _is_newline(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == "\n"


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _drop_repeats(reading: ManifestReading) -> None:
    """A setup() written twice (try/except fallbacks) must not declare everything twice."""
    reading.dependencies = list(dict.fromkeys(reading.dependencies))
    reading.python = list(dict.fromkeys(reading.python))
    reading.errors = list(dict.fromkeys(reading.errors))
