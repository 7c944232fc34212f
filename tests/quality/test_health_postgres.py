"""The health checks read PostgreSQL the same way: same verdicts, same figures."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.quality.planted import World, midday_today, refresh, write_postgres
from throughline.health import HEALTH_CHECKS, HealthSettings
from throughline.warehouse import Warehouse

pytestmark = pytest.mark.postgres


@pytest.fixture
def now() -> datetime:
    return midday_today()


def test_clean_and_renamed_campaign_on_postgres(world: World, postgres_dsn: str) -> None:
    read = Warehouse.from_url(write_postgres(world, postgres_dsn)).read_frame
    clean = {c.name: c.evaluate(read, HealthSettings(), world.now) for c in HEALTH_CHECKS}
    assert {name for name, r in clean.items() if not r.passed} == set()
    assert clean["missed_calls"].figure == 0.25

    sessions = world.frames["marts.fct_sessions"]
    renamed = (sessions["utm_campaign"] == "generic_search") & (
        sessions["session_date"] >= world.now.date() - timedelta(days=2)
    )
    sessions.loc[renamed, "utm_campaign"] = "generic_search_v2"
    read = Warehouse.from_url(write_postgres(refresh(world), postgres_dsn)).read_frame
    broken = {c.name: c.evaluate(read, HealthSettings(), world.now) for c in HEALTH_CHECKS}
    assert {name for name, r in broken.items() if not r.passed} == {
        "spend_without_sessions",
        "sessions_unknown_campaign",
    }
    assert broken["spend_without_sessions"].figure == round(1000 / 16100, 4)
