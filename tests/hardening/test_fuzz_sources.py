"""Fuzzing what reads source text with Hypothesis: the import scanner, skill folders (front
matter, sections, bodies) through the loader, the validator and the catalog, and the review
engine on generated code and on mutated real code.

The properties: no exception escapes; a problem is reported as an error or a skill problem
naming the file and, when it has a line, a line the file has; results stay well-formed
(findings inside the file, imports that are dotted names). Where ``ast`` can judge, it does:
on code that parses, the scanner finds exactly the imports ``ast`` finds, at the same lines,
and a ``# noqa`` for a finding's rule on its line silences that finding.
"""

from __future__ import annotations

import ast
import keyword
import re
import sysconfig
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from stackskills.detectors.imports import scan_imports
from stackskills.review.engine import Reviewer
from stackskills.review.files import read_source
from stackskills.review.findings import ReviewResult
from stackskills.review.registry import all_rules
from stackskills.review.target import parse_python, stack_from_spec
from stackskills.skills.loader import load_skill
from stackskills.skills.markdown import parse_body
from stackskills.skills.model import SECTION_ID, SKILL_NAME
from stackskills.skills.sources import load_catalog
from stackskills.skills.validate import validate_path

from .fuzz_inputs import (
    any_text,
    file_bytes,
    fuzz,
    hard_text,
    mutated,
    requirement_text,
    universal_lines,
)

REPO = Path(__file__).resolve().parents[2]
CONTEXTS = {"module", "function", "try", "type-checking", "conditional"}
DOTTED = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
RULE_CODES = frozenset(rule.code for rule in all_rules())


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-sources")


