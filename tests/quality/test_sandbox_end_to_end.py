"""End to end over the sandbox: a generated business runs through the whole graph with every
quality check attached; then the CRM feed is cut and the lead check catches it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from throughline.health import HEALTH_CHECKS, HealthSettings, utc_now
from throughline.warehouse import Warehouse

pytestmark = pytest.mark.slow
DAYS, VISITORS = 10, 30


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Warehouse]]:
    from ingestion.sandbox.generator import BusinessParams, generate_business
    from ingestion.sandbox.server import Sandbox
    from orchestration.runner import materialize_all

    start = date.today() - timedelta(days=DAYS + 2)
    business = generate_business(
        BusinessParams(seed=23, start_date=start, days=DAYS, visitors_per_day=VISITORS)
    )
    root = tmp_path_factory.mktemp("quality-sandbox")
    with (
        Sandbox(business, files_dir=root / "files") as sandbox,
        pytest.MonkeyPatch.context() as env,
    ):
        for name, value in {
            **dict(sandbox.source_env()),
            "THROUGHLINE_WAREHOUSE": f"duckdb:///{root / 'warehouse.duckdb'}",
            "THROUGHLINE_DATA_DIR": str(root / "data"),
            "THROUGHLINE_ENV": "ci",
        }.items():
            env.setenv(name, value)
        env.delenv("DAGSTER_HOME", raising=False)
        env.delenv("THROUGHLINE_ALERT_URLS", raising=False)
        summary = materialize_all(progress=False)
    yield summary, Warehouse.from_url(f"duckdb:///{root / 'warehouse.duckdb'}")


def test_clean_generated_business_passes_every_error_check(demo) -> None:
    summary, _ = demo
    assert summary.failed_checks == [], summary.failed_checks
    assert not [c for c in summary.warned_checks if c.endswith("great_expectations")]
    assert summary.passed_checks >= len(HEALTH_CHECKS)


def test_cutting_the_crm_feed_fails_the_lead_check(demo) -> None:
    _, warehouse = demo
    conn = warehouse.connect()
    try:
        latest = conn.execute("select max(lead_date) from marts.fct_leads").fetchone()[0]
        # the table under the fct_leads view
        conn.execute(f"delete from intermediate.int_leads where lead_date >= date '{latest}' - 2")
    finally:
        conn.close()
    check = next(c for c in HEALTH_CHECKS if c.name == "hours_since_last_lead")
    result = check.evaluate(warehouse.read_frame, HealthSettings(), utc_now())
    assert not result.passed and check.severity == "ERROR" and check.blocking
    assert result.figure > 24.0
    assert result.subjects[0].startswith("bitrix24: last lead ")
