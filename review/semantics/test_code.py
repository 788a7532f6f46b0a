"""Whether code is a test: rules about application code stay out of test suites, where a
stub that raises ``Exception("boom")`` or swallows every error is often the point.

A file is test code by pytest's and unittest's naming conventions (``test_*.py``,
``*_test.py``, ``tests.py``, ``conftest.py``, or a ``tests``/``test``/``test_utils`` folder);
a node is test code when it sits in such a file, in a ``test*`` function, in a test class
(``Test*`` or a ``...TestCase`` subclass) or in a pytest fixture.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from stackskills.review.context import NodeContext

TEST_FOLDERS = frozenset({"tests", "test", "test_utils", "testutils"})
_TEST_FILE = re.compile(r"^(test_.*|.*_tests?|tests?|conftest)\.py$")
FIXTURE_DECORATORS = frozenset({"fixture", "yield_fixture"})
_TEST_NAME = re.compile(r"^test(?:_|[A-Z0-9]|$)")
"""``test_x``/``testX``/``test``, not ``testimonials``."""
_TEST_CLASS = re.compile(r"^Test(?:_|[A-Z0-9]|$)")


@lru_cache(maxsize=256)
def is_test_path(filename: str) -> bool:
    """True for a file pytest or unittest would collect, or one kept in a test folder."""
    parts = re.split(r"[\\/]", filename)
    if _TEST_FILE.match(parts[-1]):
        return True
    # only the two nearest folders: ``tests/utils.py``, ``tests/unit/helpers.py``, but not a
    # checkout that happens to live under some ``/tests/`` directory
    return any(part in TEST_FOLDERS for part in parts[-3:-1])


def is_test_function(node: ast.AST, owner: ast.AST | None = None) -> bool:
    """A ``test_*`` function (or a method of a test class: ``owner`` is the node holding the
    function), or a pytest fixture (``@pytest.fixture``, ``@pytest_asyncio.fixture``)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if any(_decorator_name(decorator) in FIXTURE_DECORATORS for decorator in node.decorator_list):
        return True
    if not _TEST_NAME.match(node.name):
        return False
    return not isinstance(owner, ast.ClassDef) or is_test_class(owner)


def is_test_class(node: ast.ClassDef) -> bool:
    """``class TestX`` (pytest) or a subclass of some ``...TestCase`` (unittest, Django)."""
    if _TEST_CLASS.match(node.name):
        return True
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name.endswith(("TestCase", "TestBase")):
            return True
    return False


def _decorator_name(decorator: ast.expr) -> str | None:
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    if isinstance(decorator, ast.Name):
        return decorator.id
    return None


def in_test_code(context: NodeContext) -> bool:
    """True when the node being checked is test code (see the module docstring)."""
    if is_test_path(context.file.filename):
        return True
    owner: ast.AST | None = None
    for node in context.ancestors:
        if is_test_function(node, owner):
            return True
        if isinstance(node, ast.ClassDef) and is_test_class(node):
            return True
        owner = node
    return False