@contextmanager
def fresh_folder(scratch: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        yield Path(folder)


def parses(code: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# --- code: generated and real ---------------------------------------------------------------

IMPORTS = [
    "import asyncio", "import requests", "import httpx", "import time", "import os.path as p",
    "from django.db import models, transaction", "from django.db.models import F, Q",
    "from fastapi import FastAPI, Depends, BackgroundTasks, HTTPException",
    "from flask import Flask, session", "from sqlalchemy import Column, Integer, select",
    "from sqlalchemy.orm import Session, relationship", "from pydantic import BaseModel, validator",
    "from typing import Optional, List, Dict, Any, Union, TYPE_CHECKING",
    "from unittest.mock import MagicMock, AsyncMock, patch", "import pytest",
    "from blog.models import Post, Author", "from . import sibling",
    "from __future__ import annotations",
    "from typing import (\n    Optional,  # comment\n    List,\n)", "import a.b.c as d, e",
]  # fmt: skip
NAMES = [
    "x", "y", "items", "request", "session", "db", "post", "self", "Post", "Author", "app",
    "client", "response", "data", "user", "task", "tasks", "url", "Model", "settings",
]  # fmt: skip
ATOMS = [
    "1", "0", "None", "True", "'s'", "f'{x}'", "[]", "{}", "Post.objects", "Post.objects.all()",
    "Post.objects.filter(a=1)", "session.query(Post)", "asyncio.gather(*tasks)",
    "requests.get(url)", "time.sleep(1)", "httpx.get(url)", "MagicMock()", "AsyncMock()",
    "select(Post).offset(10)", "Flask(__name__)", "FastAPI()", "Depends(get_db)", "os.environ",
    "post.author.name", "Optional[int]", "List[Dict[str, Any]]", "len(items)", "'''doc'''",
]  # fmt: skip
DECORATORS = [
    "@app.get('/')", "@app.post('/items')", "@app.route('/')", "@pytest.fixture",
    "@validator('x')", "@staticmethod", "@app.on_event('startup')", "@app.errorhandler(404)",
    "@transaction.atomic", "@patch('m.f')", "@pytest.mark.asyncio",
]  # fmt: skip
PARAMETERS = [
    "", "request", "self", "self, x", "db: Session = Depends(get_db)", "x: Optional[int] = None",
    "item: dict", "background_tasks: BackgroundTasks", "*args, **kwargs", "x=[]", "y: Any",
]  # fmt: skip
BASES = ["", "(BaseModel)", "(models.Model)", "(object)", "(Exception)", "(TestCase)"]


@st.composite
def expression(draw: st.DrawFn, depth: int = 0, in_async: bool = False) -> str:
    """An expression of the names and calls the rules look for, nested a few levels."""
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(ATOMS + NAMES))
    inner = draw(expression(depth + 1, in_async))
    other = draw(expression(depth + 1, in_async))
    name = draw(st.sampled_from(NAMES))
    shapes = [
        f"{inner}.{name}", f"{inner}({other})", f"{inner}({name}={other})", f"{inner}[{other}]",
        f"{inner} + {other}", f"{inner} == {other}", f"[{inner} for {name} in {other}]",
        f"lambda: {inner}", f"len({inner})", f"{inner}.exists()", f"not {inner}",
        f"{inner} if {other} else None", f"{inner}(*{other})", f"{{{name!r}: {inner}}}",
        f"{inner}.count() > 0", f"{inner}.save()", f"({inner}, {other})",
    ]  # fmt: skip
    if in_async:
        shapes += [f"await {inner}", f"await asyncio.gather(*[{inner} for {name} in {other}])"]
    return draw(st.sampled_from(shapes))


@st.composite
def block(draw: st.DrawFn, indent: str = "", depth: int = 0, in_async: bool = False) -> list[str]:
    """Statements at one indentation: simple ones, and compound ones holding a block."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        e = draw(expression(in_async=in_async))
        name = draw(st.sampled_from(NAMES))
        if depth >= 3 or draw(st.integers(0, 2)) > 0:
            simple = [
                f"{name} = {e}", f"{name} += {e}", e, f"return {e}", "pass",
                f"raise Exception({e})", f"{name}.field = {e}", f"assert {e}", "break",
                draw(st.sampled_from(IMPORTS)), f"{name}: {e} = {e}",
            ]  # fmt: skip
            lines.append(indent + draw(st.sampled_from(simple)))
            continue
        header = draw(
            st.sampled_from(
                [f"for {name} in {e}:", f"async for {name} in {e}:", f"while {e}:",
                 f"if {e}:", "if TYPE_CHECKING:", f"with {e} as {name}:", "try:",
                 f"def f_{name}({draw(st.sampled_from(PARAMETERS))}):",
                 f"async def a_{name}({draw(st.sampled_from(PARAMETERS))}):",
                 f"class C_{name}{draw(st.sampled_from(BASES))}:", f"match {e}:"]
            )
        )  # fmt: skip
        if header.startswith(("def", "async def", "class")) and draw(st.booleans()):
            lines.append(indent + draw(st.sampled_from(DECORATORS)))
        lines.append(indent + header)
        inner_async = in_async or header.startswith("async def")
        if header.startswith("def"):
            inner_async = False
        body_indent = indent + draw(st.sampled_from(["    ", "  ", "\t"]))
        if header.startswith("match"):
            lines.append(body_indent + "case 1:")
            body_indent += "    "
        lines.extend(draw(block(body_indent, depth + 1, inner_async)))
        if header == "try:":
            handler = draw(
                st.sampled_from(
                    ["except Exception:", "except ImportError:", "except:", "finally:",
                     "except (ValueError, Exception) as e:"]
                )
            )  # fmt: skip
            lines.append(indent + handler)
            lines.extend(draw(block(body_indent, depth + 1, inner_async)))
        elif header.startswith("if") and draw(st.booleans()):
            lines.append(indent + "else:")
            lines.extend(draw(block(body_indent, depth + 1, inner_async)))
    return lines


@st.composite
def generated_code(draw: st.DrawFn) -> str:
    imports = draw(st.lists(st.sampled_from(IMPORTS), max_size=5))
    lines = imports + draw(block())
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return ending.join(lines) + ending


STDLIB = Path(sysconfig.get_paths()["stdlib"])


@cache
def real_sources() -> tuple[tuple[str, str, str], ...]:
    """``(name, code, stack spec)`` of real Python: the rule fixtures (with the stack their
    header names), the examples, the built-in skill's code examples, a few stdlib modules
    and some of our own rules."""
    found: list[tuple[str, str, str]] = []
    for path in sorted((REPO / "tests/review/fixtures").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        header = re.search(r"^# stack: (.*)$", text, re.MULTILINE)
        found.append((path.name, text, header[1] if header else ""))
    found += [
        (path.name, path.read_text(encoding="utf-8"), "django==5.1")
        for path in sorted((REPO / "examples").rglob("*.py"))
    ]
    for path in sorted((REPO / "skills/python-expert/sections").glob("*.md")):
        examples = parse_body(path.read_text(encoding="utf-8")).examples
        found += [
            (f"{path.stem}-{index}.py", sample.code, ALL_FRAMEWORKS)
            for index, sample in enumerate(examples)
        ]
    found += [
        (rel, (STDLIB / rel).read_text(encoding="utf-8"), "")
        for rel in ["asyncio/tasks.py", "json/decoder.py", "contextlib.py", "textwrap.py"]
    ]
    found += [
        (path.name, path.read_text(encoding="utf-8"), "")
        for path in sorted((REPO / "review/rules").glob("*.py"))[:8]
    ]
    return tuple(found)


ALL_FRAMEWORKS = (
    "django==5.1, fastapi==0.115, flask==3.0, sqlalchemy==2.0, pydantic==2.9, httpx==0.28, "
    "pytest==8.3, pytest-asyncio==0.24, requests==2.32"
)
STACKS = [ALL_FRAMEWORKS, "fastapi==0.99.1, pydantic==1.10.13, sqlalchemy==1.4.54", ""]


@cache
def reviewer(spec: str, python: str | None) -> Reviewer:
    """One reviewer per stack, shared by the examples as the CLI shares one per run."""
    stack = stack_from_spec(spec) if spec else None
    return Reviewer(stack=stack, python=parse_python(python))


@st.composite
def mutated_real_code(draw: st.DrawFn) -> tuple[str, str, str]:
    name, code, spec = draw(st.sampled_from(real_sources()))
    return name, draw(mutated(code, max_mutations=3)), spec


# --- the import scanner --------------------------------------------------------------------

TOKENS = [
    "import", "from", " ", "  ", "\t", "\n", "\r\n", "\r", "\\\n", "(", ")", ",", ".", "..",
    "'''", '"""', "'", '"', "#", "as", "a", "b.c", "os", "django", "try:", "except ImportError:",
    "if TYPE_CHECKING:", "def f():", "class A:", ";", ":", "*", "    ", "\x0c", "__future__",
    "import x", "from y import z", "if", "else:", "async def g():", "match", "case",
]  # fmt: skip
token_soup = st.lists(st.one_of(st.sampled_from(TOKENS), hard_text), max_size=60).map("".join)


