"""The regex import scanner: what it finds, what it must ignore, and that it never stalls."""

from __future__ import annotations

import ast
import random
import time
from pathlib import Path
from textwrap import dedent

import pytest

from stackskills.detectors.imports import ImportedModule, scan_imports


def _found(source: str) -> list[tuple[str, tuple[str, ...], int, str]]:
    return [(i.module, i.names, i.line, i.context) for i in scan_imports(dedent(source))]


def _by_ast(source: str) -> list[tuple[str, tuple[str, ...], int]]:
    """The reference: what ``ast`` says the absolute, non-future imports are."""
    found: list[tuple[str, tuple[str, ...], int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(a.name, (), node.lineno) for a in node.names if a.name != "__future__"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
            found.append((node.module or "", tuple(a.name for a in node.names), node.lineno))
    return sorted(found)


def _modules_names_lines(source: str) -> list[tuple[str, tuple[str, ...], int]]:
    return sorted((i.module, i.names, i.line) for i in scan_imports(source))


# --- statement forms -----------------------------------------------------------------


def test_plain_import_gives_one_record_per_module_with_its_line() -> None:
    assert scan_imports("import os\nimport django\n") == [
        ImportedModule(module="os", names=(), line=1, context="module"),
        ImportedModule(module="django", names=(), line=2, context="module"),
    ]


def test_import_list_with_aliases_gives_each_dotted_module() -> None:
    assert _found("import a.b as c, d, e.f.g as h\n") == [
        ("a.b", (), 1, "module"),
        ("d", (), 1, "module"),
        ("e.f.g", (), 1, "module"),
    ]


def test_from_import_keeps_module_and_imported_names_not_aliases() -> None:
    assert _found("from google.cloud import storage as gcs, bigquery\n") == [
        ("google.cloud", ("storage", "bigquery"), 1, "module")
    ]


def test_from_import_star_names_the_star() -> None:
    assert _found("from django.db.models import *\n") == [("django.db.models", ("*",), 1, "module")]


def test_parenthesised_names_span_lines_and_skip_comments() -> None:
    source = """\
        from rest_framework.views import (  # the API views
            APIView,
            # GenericAPIView,  (disabled)
            exception_handler as handler,
        )
        import json
        """
    assert _found(source) == [
        ("rest_framework.views", ("APIView", "exception_handler"), 1, "module"),
        ("json", (), 6, "module"),
    ]


def test_backslash_continuations_join_the_statement() -> None:
    source = "import os, \\\n    sys\nfrom celery \\\n    import Celery, \\\n        shared_task\n"
    assert _found(source) == [
        ("os", (), 1, "module"),
        ("sys", (), 1, "module"),
        ("celery", ("Celery", "shared_task"), 3, "module"),
    ]


def test_spaces_around_dots_are_dropped_from_the_module() -> None:
    assert _found("import a . b\nfrom c .d import e\n") == [
        ("a.b", (), 1, "module"),
        ("c.d", ("e",), 2, "module"),
    ]


def test_relative_and_future_imports_are_not_reported() -> None:
    source = """\
        from __future__ import annotations
        from . import views
        from .models import User
        from ..utils.text import slugify
        from ...core import settings
        import __future__
        import requests
        """
    assert _found(source) == [("requests", (), 7, "module")]


def test_statements_after_semicolons_are_found() -> None:
    assert _found("import os; import sys;import re\nx = 1; from flask import Flask\n") == [
        ("os", (), 1, "module"),
        ("sys", (), 1, "module"),
        ("re", (), 1, "module"),
        ("flask", ("Flask",), 2, "module"),
    ]


def test_names_that_merely_contain_import_or_from_are_not_statements() -> None:
    source = """\
        import importlib
        importlib.import_module("plugins")
        from_address = "x"
        reimport = 1
        from fromage import cheese
        from x.from_here import importer
        """
    assert _found(source) == [
        ("importlib", (), 1, "module"),
        ("fromage", ("cheese",), 5, "module"),
        ("x.from_here", ("importer",), 6, "module"),
    ]


def test_non_ascii_module_names_are_kept() -> None:
    assert _found("import café\nfrom π.ω import λ\n") == [
        ("café", (), 1, "module"),
        ("π.ω", ("λ",), 2, "module"),
    ]


# --- strings and comments ----------------------------------------------------------------


def test_import_lines_inside_a_docstring_do_not_count() -> None:
    source = '''\
        """Usage:

        import os
        from secret import key
        """
        import real
        def f():
            \'\'\'
            import inner_doc
            \'\'\'
            import inner_code
        '''
    assert _found(source) == [("real", (), 6, "module"), ("inner_code", (), 11, "function")]


def test_imports_in_every_kind_of_string_and_in_comments_are_ignored() -> None:
    source = dedent(
        '''\
        a = "import os"
        b = 'from x import y'
        c = f"""
        import fstring_module {a}
        """
        d = rb\'\'\'
        import bytes_module
        \'\'\'
        e = R"from raw import z"
        f = "line one \\
        import continued_string"
        # import commented
        #from commented import x
        g = 1  # ; import after_comment
        h = "a;" ; import after_string
        '''
    )
    assert _found(source) == [("after_string", (), 15, "module")]


def test_quotes_inside_strings_and_comments_do_not_open_strings() -> None:
    source = "\n".join(
        [
            "x = \"'''\"  # a lone triple quote inside a string",
            "# a comment with ''' or \"\"\" opens nothing",
            "y = '\\'\"\"\"'",
            "import still_code",
        ]
    )
    assert _found(source) == [("still_code", (), 4, "module")]
    assert _modules_names_lines(source) == _by_ast(source)


def test_escaped_quotes_do_not_end_a_triple_quoted_string() -> None:
    source = '''\
        s = """ends later \\""" still inside
        import not_code
        """
        import code_again
        '''
    assert _found(source) == [("code_again", (), 4, "module")]


def test_quote_pairs_inside_a_triple_quoted_string_do_not_close_it() -> None:
    source = 's = """say ""hi"" here\nimport inside\n"""\nimport after\n'
    assert _found(source) == [("after", (), 4, "module")]
    assert _modules_names_lines(source) == _by_ast(source)


# --- contexts --------------------------------------------------------------------------


def test_type_checking_blocks_give_type_checking() -> None:
    source = """\
        import typing
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from django.http import HttpRequest
        if typing.TYPE_CHECKING:
            import pandas
        else:
            pandas = None
        if not TYPE_CHECKING:
            import runtime_only
        """
    assert _found(source) == [
        ("typing", (), 1, "module"),
        ("typing", ("TYPE_CHECKING",), 2, "module"),
        ("django.http", ("HttpRequest",), 4, "type-checking"),
        ("pandas", (), 6, "type-checking"),
        ("runtime_only", (), 10, "conditional"),
    ]


def test_imports_guarded_by_import_error_handlers_give_try() -> None:
    source = """\
        try:
            import ujson as json
        except ImportError:
            import json
        try:
            import orjson
        except (ModuleNotFoundError, AttributeError):
            orjson = None
        try:
            import yaml
        except Exception:
            yaml = None
        try:
            import toml
        except:
            toml = None
        """
    assert _found(source) == [
        ("ujson", (), 2, "try"),
        ("json", (), 4, "try"),
        ("orjson", (), 6, "try"),
        ("yaml", (), 10, "try"),
        ("toml", (), 14, "try"),
    ]


def test_try_without_an_import_error_handler_is_not_an_optional_import() -> None:
    source = """\
        try:
            import settings_local
        except KeyError:
            import fallback
        finally:
            import cleanup
        try:
            import in_try_finally
        finally:
            pass
        """
    assert _found(source) == [
        ("settings_local", (), 2, "module"),
        ("fallback", (), 4, "conditional"),
        ("cleanup", (), 6, "module"),
        ("in_try_finally", (), 8, "module"),
    ]


def test_handlers_after_a_long_try_body_with_nested_blocks_are_found() -> None:
    source = """\
        try:
            import numpy
            if numpy.__version__ > "2":
                x = 1
            def helper():
                return 2
        except ImportError:
            numpy = None
        """
    assert _found(source) == [("numpy", (), 2, "try")]


def test_function_and_method_bodies_give_function() -> None:
    source = """\
        def view(request):
            from django.shortcuts import render
            return render(request)

        async def handler():
            import httpx

        class Service:
            import logging

            def run(self):
                import celery
        """
    assert _found(source) == [
        ("django.shortcuts", ("render",), 2, "function"),
        ("httpx", (), 6, "function"),
        ("logging", (), 9, "module"),
        ("celery", (), 12, "function"),
    ]


def test_other_blocks_at_module_level_give_conditional() -> None:
    source = """\
        import sys
        if sys.version_info >= (3, 11):
            import tomllib
        else:
            import tomli as tomllib
        for name in ("a", "b"):
            import string
        with open("f") as handle:
            import csv
        while False:
            import queue
        """
    assert _found(source) == [
        ("sys", (), 1, "module"),
        ("tomllib", (), 3, "conditional"),
        ("tomli", (), 5, "conditional"),
        ("string", (), 7, "conditional"),
        ("csv", (), 9, "conditional"),
        ("queue", (), 11, "conditional"),
    ]


def test_nested_blocks_take_the_strongest_context() -> None:
    source = """\
        if TYPE_CHECKING:
            def hint():
                import never_at_runtime
        def lazy():
            try:
                import optional_in_function
            except ImportError:
                pass
            if True:
                import lazy_conditional
        """
    assert _found(source) == [
        ("never_at_runtime", (), 3, "type-checking"),
        ("optional_in_function", (), 6, "try"),
        ("lazy_conditional", (), 10, "function"),
    ]


def test_one_line_blocks_hold_their_import() -> None:
    source = """\
        try: import fast_json
        except ImportError: fast_json = None
        if TYPE_CHECKING: from app.models import User
        def f(): import inside
        """
    assert _found(source) == [
        ("fast_json", (), 1, "try"),
        ("app.models", ("User",), 3, "type-checking"),
        ("inside", (), 4, "function"),
    ]


def test_multi_line_headers_and_comprehension_lines_are_read_right() -> None:
    source = """\
        def build(
            name: str,
            options: dict[str, int] | None = None,
        ) -> None:
            values = [
                item
                for item in options
                if item
            ]
            import inside_function
        class Config(
            Base,
        ):
            import in_class_body
        """
    assert _found(source) == [
        ("inside_function", (), 10, "function"),
        ("in_class_body", (), 14, "module"),
    ]


def test_headers_inside_strings_do_not_open_blocks() -> None:
    source = '''\
        class Holder:
            doc = """
        def not_a_function():
            """
            import in_class
        '''
    assert _found(source) == [("in_class", (), 5, "module")]


def test_tab_indented_blocks_are_followed() -> None:
    source = "def f():\n\tif x:\n\t\timport deep\n\timport shallow\n"
    assert _found(source) == [("deep", (), 3, "function"), ("shallow", (), 4, "function")]


# --- line endings and broken source --------------------------------------------------


def test_windows_and_old_mac_line_endings_keep_line_numbers() -> None:
    assert _found("import a\r\n\r\nimport b\r\n") == [
        ("a", (), 1, "module"),
        ("b", (), 3, "module"),
    ]
    assert _found("import a\rimport b\r") == [("a", (), 1, "module"), ("b", (), 2, "module")]


def test_source_with_syntax_errors_is_scanned_as_far_as_it_makes_sense() -> None:
    source = """\
        import ok
        def broken(:
            import inside_broken
        from x import
        from y import (a, b
        import (bad)
        import if
        from . import
        x = = 1
        import last
        """
    assert _found(source) == [
        ("ok", (), 1, "module"),
        ("inside_broken", (), 3, "function"),
        ("x", (), 4, "module"),
        ("y", (), 5, "module"),
        ("last", (), 10, "module"),
    ]


def test_unterminated_strings_end_at_their_line_or_at_the_end() -> None:
    assert _found("x = 'open\nimport after_single\n") == [("after_single", (), 2, "module")]
    assert _found('x = """open\nimport never_closed\n') == []


def test_empty_and_import_free_sources_give_nothing() -> None:
    assert scan_imports("") == []
    assert scan_imports("\n\n   \n") == []
    assert scan_imports("print('hello')\n") == []


# --- realistic code, checked against ast ---------------------------------------------

_REALISTIC = [
    '''\
"""Django settings for the shop project.

import os  <- only in the docstring
"""
from __future__ import annotations

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

env = environ.Env(DEBUG=(bool, False))
BASE_DIR = Path(__file__).resolve().parent.parent

INSTALLED_APPS = [
    "django.contrib.admin",
    "rest_framework",
    "corsheaders",
]

try:
    from .local import *  # noqa: F403
except ImportError:
    pass

if env("SENTRY_DSN", default=""):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(dsn=env("SENTRY_DSN"), integrations=[DjangoIntegration()])
''',
    """\
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, HTTPException, \\
    status
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import (
    AsyncSession,  # session type
    async_sessionmaker,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

app = FastAPI(title="orders")


class Order(BaseModel):
    id: int
    note: str = Field(default="import nothing; from x import y")


@app.get("/orders/{order_id}")
async def read_order(order_id: int, session: Annotated[AsyncSession, Depends()]) -> Order:
    from app.repository import load_order  # lazy to avoid a cycle

    order = await load_order(session, order_id)
    if order is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return order
""",
    """\
#!/usr/bin/env python
# -*- coding: utf-8 -*-
import argparse, logging
import numpy as np; import pandas as pd
from matplotlib import pyplot as plt

try:
    import torch
except ModuleNotFoundError:  # CPU-only machines
    torch = None


def main() -> None:
    parser = argparse.ArgumentParser(description=\"\"\"Plot things.
    from here import nothing\"\"\")
    args = parser.parse_args()
    frame = pd.DataFrame({"a": [1, 2]})
    if args:
        from sklearn.linear_model import LinearRegression
        import scipy.stats as stats
    plt.plot(frame["a"])


if __name__ == "__main__":
    main()
""",
]


@pytest.mark.parametrize("source", _REALISTIC, ids=["django-settings", "fastapi-app", "script"])
def test_realistic_modules_match_what_ast_finds(source: str) -> None:
    assert _modules_names_lines(source) == _by_ast(source)


def test_realistic_contexts_are_the_expected_ones() -> None:
    contexts = {i.module: i.context for i in scan_imports(_REALISTIC[0] + _REALISTIC[2])}
    assert contexts["sentry_sdk"] == "conditional"
    assert contexts["torch"] == "try"
    assert contexts["sklearn.linear_model"] == "function"
    assert contexts["environ"] == "module"


# --- adversarial input: never raise, never stall ------------------------------------

_ADVERSARIAL = {
    "100k double quotes": '"' * 100_000,
    "100k single quotes": "'" * 100_000,
    "unterminated triple quotes": '"""' + "\nimport x" * 50_000,
    "1 MB of open brackets": "(" * 1_000_000 + "\nimport after_brackets\n",
    "1 MB of open brackets in a header": "def f(" + "(" * 1_000_000 + "\n    import x\n",
    "unclosed name list": "from x import (" + "a, " * 200_000,
    "unclosed name list of comments": "from x import (\n" + "# c ) \n" * 100_000,
    "endless dotted name": "from " + "a." * 300_000 + "a",
    "endless relative dots": "from " + ". " * 300_000,
    "import then blanks": "import" + " " * 500_000,
    "import word flood": "import " * 200_000,
    "from import flood": "from a import b as c, " * 100_000,
    "separator flood": "; " * 300_000 + "import x",
    "backslash lines": "\\\n" * 200_000 + "import x",
    "backslash quote pairs": "'\\" * 300_000,
    "deep indentation": "".join(f"{' ' * i}if x:\n" for i in range(2_000))
    + " " * 2_000
    + "import x",
    "many indented imports": "".join(f"{' ' * (i % 40)}import m{i}\n" for i in range(20_000)),
}


@pytest.mark.parametrize("source", list(_ADVERSARIAL.values()), ids=list(_ADVERSARIAL))
def test_adversarial_input_is_scanned_in_bounded_time(source: str) -> None:
    started = time.perf_counter()
    found = scan_imports(source)
    assert isinstance(found, list)
    assert time.perf_counter() - started < 5.0


def test_adversarial_results_are_still_sensible() -> None:
    assert _found("(" * 100_000 + "\nimport after_brackets\n") == [
        ("after_brackets", (), 2, "module")
    ]
    assert _found("import " * 1_000) == []
    # 100_002 quotes are empty strings; 100_001 leave a triple-quoted string open.
    assert _found('"' * 100_002 + "\nimport x\n") == [("x", (), 2, "module")]
    assert _found('"' * 100_001 + "\nimport x\n") == []
    assert _found("from x import (" + "a, " * 1_000) == [("x", (), 1, "module")]


def test_random_python_like_garbage_never_raises() -> None:
    pieces = [
        "import ", "from ", " as ", ".", ",", "(", ")", "[", "]", "{", "}", ":", ";", "#",
        "'", '"', '"""', "'''", "\\", "\\\n", "\n", "    ", "\t", "if ", "try:", "except ",
        "def ", "class ", "x", "os", "TYPE_CHECKING", "ImportError", "f'", "rb'", "é",
    ]  # fmt: skip
    generator = random.Random(20240611)
    for _ in range(300):
        source = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 400)))
        for item in scan_imports(source):
            assert item.line >= 1
            assert item.module and not item.module.startswith(".")
            assert item.context in ("module", "function", "try", "type-checking", "conditional")


