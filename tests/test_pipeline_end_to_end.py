"""The sandbox business through every real connector and the dbt project: plain totals equal
the generator's ground truth, every model conserves them, re-runs and faults change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from ingestion.pipeline import run_all_sources
from ingestion.sandbox.generator import BusinessParams, generate_business
from ingestion.sandbox.server import Sandbox
from throughline.transform import build
from throughline.warehouse import Warehouse

pytestmark = pytest.mark.slow

RAW_COUNTS = {
    "raw_google_ads.campaign_stats": None, "raw_meta_ads.ad_insights": None, "raw_ga4.events": None,
    "raw_bitrix24.leads": None, "raw_bitrix24.deals": None, "raw_calltracking.calls": None,
    "raw_fx_rates.rates": None, "raw_manual_costs.costs": None,
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("e2e")
    business = generate_business(BusinessParams(
        seed=5, start_date=date.today() - timedelta(days=14), days=14, visitors_per_day=40))
    warehouse = Warehouse.from_url(f"duckdb:///{root / 'warehouse.duckdb'}")
    with pytest.MonkeyPatch.context() as patch, Sandbox(business, files_dir=root / "files") as sandbox:
        patch.setenv("THROUGHLINE_DATA_DIR", str(root / "data"))
        for key, value in sandbox.source_env().items():
            patch.setenv(key, value)
        # "now" is a day earlier: the last day arrives with the second run
        sandbox.set_as_of(business.end_date - timedelta(days=1))
        run_all_sources(warehouse)
        partial = counts(warehouse)
        sandbox.set_as_of(business.end_date)
        # faults on the way: the loads recover
        sandbox.faults.inject("google_ads", "rate_limit", times=1, retry_after=0)
        sandbox.faults.inject("bitrix24", "rate_limit", times=2)
        sandbox.faults.inject("meta_ads", "rate_limit", times=1)
        sandbox.faults.inject("ringostat", "server_error", times=1)
        sandbox.faults.inject("nbu", "drop_connection", times=1)
        run_all_sources(warehouse)
        complete = counts(warehouse)
        run_all_sources(warehouse)  # nothing new: nothing changes
        again = counts(warehouse)
        build(warehouse)
        yield business, warehouse, partial, complete, again


def counts(warehouse: Warehouse) -> dict[str, int]:
    conn = warehouse.connect()
    try:
        return {table: conn.execute(f"select count(*) from {table}").fetchone()[0] for table in RAW_COUNTS}
    finally:
        conn.close()


def query(warehouse: Warehouse, sql: str) -> pd.DataFrame:
    conn = warehouse.connect()
    try:
        return conn.sql(sql).df()
    finally:
        conn.close()


def truth(business, metric: str) -> pd.DataFrame:
    frame = business.ground_truth
    return frame[frame["metric"] == metric]


def test_new_days_arrive_and_reruns_add_nothing(pipeline) -> None:
    business, warehouse, partial, complete, again = pipeline
    assert complete == again
    assert partial["raw_bitrix24.leads"] < complete["raw_bitrix24.leads"] == len(business.leads)
    assert partial["raw_calltracking.calls"] <= complete["raw_calltracking.calls"] == len(business.calls)
    assert partial["raw_ga4.events"] < complete["raw_ga4.events"]
    assert complete["raw_manual_costs.costs"] == len(business.manual_costs)


def test_plain_totals_equal_ground_truth(pipeline) -> None:
    business, warehouse, *_ = pipeline
    facts = query(warehouse, """
        select
            (select count(*) from marts.fct_sessions) as sessions,
            (select count(*) from marts.fct_leads) as leads,
            (select count(*) from marts.fct_calls where direction = 'inbound') as calls,
            (select count(*) from marts.fct_deals where is_won) as deals_won,
            (select sum(revenue) from marts.fct_deals) as revenue,
            (select sum(case when is_new_customer then 1 else 0 end) from marts.fct_deals) as new_customers
    """).iloc[0]
    for metric in ("sessions", "leads", "calls", "deals_won", "new_customers"):
        assert facts[metric] == truth(business, metric)["value"].sum(), metric
    assert float(facts["revenue"]) == pytest.approx(truth(business, "revenue_uah")["value"].sum(), abs=0.01)


def test_spend_per_platform_and_day_equals_ground_truth(pipeline) -> None:
    business, warehouse, *_ = pipeline
    loaded = query(warehouse, """
        select platform, spend_date as date, sum(cost) as cost
        from marts.fct_ad_spend where platform <> 'manual' group by 1, 2
    """)
    loaded["date"] = pd.to_datetime(loaded["date"]).dt.date
    expected = truth(business, "spend").groupby(["platform", "date"], as_index=False)["value"].sum()
    merged = expected.merge(loaded, on=["platform", "date"], how="outer")
    assert merged["value"].notna().all() and merged["cost"].notna().all()
    assert (merged["value"] - merged["cost"].astype(float)).abs().max() < 1e-6


def test_markov_channel_totals_follow_the_removal_effects(pipeline) -> None:
    """The comparison mart's Markov leads and revenue per channel equal each path's split worked
    out here: a channel's removal effect over the sum of the path's distinct channels' effects,
    equally over its touches (linear when that sum is 0), times what the conversion is worth
    (read back from the linear model's rows: a touch's share times the path length)."""
    _, warehouse, *_ = pipeline
    effects = dict(query(warehouse, "select channel, removal_effect from attribution.markov_removal_effects")
                   .itertuples(index=False))
    touches = query(warehouse, """
        select conversion_type, crm_source, conversion_id, channel, path_length, leads, revenue
        from marts.fct_attribution where attribution_model = 'linear'
    """)
    expected: dict[str, list[float]] = {}
    unlike_linear = 0
    for _, path in touches.groupby(["conversion_type", "crm_source", "conversion_id"]):
        channels = list(path["channel"])
        path_effect = sum(effects.get(channel, 0.0) for channel in set(channels))
        for touch in path.itertuples():
            share = (effects.get(touch.channel, 0.0) / path_effect / channels.count(touch.channel)
                     if path_effect > 0 else 1 / len(channels))
            unlike_linear += abs(share - 1 / len(channels)) > 1e-9
            totals = expected.setdefault(touch.channel, [0.0, 0.0])
            totals[0] += share * touch.leads * touch.path_length
            totals[1] += share * float(touch.revenue) * touch.path_length
    reported = query(warehouse, """
        select channel, leads, revenue from marts.mart_attribution_comparison
        where attribution_model = 'markov' and (leads <> 0 or revenue <> 0)
    """)
    assert unlike_linear > 10  # the check tells Markov from linear
    assert set(reported["channel"]) == {channel for channel, (leads, revenue) in expected.items() if leads or revenue}
    for row in reported.itertuples():
        assert row.leads == pytest.approx(expected[row.channel][0], abs=1e-6), row.channel
        assert float(row.revenue) == pytest.approx(expected[row.channel][1], abs=0.01), row.channel


def test_every_model_conserves_the_totals(pipeline) -> None:
    business, warehouse, *_ = pipeline
    totals = query(warehouse, """
        select attribution_model, sum(leads) as leads, sum(deals_won) as deals, sum(revenue) as revenue,
               sum(sessions) as sessions
        from marts.mart_channel_performance group by 1
    """)
    assert len(totals) == 7
    for row in totals.itertuples():
        assert row.leads == pytest.approx(truth(business, "leads")["value"].sum()), row.attribution_model
        assert row.deals == pytest.approx(truth(business, "deals_won")["value"].sum()), row.attribution_model
        assert float(row.revenue) == pytest.approx(truth(business, "revenue_uah")["value"].sum(), abs=0.05)
        assert row.sessions == truth(business, "sessions")["value"].sum()
