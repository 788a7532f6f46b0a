"""Where projects and their non-shipped code sit inside a workspace, judged by paths only."""

from __future__ import annotations

from stackskills.detectors.walk import is_dockerfile

GROUPING_DIRS = frozenset({"requirements", "reqs", "deps", "docs", "doc", "ci", "constraints"})
"""Folders that hold a project's extra requirement files rather than a project of their own."""

DEV_PATH_WORDS = frozenset({"test", "tests", "testing", "docs", "doc", "benchmarks", "bench"})
"""Folders whose code is not shipped: tests, docs, benchmarks."""


def parent(rel: str) -> str:
    """The folder of a root-relative POSIX path; ``.`` for the root."""
    return rel.rsplit("/", 1)[0] if "/" in rel else "."


def project_dir(manifest: str) -> str:
    """The project folder a manifest belongs to (``requirements/dev.txt`` -> ``.``)."""
    directory = parent(manifest)
    if directory.rsplit("/", 1)[-1].lower() in GROUPING_DIRS:
        directory = parent(directory)
    return directory


VERSION_HINT_FILES = frozenset({".python-version", "runtime.txt", ".tool-versions", "tox.ini"})


def is_version_hint(rel: str) -> bool:
    """Files that only say which Python runs or is tested, not what a project declares."""
    name = rel.rsplit("/", 1)[-1]
    return rel.startswith(".github/") or name in VERSION_HINT_FILES or is_dockerfile(name)


def is_dev_path(rel: str) -> bool:
    """Tests, docs and benchmarks: code that is not shipped."""
    parts = rel.lower().split("/")
    name = parts[-1]
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in DEV_PATH_WORDS for part in parts[:-1])