def assert_imports_well_formed(source: str) -> None:
    """Scanning never raises and gives dotted module names at lines the source has."""
    found = scan_imports(source)
    last_line = len(universal_lines(source))
    lines = [item.line for item in found]
    assert lines == sorted(lines)
    assert not lines or 1 <= lines[0] <= lines[-1] <= last_line
    for item in found:
        assert DOTTED.fullmatch(item.module), item
        assert item.module != "__future__", item
        assert not any(keyword.iskeyword(part) for part in item.module.split(".")), item
        assert all(name == "*" or name.isidentifier() for name in item.names), item
        assert item.context in CONTEXTS, item


@fuzz(100)
@given(source=st.one_of(token_soup, any_text, generated_code()))
def test_import_scan_of_any_text_never_raises_and_gives_dotted_names(source: str) -> None:
    assert_imports_well_formed(source)


def imports_by_ast(tree: ast.Module) -> list[tuple[str, int, bool]]:
    """``(module, line, at module level)`` of each absolute, non-``__future__`` import."""
    top = {id(node) for node in tree.body}
    found: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top) for alias in node.names]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module != "__future__"
        ):
            found.append((node.module, node.lineno, id(node) in top))
    return sorted(found)


@fuzz(60)
@given(
    source=st.one_of(generated_code(), mutated_real_code().map(lambda item: item[1]), token_soup)
)
def test_import_scan_finds_what_ast_finds_in_code_that_parses(source: str) -> None:
    assert_imports_well_formed(source)
    tree = parses(source)
    if tree is None:
        return
    expected = imports_by_ast(tree)
    scanned = sorted(
        (item.module, item.line, item.context == "module") for item in scan_imports(source)
    )
    assert [(m, line) for m, line, _ in scanned] == [(m, line) for m, line, _ in expected]
    for (_, _, top_by_ast), (_, _, top_by_scan) in zip(expected, scanned, strict=True):
        assert top_by_scan or not top_by_ast  # a module-level import is never "guarded"


# --- skills --------------------------------------------------------------------------------

