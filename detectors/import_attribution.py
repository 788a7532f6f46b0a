"""Which distribution an import belongs to, and which imports are the workspace's own.

Declared distributions are matched first (``import corsheaders`` is the declared
``django-cors-headers``), then what a workspace venv has installed, then the maintained
import-name table; first-party modules are never dependencies.
"""

from __future__ import annotations

from collections.abc import Iterable

from stackskills.detectors.import_names import (
    distribution_for_import,
    import_names_for_distribution,
    is_stdlib,
    parent_modules,
    table_parent_modules,
)

DIST_PREFIXES = ("django_", "python_", "py_")
DIST_SUFFIXES = ("_binary", "_python", "_py", "_sdk", "_client", "_lib", "_api", "_bin")
STANDALONE_IMPORTS = frozenset(
    {"redis", "celery", "sqlalchemy", "requests", "rq", "pytest", "jinja2", "yaml", "ldap",
     "mysql", "pymysql", "psycopg", "graphene", "elasticsearch", "sentry", "grpc", "json"}
)  # fmt: skip
"""Guesses that are distributions of their own: ``django-redis`` does not provide ``redis``."""


def guessed_import_names(distribution: str) -> set[str]:
    """Likely import names of a declared distribution whose name has a common affix:
    ``django-modelcluster`` -> ``modelcluster``, ``psycopg2-binary`` -> ``psycopg2``."""
    base = distribution.replace("-", "_")
    guesses = {base[len(p) :] for p in DIST_PREFIXES if base.startswith(p)}
    guesses |= {base[: -len(s)] for s in DIST_SUFFIXES if base.endswith(s)}
    return {
        g for g in guesses if g.isidentifier() and not is_stdlib(g) and g not in STANDALONE_IMPORTS
    }


def known_import_names(declared: Iterable[str], installed: dict[str, str]) -> dict[str, str]:
    """Import name -> distribution for what the workspace declares or has installed.

    Exact names come first; guesses from name affixes only fill gaps, so an import is
    tied to a declared distribution rather than reported as an undeclared one.
    """
    known: dict[str, str] = {}
    declared = list(declared)
    for distribution in declared:
        for name in import_names_for_distribution(distribution):
            known.setdefault(name, distribution)
    known.update(installed)
    for distribution in declared:
        for name in guessed_import_names(distribution):
            known.setdefault(name, distribution)
    return known


class ImportMapper:
    """Import -> distribution, memoised: a large tree imports the same modules thousands
    of times."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.memo: dict[str, str | None] = {}
        self.statements: dict[tuple[str, tuple[str, ...]], str | None] = {}
        self.parents = table_parent_modules() | parent_modules(known)
        """Only below these can ``from module import name`` name another distribution."""

    def module(self, module: str) -> str | None:
        if module not in self.memo:
            self.memo[module] = distribution_for_import(module, self.known)
        return self.memo[module]

    def statement(self, module: str, names: tuple[str, ...]) -> str | None:
        """``from ns import sub`` may name a distribution of its own (``google.cloud``)."""
        key = (module, names)
        if key not in self.statements:
            self.statements[key] = self._statement(module, names)
        return self.statements[key]

    def _statement(self, module: str, names: tuple[str, ...]) -> str | None:
        base = self.module(module)
        if module not in self.parents:
            return base
        for name in names:
            found = self.module(f"{module}.{name}")
            if found and found != base:
                return found
        return base


class FirstParty:
    """Which import names are the workspace's own modules.

    A folder with Python code anywhere is importable as a package by its name (apps
    folders get put on ``sys.path``); a lone module only where Python would find it: at a
    source root (the root, ``src/``, a project folder, a folder with ``manage.py``) or
    beside a script in a folder that is not a package. ``hc/lib/statsd.py`` does not make
    ``import statsd`` first-party.
    """

    def __init__(
        self,
        *,
        package_names: set[str],
        modules_by_dir: dict[str, set[str]],
        project_dirs: set[str],
    ) -> None:
        self.packages = package_names
        self.modules_by_dir = modules_by_dir
        roots = {"."} | project_dirs
        roots |= {f"{r}/src" if r != "." else "src" for r in roots}
        roots |= {d for d, stems in modules_by_dir.items() if "manage" in stems}
        self.root_modules: set[str] = set()
        for root in roots:
            self.root_modules |= modules_by_dir.get("" if root == "." else root, set())

    def has(self, top: str, rel: str) -> bool:
        if top in self.packages or top in self.root_modules:
            return True
        folder, _, name = rel.rpartition("/")
        siblings = self.modules_by_dir.get(folder, set())
        return "__init__" not in siblings and top in siblings and top != name[:-3]
