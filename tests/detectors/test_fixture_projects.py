"""One realistic project per manifest dialect, detected end to end from real files.

Each expectation was checked by hand against the fixture files: the line numbers point
at the text that declares, locks or imports the distribution.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stackskills.detectors.detect import detect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"

Row = tuple[str, str | None, str | None, str, str, int | None]
"""name, version, specifier, scope, first evidence file, first evidence line."""

EXPECTED: dict[str, tuple[str, list[tuple[str, int, str]], list[Row]]] = {
    "django_requirements": (
        "3.11",
        [("runtime.txt", 1, "runtime.txt")],
        [
            ("celery", None, ">=5.3", "runtime", "requirements/base.txt", 6),
            ("django", "4.2.16", "==4.2.16,>=4.2,<5.0", "runtime", "requirements/base.txt", 2),
            ("djangorestframework", "3.15.2", "==3.15.2", "runtime", "requirements/base.txt", 3),
            ("gunicorn", "23.0.0", "==23.0.0", "runtime", "requirements.txt", 3),
            ("psycopg2-binary", "2.9.9", "==2.9.9", "runtime", "requirements/base.txt", 4),
            ("sentry-sdk", None, None, "runtime", "config/settings.py", 1),
            ("factory-boy", None, None, "dev", "requirements/dev.txt", 4),
            ("pytest", "8.3.3", "==8.3.3", "dev", "requirements/dev.txt", 2),
            ("pytest-django", None, ">=4.8", "dev", "requirements/dev.txt", 3),
        ],
    ),
    "fastapi_poetry": (
        "3.11",
        [("pyproject.toml", 9, "poetry-python"), ("pyproject.toml", 24, "ruff-target-version")],
        [
            ("fastapi", "0.115.2", ">=0.115.0,<0.116.0", "runtime", "pyproject.toml", 10),
            ("pydantic", "2.9.2", None, "runtime", "poetry.lock", 33),
            ("pydantic-settings", "2.5.2", ">=2.4,<3.0", "runtime", "pyproject.toml", 13),
            ("sqlalchemy", "2.0.35", ">=2.0.30,<2.1.0", "runtime", "pyproject.toml", 12),
            ("uvicorn", "0.30.6", ">=0.30.6,<0.31.0", "runtime", "pyproject.toml", 11),
            ("httpx", "0.27.2", ">=0.27,<0.28", "optional", "pyproject.toml", 14),
            ("pytest", "8.3.3", ">=8.3,<9.0", "dev", "pyproject.toml", 20),
            ("pytest-asyncio", "0.24.0", None, "dev", "pyproject.toml", 21),
        ],
    ),
    "flask_setup_py": (
        "3.9",
        [("setup.py", 13, "python_requires"), ("setup.py", 20, "classifier"),
         ("setup.py", 21, "classifier")],
        [
            ("flask", None, ">=2.3,<4", "runtime", "setup.py", 4),
            ("flask-sqlalchemy", None, ">=3.0", "runtime", "setup.py", 5),
            ("python-dotenv", None, None, "runtime", "setup.py", 6),
            ("psycopg2", None, ">=2.9", "optional", "setup.py", 17),
            ("coverage", None, None, "dev", "setup.py", 16),
            ("pytest", None, ">=7", "dev", "setup.py", 16),
        ],
    ),
    "sqlalchemy_uv": (
        "3.12",
        [("pyproject.toml", 5, "requires-python"), ("uv.lock", 2, "uv-lock-requires-python")],
        [
            ("alembic", "1.13.3", ">=1.13", "runtime", "pyproject.toml", 8),
            ("psycopg", "3.2.3", ">=3.2", "runtime", "pyproject.toml", 9),
            ("sqlalchemy", "2.0.36", ">=2.0,<2.1", "runtime", "pyproject.toml", 7),
            ("typer", None, ">=0.12", "optional", "pyproject.toml", 13),
            ("ipython", "8.28.0", None, "dev", "pyproject.toml", 20),
            ("pytest", "8.3.3", ">=8", "dev", "pyproject.toml", 16),
            ("ruff", "0.6.9", "==0.6.9", "dev", "pyproject.toml", 17),
        ],
    ),
    "pipfile_project": (
        "3.10",
        [("Pipfile", 15, "pipfile-python"), ("Pipfile.lock", 8, "pipfile-python")],
        [
            ("beautifulsoup4", "4.12.3", ">=4.12", "runtime", "Pipfile", 8),
            ("django", "5.1.2", None, "runtime", "Pipfile", 9),
            ("requests", "2.32.3", "==2.32.3", "runtime", "Pipfile", 7),
            ("pytest", "8.3.3", None, "dev", "Pipfile", 12),
        ],
    ),
    "src_library": (
        "3.9",
        [("pyproject.toml", 8, "requires-python"), ("pyproject.toml", 14, "classifier"),
         ("pyproject.toml", 15, "classifier"), ("pyproject.toml", 16, "classifier"),
         ("pyproject.toml", 27, "mypy-python-version")],
        [
            ("attrs", None, ">=23.1", "runtime", "pyproject.toml", 10),
            ("typing-extensions", None, ">=4.6", "runtime", "pyproject.toml", 11),
            ("orjson", None, ">=3.10", "optional", "pyproject.toml", 21),
            ("mypy", None, ">=1.11", "dev", "pyproject.toml", 24),
            ("pytest", None, ">=8", "dev", "pyproject.toml", 20),
        ],
    ),
    "monorepo": (
        "3.10",
        [("libs/common/pyproject.toml", 4, "requires-python"),
         ("services/api/pyproject.toml", 4, "requires-python")],
        [
            ("celery", "5.4.0", "==5.4.0", "runtime", "services/worker/requirements.txt", 1),
            ("fastapi", None, ">=0.110", "runtime", "services/api/pyproject.toml", 6),
            ("pydantic", None, ">=2.7", "runtime", "libs/common/pyproject.toml", 5),
            ("redis", None, ">=5.0", "runtime", "services/worker/requirements.txt", 2),
            ("uvicorn", None, ">=0.29", "runtime", "services/api/pyproject.toml", 7),
        ],
    ),
}  # fmt: skip

FULL_EVIDENCE: list[tuple[str, str, list[tuple[str, int | None, str, str]]]] = [
    ("django_requirements", "django", [
        ("requirements/base.txt", 2, "requirement", "Django>=4.2,<5.0"),
        ("requirements/constraints.txt", 1, "constraint", "Django==4.2.16"),
        ("manage.py", 8, "import", "import django.core.management (imported in 2 files)"),
        ("shop/models.py", 1, "import", "import django.db"),
        ("manage.py", 7, "marker", "django"),
        ("config/celery.py", 5, "marker", "DJANGO_SETTINGS_MODULE"),
        ("config/settings.py", 5, "marker", "INSTALLED_APPS ="),
    ]),
    ("django_requirements", "sentry-sdk", [
        ("config/settings.py", 1, "import", "import sentry_sdk"),
    ]),
    ("fastapi_poetry", "fastapi", [
        ("pyproject.toml", 10, "requirement", 'fastapi = "^0.115.0"'),
        ("poetry.lock", 13, "lockfile", "0.115.2"),
        ("app/main.py", 3, "import", "import fastapi"),
        ("app/main.py", 15, "marker", "FastAPI("),
    ]),
    ("flask_setup_py", "flask", [
        ("setup.py", 4, "requirement", "Flask>=2.3,<4"),
        ("blog/__init__.py", 2, "import", "import flask (imported in 2 files)"),
        ("blog/views.py", 1, "import", "import flask"),
        ("blog/__init__.py", 10, "marker", "Flask(__name__"),
    ]),
    ("sqlalchemy_uv", "sqlalchemy", [
        ("pyproject.toml", 7, "requirement", "SQLAlchemy>=2.0,<2.1"),
        ("uv.lock", 50, "lockfile", "2.0.36"),
        ("src/inventory/models.py", 1, "import", "import sqlalchemy"),
    ]),
    ("sqlalchemy_uv", "pytest", [
        ("pyproject.toml", 16, "requirement", "pytest>=8"),
        ("uv.lock", 40, "lockfile", "8.3.3"),
        ("pyproject.toml", 22, "marker", "pytest"),
    ]),
    ("pipfile_project", "requests", [
        ("Pipfile", 7, "requirement", "requests==2.32.3"),
        ("Pipfile.lock", 32, "lockfile", "2.32.3"),
        ("scraper/fetch.py", 1, "import", "import requests"),
    ]),
    ("src_library", "attrs", [
        ("pyproject.toml", 10, "requirement", "attrs>=23.1"),
        ("src/mylib/__init__.py", 6, "import", "import attrs (imported in 2 files)"),
        ("src/mylib/_core.py", 1, "import", "import attrs"),
    ]),
    ("monorepo", "celery", [
        ("services/worker/requirements.txt", 1, "requirement", "celery==5.4.0"),
        ("services/worker/worker/tasks.py", 1, "import", "import celery"),
    ]),
]  # fmt: skip


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A copy of the fixture, so the test also proves nothing depends on where it lives."""
    name: str = request.param
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


