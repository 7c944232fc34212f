"""Every raw table and mart has a suite; for each suite added to close that gap, a clean frame
passes and a planted defect fails with the rule it breaks (expectation, column)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from expectations.runner import validate
from expectations.suites import ALL_SUITES
from tests.expectations.frames import performance

SUITES = {spec.name: spec for spec in ALL_SUITES}
ASSET_KEYS = Path(__file__).parents[1] / "orchestration" / "asset_keys.txt"
# dlt's load log and the rows a file check refused (empty, so absent, when every row is fine)
NOT_VALIDATED = {"_dlt_loads", "rejected_rows"}
RAW_SOURCES = {
    "bitrix24", "calltracking", "crm_file", "fx_rates", "ga4", "google_ads", "manual_costs",
    "meta_ads",
}
DAY = date(2026, 9, 2)
FUTURE = str(date.today() + timedelta(days=30))

BETWEEN = "expect_column_values_to_be_between"
IN_SET = "expect_column_values_to_be_in_set"
NOT_NULL = "expect_column_values_to_not_be_null"
IS_NULL = "expect_column_values_to_be_null"
UNIQUE = "expect_column_values_to_be_unique"
COMPOUND = "expect_compound_columns_to_be_unique"
PAIR = "expect_column_pair_values_a_to_be_greater_than_b"
TIMES = "expect_column_values_to_be_times"


def test_every_raw_table_and_mart_has_a_suite() -> None:
    keys = [tuple(line.split("/")) for line in ASSET_KEYS.read_text().split()]
    expected = {
        key
        for key in keys
        if (key[0] in RAW_SOURCES and key[1] not in NOT_VALIDATED) or key[0] == "marts"
    }
    assert expected - {spec.asset_key for spec in ALL_SUITES} == set()


def ad_stats(**key: list[str]) -> dict[str, list[Any]]:
    return {
        "customer_id": ["1", "1"],
        **key,
        "date": [DAY, DAY],
        "cost_micros": [1_500_000, 0],
        "cost": [1.5, 0.0],
        "impressions": [100, 0],
        "clicks": [3, 0],
        "currency_code": ["UAH", "UAH"],
    }


# suite: (clean columns, [(defect, failed rules)])
Defect = Callable[[pd.DataFrame], None]
CASES: dict[str, tuple[dict[str, list[Any]], list[tuple[Defect, set[tuple[str, str]]]]]] = {
    "google_ads_ad_group_stats": (
        ad_stats(ad_group_id=["10", "11"]),
        [(lambda f: f.loc.__setitem__((1, "cost"), -0.5), {(BETWEEN, "cost")})],
    ),
    "google_ads_keyword_stats": (
        {**ad_stats(ad_group_id=["10", "10"], criterion_id=["7", "8"]),
         "match_type": ["EXACT", "BROAD"]},
        [(lambda f: f.loc.__setitem__((1, ["criterion_id", "match_type"]), ["7", "FUZZY"]),
          {(COMPOUND, "customer_id, ad_group_id, criterion_id, date"), (IN_SET, "match_type")})],
    ),
    "meta_ads_ads": (
        {"id": ["1", "2"], "updated_time": ["2026-09-02T10:15:42+0000", "2026-09-03T08:01:10+0000"]},
        [(lambda f: f.loc.__setitem__((1, "updated_time"), "yesterday"), {(TIMES, "updated_time")})],
    ),
    "ga4_daily_traffic": (
        {"date": ["2026-09-02", "2026-09-02"], "session_source": ["google", "(direct)"],
         "session_medium": ["cpc", "(none)"], "session_campaign_name": ["brand", "(not set)"],
         "session_manual_ad_content": ["(not set)"] * 2, "session_manual_term": ["(not set)"] * 2,
         "landing_page": ["/", "/"], "sessions": [3, 1], "total_users": [2, 1],
         "engaged_sessions": [2, 0], "key_events": [1.0, 0.0]},
        [(lambda f: f.loc.__setitem__((1, ["sessions", "date"]), [-1, FUTURE]),
          {(BETWEEN, "sessions"), (BETWEEN, "date")})],
    ),
    "bitrix24_contacts": (
        {"id": ["1", "2"], "date_create": ["2026-09-02T10:15:42+03:00"] * 2,
         "date_modify": ["2026-09-03T08:01:10+03:00"] * 2},
        [(lambda f: f.loc.__setitem__((1, "id"), "1"), {(UNIQUE, "id")})],
    ),
    "bitrix24_statuses": (
        {"entity_id": ["STATUS", "SOURCE"], "status_id": ["JUNK", "WEB"], "semantics": ["F", None]},
        [(lambda f: f.loc.__setitem__((1, "semantics"), "X"), {(IN_SET, "semantics")})],
    ),
    "bitrix24_users": (
        {"id": ["1", "17"], "active": [True, False]},
        [(lambda f: f.loc.__setitem__((1, "id"), None), {(NOT_NULL, "id")})],
    ),
    "bitrix24_lead_stage_history": (
        {"id": ["8812", "8820"], "type_id": ["1", "3"], "owner_id": ["1043", "1043"],
         "created_time": ["2026-09-02T10:15:42+03:00", "2026-09-02T10:41:07+03:00"],
         "status_semantic_id": ["P", "F"]},
        [(lambda f: f.loc.__setitem__((1, ["type_id", "created_time"]), ["4", FUTURE]),
          {(IN_SET, "type_id"), (BETWEEN, "created_time")})],
    ),
    "bitrix24_deal_stage_history": (
        {"id": ["1", "2"], "type_id": ["1", "3"], "owner_id": ["5", "5"],
         "created_time": ["2026-09-02T10:15:42+03:00"] * 2, "stage_semantic_id": ["P", "S"]},
        [(lambda f: f.loc.__setitem__((1, ["stage_semantic_id", "owner_id"]), ["WON", None]),
          {(IN_SET, "stage_semantic_id"), (NOT_NULL, "owner_id")})],
    ),
    "crm_file_managers": (
        {"manager_id": ["m1", "m2"], "manager_name": ["Olena", "Taras"]},
        [(lambda f: f.loc.__setitem__((1, "manager_id"), "m1"), {(UNIQUE, "manager_id")})],
    ),
    "crm_file_lead_status_history": (
        {"source_file": ["history.csv"] * 2, "row_number": [2, 3], "lead_id": ["1", "1"],
         "changed_at": ["2026-09-02T10:00:00+03:00", "2026-09-02T11:00:00+03:00"]},
        [(lambda f: f.loc.__setitem__((1, "changed_at"), "02/09/2026 25:00"),
          {(TIMES, "changed_at"), (NOT_NULL, "changed_at")})],  # unparsed: no time at all
    ),
    "manual_costs_budget_plan": (
        {"source_file": ["plan.csv"] * 2, "row_number": [2, 3], "month": ["2026-09", "2026-10"],
         "channel": ["Paid Search", "Webinars"], "campaign_id": ["101001", None],
         "planned_spend": ["40000.00", "0"], "currency": ["UAH", "USD"]},
        [(lambda f: f.loc.__setitem__((1, ["month", "planned_spend"]), ["2026-13", "-5"]),
          {("expect_column_values_to_match_regex", "month"), (BETWEEN, "planned_spend")}),
         # any currency's code is welcome (NBU rates some forty), a word is not
         (lambda f: f.loc.__setitem__((1, "currency"), "PLN"), set()),
         (lambda f: f.loc.__setitem__((1, "currency"), "hryvnia"),
          {("expect_column_values_to_match_regex", "currency")})],
    ),
    "marts_mart_channel_scorecard": (
        {**performance(period_grain=["week", "month"], period_start=[DAY, DAY],
                       channel=["Paid Search", "Direct"]),
         "decision": ["scale", "no_spend"]},
        [
            (lambda f: f.loc.__setitem__((0, "decision"), "pause"), {(IN_SET, "decision")}),
            # nothing spent, yet a verdict on ROMI
            (lambda f: f.loc.__setitem__((1, "decision"), "stop"), {(IN_SET, "decision")}),
            (lambda f: f.loc.__setitem__((1, "session_to_lead_rate"), 0.0),
             {(IS_NULL, "session_to_lead_rate")}),
            (lambda f: f.loc.__setitem__((0, "period_grain"), "day"), {(IN_SET, "period_grain")}),
        ],
    ),
    "marts_mart_campaign_performance": (
        performance(date=[DAY, DAY], platform=["google_ads", None], campaign_id=["1", None],
                    campaign_name=["brand", None], ad_group_id=[None, None], ad_id=[None, None],
                    utm_content=[None, None], utm_term=[None, None]),
        [(lambda f: f.loc.__setitem__((1, ["platform", "campaign_id", "campaign_name"]),
                                      ["google_ads", "1", "brand"]),
          {(COMPOUND, "date, platform, campaign_id, campaign_name, ad_group_id, ad_id, "
                      "utm_content, utm_term, attribution_model")}),
         (lambda f: f.loc.__setitem__((0, "cac"), -10.0), {(BETWEEN, "cac")})],
    ),
    "marts_mart_touch_paths": (
        {"path": ["Paid Search > Direct", "Paid Search > Direct"], "conversion_type": ["lead", "deal"],
         "conversions": [3, 1], "revenue": [None, 500.0], "avg_path_length": [2.0, 2.0],
         "avg_days_to_convert": [1.5, 0.0]},
        [(lambda f: f.loc.__setitem__((0, "revenue"), 100.0), {(IS_NULL, "revenue")}),
         (lambda f: f.loc.__setitem__((1, ["conversion_type", "conversions"]), ["call", 0]),
          {(IN_SET, "conversion_type"), (BETWEEN, "conversions")})],
    ),
    "marts_mart_attribution_comparison": (
        {"channel": ["Paid Search", "Direct"], "attribution_model": ["markov", "markov"],
         "leads": [4.0, 2.5], "new_customers": [1.0, 0.0], "revenue": [300.0, 90.0],
         "spend": [100.0, 0.0], "romi_pct": [200.0, None], "cac": [100.0, None]},
        [(lambda f: f.loc.__setitem__((1, "romi_pct"), 0.0), {(IS_NULL, "romi_pct")})],
    ),
    "marts_mart_manager_performance": (
        {"date": [DAY, DAY], "manager_id": ["17", "17"], "manager_name": ["Olena", "Olena"],
         "channel": ["Paid Search", "Direct"], "leads_assigned": [4, 0], "leads_processed": [3, 0],
         "leads_non_target": [1, 0], "non_target_rate": [0.25, None],
         "median_first_response_minutes": [12.0, None], "deals_won": [1, 0], "deals_lost": [1, 0],
         "win_rate": [0.5, None], "revenue": [300.0, 0.0]},
        [(lambda f: f.loc.__setitem__((0, "leads_processed"), 5),
          {(PAIR, "leads_assigned, leads_processed")}),
         (lambda f: f.loc.__setitem__((1, "win_rate"), 0.0), {(IS_NULL, "win_rate")}),
         (lambda f: f.loc.__setitem__((0, "win_rate"), 2.0), {(BETWEEN, "win_rate")})],
    ),
    "marts_mart_call_quality": (
        {"date": [DAY, DAY], "manager_id": ["17", "(unassigned)"], "channel": ["Direct", "Direct"],
         "calls": [10, 3], "answered": [8, 0], "missed": [2, 3], "missed_rate": [0.2, 1.0],
         "avg_wait_seconds": [9.5, None], "missed_called_back": [1, 0], "callback_rate": [0.5, 0.0],
         "median_callback_minutes": [30.0, None], "first_time_callers": [6, 3],
         "calls_to_leads": [2, 0]},
        [(lambda f: f.loc.__setitem__((0, "missed_called_back"), 3),
          {(PAIR, "missed, missed_called_back")}),
         (lambda f: f.loc.__setitem__((1, "missed_rate"), 1.5), {(BETWEEN, "missed_rate")})],
    ),
    "marts_mart_budget_pacing": (
        {"month": [DAY, DAY], "channel": ["Paid Search", "Paid Search"], "campaign_id": [None, "1"],
         "planned_spend": [40000.0, 0.0], "actual_spend": [10000.0, 500.0], "pacing_pct": [25.0, None],
         "days_elapsed_pct": [100.0, 100.0], "projected_spend": [10000.0, 500.0]},
        [(lambda f: f.loc.__setitem__((1, "pacing_pct"), 0.0), {(IS_NULL, "pacing_pct")}),
         (lambda f: f.loc.__setitem__((0, "days_elapsed_pct"), 120.0),
          {(BETWEEN, "days_elapsed_pct")}),
         (lambda f: f.loc.__setitem__((1, "campaign_id"), None),
          {(COMPOUND, "month, channel, campaign_id")})],
    ),
    "marts_mart_cohorts": (
        {"cohort_month": [DAY, DAY], "acquisition_channel": ["Paid Search", "Paid Search"],
         "months_since": [0, 1], "customers": [4, 4], "repeat_customers": [0, 1],
         "revenue": [1000.0, 200.0], "cumulative_revenue": [1000.0, 1200.0], "ltv": [250.0, 300.0],
         "cac": [0.0, 0.0], "ltv_to_cac": [None, None]},
        [(lambda f: f.loc.__setitem__((1, "ltv_to_cac"), 0.0), {(IS_NULL, "ltv_to_cac")}),
         (lambda f: f.loc.__setitem__((1, "customers"), 0),
          {(BETWEEN, "customers"), (PAIR, "customers, repeat_customers")})],
    ),
    "marts_fct_deals": (
        {"deal_id": ["1", "2"], "crm_source": ["bitrix24", "bitrix24"], "lead_id": ["7", None],
         "created_at": pd.to_datetime(["2026-09-01T10:00:00Z"] * 2), "closed_at": [None, None],
         "is_won": [True, True], "is_lost": [False, False], "won_date": [DAY, None],
         "amount": [300.0, 100.0], "currency": ["UAH", "USD"], "revenue": [300.0, 4150.0]},
        [(lambda f: f.loc.__setitem__((0, "is_lost"), True), {(IN_SET, "is_lost")}),
         (lambda f: f.loc.__setitem__((1, "amount"), -1.0), {(BETWEEN, "amount")})],
    ),
    "marts_dim_campaign": (
        {"platform": ["google_ads", "meta_ads"], "campaign_id": ["1", "1"],
         "first_spend_date": [DAY, DAY], "last_spend_date": [DAY, DAY + timedelta(days=3)]},
        [(lambda f: f.loc.__setitem__((0, "first_spend_date"), DAY + timedelta(days=1)),
          {(PAIR, "last_spend_date, first_spend_date")}),
         (lambda f: f.loc.__setitem__((1, "platform"), "google_ads"),
          {(COMPOUND, "platform, campaign_id")})],
    ),
    "marts_dim_channel": (
        {"channel": ["Paid Search", "Direct"]},
        [(lambda f: f.loc.__setitem__((1, "channel"), "Paid Search"), {(UNIQUE, "channel")})],
    ),
    "marts_dim_manager": (
        {"crm_source": ["bitrix24", "crm_file"], "manager_id": ["17", "17"], "manager_name": ["Olena", "Taras"]},
        [(lambda f: f.loc.__setitem__((1, "manager_id"), None), {(NOT_NULL, "manager_id")}),
         (lambda f: f.loc.__setitem__((1, "crm_source"), "bitrix24"), {(COMPOUND, "crm_source, manager_id")})],
    ),
    "marts_dim_date": (
        {"date_day": [DAY, DAY + timedelta(days=1)]},
        [(lambda f: f.loc.__setitem__((1, "date_day"), DAY), {(UNIQUE, "date_day")})],
    ),
}
DEFECTS = [
    pytest.param(name, i, id=f"{name}-{i}")
    for name, (_, defects) in CASES.items()
    for i in range(len(defects))
]


def _failed(name: str, frame: pd.DataFrame) -> set[tuple[str, str]]:
    outcome = validate(SUITES[name], frame)
    failed = {(f.expectation, f.column) for f in outcome.failures}
    assert outcome.success == (not failed)
    return failed


@pytest.mark.parametrize("name", CASES)
def test_clean_frame_passes(name: str) -> None:
    outcome = validate(SUITES[name], pd.DataFrame(CASES[name][0]))
    assert outcome.success, outcome.metadata()["failures"]
    assert outcome.skipped == []  # every rule ran


@pytest.mark.parametrize(("name", "index"), DEFECTS)
def test_planted_defect_fails_naming_its_rule(name: str, index: int) -> None:
    clean, defects = CASES[name]
    plant, expected = defects[index]
    frame = pd.DataFrame(clean)
    plant(frame)
    assert _failed(name, frame) == expected


def test_a_decision_on_no_spend_fails_the_conditional_rule_only() -> None:
    """`stop` is a valid decision, but not where nothing was spent: one rule of three fails."""
    frame = pd.DataFrame(CASES["marts_mart_channel_scorecard"][0])
    frame.loc[1, "decision"] = "stop"
    outcome = validate(SUITES["marts_mart_channel_scorecard"], frame)
    assert [f.samples for f in outcome.failures] == [["stop"]]
    frame.loc[[0, 1], "decision"] = ["no_spend", "no_spend"]  # spent 100, no verdict
    assert [f.samples for f in validate(SUITES["marts_mart_channel_scorecard"], frame).failures] == [
        ["no_spend"]
    ]


def test_two_crms_giving_one_manager_id_to_two_people_keep_a_row_each() -> None:
    frame = pd.DataFrame(CASES["marts_mart_manager_performance"][0])
    frame.loc[1, ["channel", "manager_name"]] = ["Paid Search", "Taras"]
    assert _failed("marts_mart_manager_performance", frame) == set()
    frame.loc[1, "manager_name"] = "Olena"
    assert {rule for rule, _ in _failed("marts_mart_manager_performance", frame)} == {COMPOUND}


def test_blocking_follows_what_the_table_feeds() -> None:
    blocking = {
        "bitrix24_contacts", "marts_mart_channel_scorecard",
        "marts_mart_campaign_performance", "marts_mart_attribution_comparison",
        "marts_mart_budget_pacing", "marts_mart_cohorts", "marts_fct_deals",
    }
    assert {name for name in CASES if SUITES[name].blocking} == blocking


def test_big_tables_are_read_for_recent_days_only() -> None:
    for name in ("google_ads_keyword_stats", "google_ads_ad_group_stats", "ga4_daily_traffic"):
        assert "current_date" in SUITES[name].sql(), name
    assert "max(\"date\")" in SUITES["marts_mart_campaign_performance"].sql()


def test_sessions_are_checked_on_the_last_five_weeks_of_the_data() -> None:
    """100 days of sessions, 3 a day: the suite reads the 36 days from the data's latest date back
    35 days; a session id repeated in them fails the suite, one repeated only earlier is not read
    (dbt's uniqueness test covers the whole table)."""
    import duckdb

    latest = date(2026, 3, 31)
    rows = [(f"s{day}-{n}", latest - timedelta(days=day), "spring", "Paid Search")
            for day in range(100) for n in range(3)]
    connection = duckdb.connect()
    connection.execute("create schema marts")
    connection.execute("create table marts.fct_sessions (session_id text, session_date date, "
                       "utm_campaign text, channel text)")
    connection.executemany("insert into marts.fct_sessions values (?, ?, ?, ?)", rows)
    spec = SUITES["marts_fct_sessions"]

    frame = connection.execute(spec.sql()).df()
    assert len(frame) == 36 * 3
    assert frame["session_date"].min() == pd.Timestamp(latest - timedelta(days=35))
    connection.execute("insert into marts.fct_sessions values ('s99-0', date '2025-12-22', 'x', 'Email')")
    assert validate(spec, connection.execute(spec.sql()).df()).success
    connection.execute("insert into marts.fct_sessions values ('s0-0', date '2026-03-30', 'x', 'Email')")
    outcome = validate(spec, connection.execute(spec.sql()).df())
    assert [(f.expectation, f.column, f.unexpected_count) for f in outcome.failures] == [
        (UNIQUE, "session_id", 2)
    ]
