from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"


@pytest.fixture(autouse=True)
def isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Each test gets its own detection cache, so no test sees another's results."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("STACKSKILLS_CACHE_DIR", str(directory))
    yield directory