yaml_scalars = st.one_of(
    hard_text,
    requirement_text(),
    st.sampled_from(
        ["demo", "1.0.0", "1.0", "MIT", "python>=3.8", "django>=4.2,<5", "fastapi", "python",
         "SKS101", "XX1", "tag", "Bad Tag", "demo.topic", "new", "old", "", "*"]
    ),
    st.integers(-5, 200),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)  # fmt: skip
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
SKILL_FIELDS = ["name", "description", "version", "license", "compatibility", "metadata",
                "allowed-tools", "unknown"]  # fmt: skip
SECTION_FIELDS = ["id", "title", "summary", "applies_to", "variants", "tags", "priority",
                  "rules", "extra"]  # fmt: skip
GOOD_SKILL = {"name": "demo", "description": "Demo.", "version": "1.0.0", "license": "MIT"}
GOOD_SECTION = {"id": "demo.topic", "title": "T", "summary": "S", "applies_to": ["python"]}
BODY_LINES = [
    "# Title", "```python", "```python bad", "```python good", "```", "~~~",
    "<!-- variant: new -->", "<!-- /variant -->", "- [topic](sections/demo.topic.md)",
    "[up](../../../etc/passwd)",
    "[abs](/etc/passwd)", "[web](https://example.com)", "[anchor](#x)", "x = 1", "import os",
    "def f(:", "    return 1", "",
]  # fmt: skip


