"""A planted warehouse per test, and the THROUGHLINE_* environment pointing at it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from tests.quality.planted import World, clean_world
from throughline.health import utc_now


@pytest.fixture
def now() -> datetime:
    """The real clock: checks that Dagster runs read it themselves. Modules that hand the checks
    their `now` pin it instead (planted.midday_today)."""
    return utc_now()


@pytest.fixture
def world(now: datetime) -> World:
    return clean_world(now)


@pytest.fixture
def publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[World], str]:
    """Write a world to a DuckDB file and point THROUGHLINE_WAREHOUSE at it. Its leads come from
    Bitrix24, configured as the checks in Dagster expect (they judge configured CRMs only)."""

    def _publish(world: World) -> str:
        url = world.write(tmp_path / "warehouse.duckdb")
        monkeypatch.setenv("THROUGHLINE_WAREHOUSE", url)
        monkeypatch.setenv("SOURCES__BITRIX24__WEBHOOK_URL", "https://planted.bitrix24.ua/rest/1/planted/")
        return url

    return _publish
