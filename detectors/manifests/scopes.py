"""Which scope a group, extra or requirements file name implies.

Extras are ``optional`` unless their name says they are for development (``test``,
``lint``, ``docs``...); dependency groups and dev sections are ``dev``; everything a
project needs to run is ``runtime``.
"""

from __future__ import annotations

import re

from stackskills.detectors.models import Scope

DEV_WORDS = frozenset(
    {
        "dev", "devel", "develop", "development", "test", "tests", "testing", "lint",
        "linting", "linters", "lint-requirements", "docs", "doc", "documentation", "ci",
        "tox", "nox", "typing", "types", "mypy", "style", "qa", "check", "checks", "local",
        "debug", "bench", "benchmark", "benchmarks", "format", "formatting", "pre-commit",
        "precommit", "coverage", "cov", "unit", "integration", "e2e", "functional", "build",
        "release", "tools", "tooling", "sphinx", "mkdocs", "fmt", "pytest", "static",
    }
)  # fmt: skip
RUNTIME_WORDS = frozenset(
    {
        "prod", "production", "base", "common", "main", "core", "runtime", "default",
        "deploy", "deployment", "install", "requirements", "reqs", "app", "server", "web",
    }
)  # fmt: skip


def words(name: str) -> list[str]:
    """Lower-case words of a name split on ``-``, ``_``, ``.`` and ``/``."""
    return [w for w in re.split(r"[-_./\\\s]+", name.lower()) if w]


def scope_for_extra(name: str) -> Scope:
    """An extra (``[project.optional-dependencies]`` key): dev if its name says so."""
    return "dev" if _is_dev(name) else "optional"


def scope_for_group(name: str) -> Scope:
    """A dependency group (PEP 735, Poetry, PDM): runtime for ``main``, dev when its name
    says so (``dev``, ``test``, ``lint``...), else an optional feature (``ldap``, ``all_ds``)."""
    if name.lower() in {"main", "default"}:
        return "runtime"
    return "dev" if _is_dev(name) else "optional"


def scope_for_requirements_file(relative_path: str) -> Scope:
    """A requirements file by its path: ``requirements/dev.txt``, ``docs/requirements.txt``..."""
    parts = words(relative_path.rsplit(".", 1)[0])
    if any(w in DEV_WORDS for w in parts):
        return "dev"
    if any(w in {"optional", "extra", "extras"} for w in parts):
        return "optional"
    return "runtime"


def _is_dev(name: str) -> bool:
    return any(w in DEV_WORDS for w in words(name))