# --- the fast path for the head of a file ----------------------------------------------
# ``scan_imports`` reads the comments, docstrings and import lines at the top of a file
# with a few large regular-expression matches, then hands over to the general scan. The
# fast path must never change a result: each source is scanned both ways.

_HEAD_EDGES = {
    "docstring holding import lines": '"""Module.\nimport os\nfrom x import y\n"""\nimport real\n',
    "prefixed docstrings": 'r"""raw\nimport no"""\nb"x"\nimport yes\n',
    "comment ending in a backslash": "# note: \\\nimport after_comment\nx = 1\n",
    "comment with from before a backslash": "# a; from fake \\\nimport os\n",
    "import word inside a parenthesised list": "from x import (a,\nimport os)\nimport z\n",
    "quote inside a parenthesised list": "from x import (a, 'b)\nimport z\n')\nimport w\n",
    "comment with quotes in a list": "from x import (a,  # it's\n    b)\nimport z\n",
    "two statements on a line": "import a; import b\nimport c\n",
    "statement then code": "import a, b garbage\nimport c\n",
    "comment naming an import": "import a  # import b\nimport c\n",
    "long from module": "from " + "a." * 600 + "b import c\nimport d\n",
    "backslash inside a statement": "from a \\\n    import b\nimport \\\n  c\n",
    "unterminated docstring": '"""open\nimport hidden\n',
    "unterminated one-quote string": "'open\nimport seen\n",
    "string then backslash": '"doc" \\\nimport x\nimport y\n',
    "relative and future": "from __future__ import annotations\nfrom . import a\nimport b\n",
    "star and aliases": "from x import *\nimport a.b as c, d\nfrom e import (f as g,\n h)\n",
    "no newline at the end": "import a\nimport b",
    "indented block after the head": "import a\nif x:\n    import b\ndef f():\n    import c\n",
    "type checking after the head": "import a\nif TYPE_CHECKING:\n    import b\n",
    "crlf line ends": "import a\r\nfrom b import c\r\n",
    "keywords in plain lines": "from x import import\nimport import\nfrom a.if import b\n",
    "future and tight commas": "from __future__ import annotations\nfrom a import b,c ,d\n",
    "plain line with tabs": "from\ta.b\timport\tc\t,\td\t\nimport\te\n",
    "docstring after imports": "import a\n'''import fake'''\nimport b\n",
}


