"""The synthetic business: deterministic, independent draws, every channel, a ground truth that
matches its own tables (recomputed here with SQL, independently of the generator's pandas)."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from ingestion.sandbox.business import load_business
from ingestion.sandbox.generator import BusinessParams, generate_business

PARAMS = BusinessParams(seed=7, start_date=date(2026, 9, 1), days=45, visitors_per_day=60)


@pytest.fixture(scope="module")
def business():
    return generate_business(PARAMS)


def test_same_parameters_give_identical_tables(business, tmp_path) -> None:
    again = generate_business(PARAMS)
    for name in ("sessions", "leads", "deals", "calls", "ad_stats", "ground_truth"):
        pd.testing.assert_frame_equal(getattr(business, name), getattr(again, name))
    business.save(tmp_path)
    loaded = load_business(tmp_path)
    pd.testing.assert_frame_equal(loaded.leads, business.leads)
    assert loaded.start_date == business.start_date and loaded.end_date == business.end_date


def test_another_seed_gives_another_business(business) -> None:
    other = generate_business(
        BusinessParams(seed=8, start_date=PARAMS.start_date, days=45, visitors_per_day=60)
    )
    assert len(other.sessions) != len(business.sessions) or not other.sessions["client_id"].equals(
        business.sessions["client_id"]
    )


def test_independent_draws_co_occur_as_expected() -> None:
    # Two ~10 % properties of a session (paid Google click; a mobile device) must co-occur about
    # as often as the product of their rates, not never and not always.
    big = generate_business(
        BusinessParams(seed=1, start_date=date(2026, 9, 1), days=30, visitors_per_day=400)
    )
    s = big.sessions[~big.sessions["is_bot"]]
    a = s["gclid"].notna().to_numpy()
    b = (s["device_category"] == "tablet").to_numpy()
    expected = a.mean() * b.mean() * len(s)
    assert expected > 50
    assert abs((a & b).sum() - expected) < 4 * np.sqrt(expected)


def test_every_channel_is_present(business) -> None:
    s = business.sessions
    pairs = set(
        zip(
            s["source"].str.strip().str.lower().fillna("(direct)"),
            s["medium"].fillna("(none)"),
            strict=True,
        )
    )
    for pair in [
        ("google", "cpc"),
        ("youtube", "cpv"),
        ("youtube", "referral"),
        ("facebook", "cpc"),
        ("instagram", "cpc"),
        ("google", "organic"),
        ("linkedin", "social"),
        ("tiktok", "social"),
        ("newsletter", "email"),
        ("telegram", "messenger"),
        ("viber", "messenger"),
        ("webinar", "webinar"),
        ("clutch.co", "referral"),
        ("instagram", "influencer"),
        ("(direct)", "(none)"),
    ]:
        assert pair in pairs, pair
    assert set(business.calls["number_type"]) == {"dynamic", "static"}
    assert set(business.deals["currency"]) == {"UAH", "USD", "EUR"}
    assert business.deals["is_repeat"].any()
    assert business.leads["is_test"].any() and business.leads["is_duplicate"].any()
    assert business.leads["utm_source"].isna().any()  # untagged leads
    assert not business.calls[~business.calls["answered"]].empty


def test_bots_and_restatement(business) -> None:
    s = business.sessions
    per_day = (
        s.assign(day=s["started_at"].dt.tz_convert("Europe/Kyiv").dt.date)
        .groupby(["client_id", "day"])
        .size()
    )
    assert (per_day > 50).sum() == 2
    assert s.loc[s["is_bot"], "client_id"].nunique() == 3  # two bots and the office PC
    assert len(business.restated_days) == 3
    initial = business.ad_stats_initial.set_index(["ad_id", "date"])["cost_micros"]
    final = business.ad_stats.set_index(["ad_id", "date"]).loc[initial.index, "cost_micros"]
    assert (initial != final).any()


def test_ground_truth_matches_the_tables(business) -> None:
    con = duckdb.connect()
    con.execute("set timezone = 'Europe/Kyiv'")
    for name in ("sessions", "leads", "deals", "calls", "ad_stats"):
        con.register(name, getattr(business, name))
    truth = business.ground_truth

    def total(metric: str) -> float:
        return float(truth.loc[truth["metric"] == metric, "value"].sum())

    assert con.sql("select count(*) from sessions").fetchone()[0] == total("sessions")
    assert con.sql("select count(*) from leads").fetchone()[0] == total("leads")
    assert con.sql("select count(*) from calls where direction = 'in'").fetchone()[0] == total(
        "calls"
    )
    assert con.sql("select count(*) from deals where stage_semantic = 'S'").fetchone()[0] == total(
        "deals_won"
    )
    assert con.sql("select sum(cost_micros) / 1e6 from ad_stats").fetchone()[0] == pytest.approx(
        total("spend")
    )
    by_day = (
        con.sql("""
        select cast(created_at as date) as day, count(*) as n from leads group by 1
    """)
        .df()
        .set_index("day")["n"]
    )
    leads = truth[truth["metric"] == "leads"].set_index("date")["value"]
    assert {pd.Timestamp(d).date(): int(v) for d, v in by_day.items()} == {
        d: int(v) for d, v in leads.items()
    }


@pytest.mark.parametrize(
    ("rates", "leads_per_session", "deals_per_lead"),
    [({}, (0.038, 0.055), (0.28, 0.5)), ({"lead_rate": 0.02, "deal_rate": 0.17}, (0.017, 0.026), (0.13, 0.24))],
    ids=["dense default", "typical (the benchmark's)"],
)
def test_lead_and_deal_rates_set_the_business_proportions(rates, leads_per_session, deals_per_lead) -> None:
    # The benchmark's L must be the 10M sessions, ~200k leads and ~40k deals.
    made = generate_business(
        BusinessParams(seed=5, start_date=date(2026, 3, 1), days=60, visitors_per_day=400, **rates)
    )
    sessions = int((~made.sessions["is_bot"]).sum())
    leads, deals = len(made.leads), len(made.deals)
    assert leads_per_session[0] < leads / sessions < leads_per_session[1]
    assert deals_per_lead[0] < deals / leads < deals_per_lead[1]