@st.composite
def front_matter(draw: st.DrawFn, good: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Mostly the good fields, some replaced, dropped or added with any YAML value."""
    data = dict(good)
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(fields))
        if draw(st.integers(0, 3)) == 0:
            data.pop(key, None)
        else:
            data[key] = draw(yaml_values)
    if draw(st.booleans()):
        data["variants"] = [{"name": "new", "applies_to": ["python>=3.11"]}]
    return data


@st.composite
def markdown_file(draw: st.DrawFn, good: dict[str, Any], fields: list[str]) -> bytes:
    data = draw(front_matter(good, fields))
    front = yaml.safe_dump(
        data,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([None, True, False])),
    )
    body = draw(st.lists(st.one_of(st.sampled_from(BODY_LINES), hard_text), max_size=12))
    text = "---\n" + front + "---\n" + "\n".join(body) + "\n"
    how = draw(st.sampled_from(["as-is", "as-is", "mutated", "deep", "anchors"]))
    if how == "mutated":
        text = draw(mutated(text, max_mutations=3))
    elif how == "deep":
        depth = draw(st.integers(50, 1_500))
        text = text.replace("---\n", f"---\ntags: {'[' * depth}{']' * depth}\n", 1)
    elif how == "anchors":
        levels = [f"a0: &a0 [{', '.join(['x'] * 8)}]"]
        levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 8)}]" for i in range(1, 8)]
        text = text.replace("---\n", "---\n" + "\n".join(levels) + "\ntags: *a7\n", 1)
    return draw(file_bytes(text))


def generous_line_count(data: bytes) -> int:
    """Lines by the widest definition (``str.splitlines``, which YAML's line breaks are a
    subset of), plus the one after a final break."""
    text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", "replace")
    return max(len(text.splitlines()), len(universal_lines(text))) + 1


@fuzz(30)
@given(
    skill_md=markdown_file(GOOD_SKILL, SKILL_FIELDS),
    sections=st.dictionaries(
        st.sampled_from(["demo.topic", "demo.other", "Bad Id", "demo.topic.extra"]),
        markdown_file(GOOD_SECTION, SECTION_FIELDS),
        max_size=3,
    ),
)
def test_workspace_skills_load_and_validate_with_problems_as_values(
    scratch: Path, skill_md: bytes, sections: dict[str, bytes]
) -> None:
    with fresh_folder(scratch) as root:
        folder = root / ".stackskills" / "skills" / "demo"
        (folder / "sections").mkdir(parents=True)
        written = {"demo/SKILL.md": skill_md}
        (folder / "SKILL.md").write_bytes(skill_md)
        for stem, data in sections.items():
            (folder / "sections" / f"{stem}.md").write_bytes(data)
            written[f"demo/sections/{stem}.md"] = data
        limits = {rel: generous_line_count(data) for rel, data in written.items()}

        load = load_skill(folder, source="workspace", confined=True)
        problems = [*load.problems, *validate_path(folder)]
        catalog = load_catalog(workspace=root, built_in=False)
        problems += catalog.problems
        for problem in problems:
            shown = problem.file.replace("\\", "/")
            matches = [rel for rel in limits if shown.endswith(rel)]
            assert matches or shown.endswith(("demo", "sections")), problem
            assert problem.message.strip(), problem
            if problem.line is not None and matches:
                assert 1 <= problem.line <= limits[matches[0]], problem
        for skill in [load.skill, *catalog.skills]:
            if skill is None:
                continue
            assert SKILL_NAME.fullmatch(skill.name)
            ids = [section.id for section in skill.sections]
            assert len(ids) == len(set(ids))
            assert all(SECTION_ID.fullmatch(section_id) for section_id in ids)
            assert all(section.body_line >= 1 for section in skill.sections)


# --- the review engine ---------------------------------------------------------------------


def assert_review_well_formed(result: ReviewResult, code: str, filename: str) -> None:
    last_line = len(universal_lines(code))
    for finding in result.findings:
        assert finding.file == filename, finding
        assert 1 <= finding.line <= finding.end_line <= last_line, finding
        assert finding.column >= 1 and finding.end_column >= 1, finding
        assert finding.rule in RULE_CODES, finding
        assert finding.section and finding.message and finding.severity, finding
    keys = [(f.line, f.column, f.rule) for f in result.findings]
    assert keys == sorted(keys)
    for error in result.errors:
        assert error.file == filename, error
        assert error.line is None or 1 <= error.line <= last_line, error
    assert re.fullmatch(r"\d+\.\d+", result.python)


def assert_noqa_silences_the_first_finding(review: Reviewer, code: str, result: Any) -> None:
    """A ``# noqa: CODE`` at the end of a finding's line removes that finding, whatever the
    lines before hold (form feeds, ``\\x85``, U+2028 are not line ends to Python).

    Only checked when the comment leaves the syntax tree as it was (the line does not end
    inside a string or after a backslash)."""
    if not result.findings:
        return
    first = result.findings[0]
    lines = universal_lines(code)
    lines[first.line - 1] += f"  # noqa: {first.rule}"
    silenced = "\n".join(lines)
    before, after = parses(code), parses(silenced)
    if before is None or after is None or ast.dump(before) != ast.dump(after):
        return
    again = review.review_source(silenced, "fuzzed.py")
    assert not [
        f for f in again.findings if f.rule == first.rule and first.line in (f.line, f.end_line)
    ], first


@fuzz(45)
@given(
    code=generated_code(),
    spec=st.sampled_from(STACKS),
    python=st.sampled_from([None, "3.8", "3.12"]),
)
def test_review_of_generated_code_never_raises_and_stays_inside_the_file(
    code: str, spec: str, python: str | None
) -> None:
    shared = reviewer(spec, python)
    result = shared.review_source(code, "fuzzed.py")
    assert_review_well_formed(result, code, "fuzzed.py")
    alone = Reviewer(stack=shared.stack, python=shared.python).review_source(code, "fuzzed.py")
    assert alone == result  # what the shared reviewer caches changes nothing
    assert_noqa_silences_the_first_finding(shared, code, result)


@fuzz(100)
@given(source=mutated_real_code(), python=st.sampled_from([None, "3.9", "3.13"]))
@example(
    source=("form-feed.py", "import requests\n\x0c\nasync def f():\n    requests.get(u)\n", ""),
    python=None,
)
def test_review_of_mutated_real_code_never_raises_and_noqa_finds_its_line(
    source: tuple[str, str, str], python: str | None
) -> None:
    _, code, spec = source
    shared = reviewer(spec, python)
    result = shared.review_source(code, "fuzzed.py")
    assert_review_well_formed(result, code, "fuzzed.py")
    assert_noqa_silences_the_first_finding(shared, code, result)


@fuzz(30)
@given(source=mutated_real_code(), data=st.data())
def test_review_of_damaged_files_on_disk_reports_what_cannot_be_read(
    scratch: Path, source: tuple[str, str, str], data: st.DataObject
) -> None:
    _, code, spec = source
    raw = data.draw(file_bytes(code))
    with fresh_folder(scratch) as folder:
        path = folder / "module.py"
        path.write_bytes(raw)
        text = read_source(path, "module.py")
    if not isinstance(text, str):
        assert text.file == "module.py"
        assert text.line is None or 1 <= text.line <= raw.count(b"\n") + 1, text
        return
    result = reviewer(spec, None).review_source(text, "module.py")
    assert_review_well_formed(result, text, "module.py")