def _both_ways(source: str) -> tuple[list[ImportedModule], list[ImportedModule]]:
    return scan_imports(source), scan_imports(source, fast_start=False)


@pytest.mark.parametrize("source", list(_HEAD_EDGES.values()), ids=list(_HEAD_EDGES))
def test_the_head_fast_path_gives_the_general_result(source: str) -> None:
    fast, general = _both_ways(source)
    assert fast == general


def test_the_head_fast_path_finds_what_it_should() -> None:
    assert [i.module for i in scan_imports(_HEAD_EDGES["docstring holding import lines"])] == [
        "real"
    ]
    assert _found(_HEAD_EDGES["import word inside a parenthesised list"]) == [
        ("x", (), 1, "module"),
        ("os", (), 2, "module"),
        ("z", (), 3, "module"),
    ]
    assert _found(_HEAD_EDGES["star and aliases"]) == [
        ("x", ("*",), 1, "module"),
        ("a.b", (), 2, "module"),
        ("d", (), 2, "module"),
        ("e", ("f", "h"), 3, "module"),
    ]


def test_the_head_fast_path_agrees_on_random_sources() -> None:
    lines = [
        "import os\n", "from a.b import (c,\n d)\n", '"""doc\nimport x\n"""\n', "# c\n",
        "# c \\\n", "\n", "from . import z\n", "import a as b, c\n", "x = 1\n", "if y:\n",
        "    import q\n", "try:\n", "except ImportError:\n", "'s' \\\n", "from m import *\n",
        "import \\\n", "from x import (a, 'q')\n", "def f():\n", "r'''raw'''\n", "import",
    ]  # fmt: skip
    generator = random.Random(20261126)
    for _ in range(2_000):
        source = "".join(generator.choice(lines) for _ in range(generator.randint(0, 30)))
        fast, general = _both_ways(source)
        assert fast == general, source


def test_the_head_fast_path_agrees_on_installed_packages() -> None:
    """Real code: every module of the packages installed beside the tests."""
    import mcp
    import packaging
    import pydantic

    checked = 0
    for package in (mcp, packaging, pydantic, pytest):
        root = Path(package.__file__ or "").parent
        for path in sorted(root.rglob("*.py")):
            source = path.read_text(encoding="utf-8", errors="replace")
            fast, general = _both_ways(source)
            assert fast == general, path
            checked += 1
    assert checked > 200