@pytest.mark.parametrize("project", sorted(EXPECTED), indirect=True)
def test_fixture_project_is_detected_exactly(project: Path) -> None:
    target, python_evidence, rows = EXPECTED[project.name]

    stack = detect(project, use_cache=False)

    assert stack.errors == []
    assert stack.root == str(project.resolve())
    assert stack.python.target == target
    assert [(e.file, e.line, e.kind) for e in stack.python.evidence] == python_evidence
    assert stack.python.conflicts == []
    found = [
        (f.name, f.version, f.specifier, f.scope, f.evidence[0].file, f.evidence[0].line)
        for f in stack.frameworks
    ]
    assert found == rows


@pytest.mark.parametrize(("name", "framework", "evidence"), FULL_EVIDENCE)
def test_every_piece_of_evidence_points_at_its_line(
    name: str, framework: str, evidence: list[tuple[str, int | None, str, str]]
) -> None:
    stack = detect(FIXTURES / name, use_cache=False)
    found = stack.framework(framework)
    assert found is not None
    assert [(e.file, e.line, e.kind, e.detail) for e in found.evidence] == evidence


def test_monorepo_lists_each_sub_project_with_its_own_python() -> None:
    stack = detect(FIXTURES / "monorepo", use_cache=False)
    assert [(p.path, p.manifests, p.frameworks, p.python) for p in stack.projects] == [
        ("libs/common", ["libs/common/pyproject.toml"], ["pydantic"], "3.10"),
        ("services/api", ["services/api/pyproject.toml"], ["fastapi", "uvicorn"], "3.12"),
        ("services/worker", ["services/worker/requirements.txt"], ["celery", "redis"], None),
    ]


def test_confidence_is_highest_for_declared_locked_and_imported() -> None:
    stack = detect(FIXTURES / "django_requirements", use_cache=False)
    confidence = {f.name: f.confidence for f in stack.frameworks}
    assert confidence["django"] == 0.99  # declared, pinned, imported, marked
    assert confidence["pytest-django"] == 0.95  # declared only
    assert confidence["sentry-sdk"] == 0.6  # imported once, never declared
