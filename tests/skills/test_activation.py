"""Activation on real project folders: detection reads the files, activation picks sections and
variants, and every active section says why.

The expected sets are the advice each project should get: Django advice only for Django, the
Python-bound variants (``asyncio.timeout`` from 3.11, ``X | None`` from 3.10, PEP 695 from
3.12) only where the target Python has them, testing advice only with pytest.
"""

from __future__ import annotations

from pathlib import Path

from stackskills.detectors.detect import detect
from stackskills.skills.activation import ActiveSection, activate


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def active(root: Path) -> dict[str, ActiveSection]:
    return {section.id: section for section in activate(detect(root, use_cache=False))}


def variants(sections: dict[str, ActiveSection]) -> dict[str, str | None]:
    return {
        section_id: None if section.variant is None else section.variant.name
        for section_id, section in sections.items()
    }


def django_project(root: Path, django: str, python: str) -> Path:
    return write(
        root,
        {
            "pyproject.toml": f'[project]\nname = "shop"\nversion = "1.0"\n'
            f'requires-python = ">={python}"\ndependencies = ["Django=={django}"]\n',
            "requirements-dev.txt": "pytest==8.3.3\npytest-django==4.9.0\n",
            "manage.py": "import os\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
            "shop/__init__.py": "",
        },
    )


PYTHON_38 = {
    "async.blocking": "run-in-executor",
    "async.parallel": "gather",
    "async.rate-limiting": "loop-bound",
    "async.timeouts": "wait-for",
    "checklist": "older-python",
    "errors.exception-hierarchy": None,
    "errors.result-pattern": "isinstance-checks",
    "typing.generics": "typevar",
    "typing.modern-hints": "future-annotations",
    "typing.protocols": None,
}
TESTING = {
    "testing.factories": None,
    "testing.fixtures": None,
    "testing.mocking": None,
    "testing.parametrize": None,
}


def test_django_3_2_on_python_3_8_gets_classic_variants(tmp_path: Path) -> None:
    sections = active(django_project(tmp_path, "3.2.25", "3.8"))
    assert variants(sections) == {
        **PYTHON_38,
        **TESTING,
        "django.atomic-updates": None,
        "django.bulk-operations": "classic",
        "django.complex-queries": "classic",
        "django.efficient-checks": "sync-orm",
        "django.n-plus-one": None,
        "django.transactions": "durable",
    }
    reason = sections["django.n-plus-one"].reason
    assert reason == "django 3.2.25 meets django (pyproject.toml:5, manage.py:2)"
    assert sections["async.timeouts"].reason == (
        "python 3.8 meets python (pyproject.toml:4); "
        "variant 'wait-for' because python 3.8 meets python<3.11"
    )


def test_django_5_1_on_python_3_12_gets_the_newest_variants(tmp_path: Path) -> None:
    sections = active(django_project(tmp_path, "5.1.4", "3.12"))
    assert variants(sections) == {
        **TESTING,
        "async.blocking": "to-thread",
        "async.parallel": "task-group",
        "async.rate-limiting": "lazy-binding",
        "async.task-groups": None,
        "async.timeouts": "timeout-block",
        "checklist": "modern-python",
        "errors.exception-hierarchy": None,
        "errors.result-pattern": "match-statement",
        "typing.generics": "pep695",
        "typing.modern-hints": "pep604",
        "typing.protocols": None,
        "django.atomic-updates": None,
        "django.bulk-operations": "upsert",
        "django.complex-queries": "xor",
        "django.efficient-checks": "async-orm",
        "django.n-plus-one": None,
        "django.transactions": "durable",
    }
    assert not any(section.assumed_latest for section in sections.values())


def test_flask_project_gets_flask_sections_but_no_database_sessions_without_sqlalchemy(
    tmp_path: Path,
) -> None:
    root = write(
        tmp_path,
        {
            "requirements.txt": "Flask==3.0.3\n",
            "setup.cfg": "[options]\npython_requires = >=3.9\n",
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        },
    )
    assert variants(active(root)) == {
        "async.blocking": "to-thread",
        "async.parallel": "gather",
        "async.rate-limiting": "loop-bound",
        "async.timeouts": "wait-for",
        "checklist": "older-python",
        "errors.exception-hierarchy": None,
        "errors.result-pattern": "isinstance-checks",
        "flask.application-factory": None,
        "flask.configuration": None,
        "flask.error-handlers": None,
        "typing.generics": "typevar",
        "typing.modern-hints": "future-annotations",
        "typing.protocols": None,
    }


def test_library_without_framework_gets_only_python_sections(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "tinylib"\nversion = "1"\n'
            'requires-python = ">=3.8"\ndependencies = ["attrs>=23"]\n',
            "src/tinylib/__init__.py": "import attrs\n",
        },
    )
    assert variants(active(root)) == PYTHON_38


def test_fastapi_sqlalchemy_2_on_python_3_10(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "api"\nversion = "1"\n'
            'requires-python = ">=3.10"\n'
            'dependencies = ["fastapi==0.115.6", "pydantic==2.10.3", '
            '"sqlalchemy[asyncio]==2.0.36", "httpx==0.28.1"]\n'
            '[dependency-groups]\ndev = ["pytest==8.3.4"]\n',
            "api/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        },
    )
    sections = active(root)
    assert variants(sections) == {
        **TESTING,
        "async.blocking": "to-thread",
        "async.parallel": "gather",
        "async.rate-limiting": "lazy-binding",
        "async.timeouts": "wait-for",
        "checklist": "modern-python",
        "errors.exception-hierarchy": None,
        "errors.result-pattern": "match-statement",
        "fastapi.background-tasks": None,
        "fastapi.dependency-injection": "annotated",
        "fastapi.exception-handling": None,
        "fastapi.lifespan": "lifespan",
        "fastapi.pydantic-models": "pydantic-v2",
        "sqlalchemy.async-queries": "async-sessionmaker",
        "sqlalchemy.declarative": "typed-py310",
        "sqlalchemy.eager-loading": "write-only",
        "sqlalchemy.pagination": None,
        "typing.generics": "typevar",
        "typing.modern-hints": "pep604",
        "typing.protocols": None,
    }
    assert sections["fastapi.pydantic-models"].reason == (
        "fastapi 0.115.6 meets fastapi (pyproject.toml:5, api/main.py:1); variant 'pydantic-v2' "
        "because pydantic 2.10.3 meets pydantic>=2, fastapi 0.115.6 meets fastapi>=0.100"
    )


def test_unknown_versions_activate_the_newest_variant_and_say_so(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"requirements.txt": "django>=4\n", "manage.py": "import django\n"},
    )
    sections = active(root)
    checks = sections["django.efficient-checks"]
    assert checks.variant is not None and checks.variant.name == "async-orm"
    assert checks.assumed_latest
    assert checks.reason.endswith("(version not known exactly: the newest fitting advice is used)")
    timeouts = sections["async.timeouts"]
    assert timeouts.variant is not None and timeouts.variant.name == "timeout-block"
    assert "python (target unknown: 3.14 assumed)" in timeouts.reason


def test_pydantic_advice_follows_fastapi_when_pydantic_is_not_declared(tmp_path: Path) -> None:
    root = write(tmp_path, {"requirements.txt": "fastapi==0.115.6\n"})
    models = active(root)["fastapi.pydantic-models"]
    assert models.variant is not None and models.variant.name == "pydantic-v2"
    assert "pydantic (required by fastapi, version not declared) meets pydantic>=2" in (
        models.reason
    )
    assert models.assumed_latest


def test_empty_folder_activates_nothing(tmp_path: Path) -> None:
    assert active(tmp_path) == {}
