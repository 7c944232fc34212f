"""One suite per mart and fact the BI and the health checks read (ARCHITECTURE.md "Marts").

Contract columns present, grain keys unique, counts and money >= 0, ratios NULL where their
denominator is 0, shares of a whole in [0, 1], the budget decision in its set, and attribution
conservation: per model, attributed leads sum to the plain lead count. Only rules the
definitions make true for any correct data (leads may exceed sessions: no bound on those rates).
"""

from __future__ import annotations

from functools import partial

from great_expectations import expectations as gxe
from great_expectations.expectations import Expectation

from expectations.suites.common import (
    SuiteSpec,
    at_most,
    columns_exist,
    keys,
    money_not_negative,
    not_future,
    not_negative,
    null_when_zero,
    one_of,
    rates,
    required,
    unique_together,
)
from throughline.settings import ATTRIBUTION_MODELS

ADDITIVE = (
    "spend",
    "impressions",
    "clicks",
    "sessions",
    "leads",
    "qualified_leads",
    "deals_won",
    "new_customers",
    "revenue",
)
# Each ratio and its denominator ("Money and metric definitions").
RATIOS = {
    "cpl": "leads",
    "cost_per_qualified_lead": "qualified_leads",
    "cac": "new_customers",
    "roas": "spend",
    "romi_pct": "spend",
    "session_to_lead_rate": "sessions",
    "lead_to_deal_rate": "leads",
}
ALL_RATIOS = tuple(RATIOS)
DAILY_RATIOS = ("cpl", "cac", "roas", "romi_pct")
DECISIONS = ("scale", "optimize", "stop", "no_spend")
# Attributed leads may differ from the plain count by float rounding only.
CONSERVATION_TOLERANCE = 1e-6


def ratios(*names: str) -> list[Expectation]:
    """NULL over a zero denominator; never negative, except ROMI (spend above revenue)."""
    return [
        *(rule for name in names for rule in null_when_zero(name, RATIOS[name])),
        *money_not_negative(*(name for name in names if name != "romi_pct")),
    ]


def performance(*ratio_names: str) -> list[Expectation]:
    """The measures of a performance mart per attribution model: present, ≥ 0, ratios."""
    return [
        *columns_exist(("attribution_model", *ADDITIVE, *ratio_names)),
        *one_of("attribution_model", ATTRIBUTION_MODELS),
        *money_not_negative("spend", "revenue"),
        *not_negative(*(m for m in ADDITIVE if m not in ("spend", "revenue"))),
        *ratios(*ratio_names),
    ]


def decision() -> list[Expectation]:
    """The budget decision: one of four, and `no_spend` exactly where nothing was spent."""
    return [
        *one_of("decision", DECISIONS),
        *one_of("decision", ("no_spend",), where="spend == 0"),
        *one_of("decision", ("scale", "optimize", "stop"), where="spend != 0"),
    ]


def channel_performance() -> list[Expectation]:
    return [
        *columns_exist(("date", "channel")),
        *performance(*DAILY_RATIOS),
        *keys("date", "channel", "attribution_model"),
    ]


def channel_scorecard() -> list[Expectation]:
    return [
        *columns_exist(("period_grain", "period_start", "channel", "decision")),
        *performance(*ALL_RATIOS),
        *keys("period_grain", "period_start", "channel", "attribution_model"),
        *one_of("period_grain", ("week", "month")),
        *decision(),
    ]


CAMPAIGN_GRAIN = (
    "date",
    "platform",
    "campaign_id",
    "campaign_name",
    "ad_group_id",
    "ad_id",
    "utm_content",
    "utm_term",
)


def campaign_performance() -> list[Expectation]:
    # traffic no campaign carries has no platform or campaign: only date and model are required
    return [
        *columns_exist(CAMPAIGN_GRAIN),
        *performance(*ALL_RATIOS),
        *required("date", "attribution_model"),
        *unique_together(*CAMPAIGN_GRAIN, "attribution_model"),
    ]


def touch_paths() -> list[Expectation]:
    return [
        *columns_exist(("path", "conversion_type", "conversions", "revenue")),
        *columns_exist(("avg_path_length", "avg_days_to_convert")),
        *keys("path", "conversion_type"),
        *one_of("conversion_type", ("lead", "deal")),
        # a path is there because conversions took it, each with at least one touch
        gxe.ExpectColumnValuesToBeBetween(column="conversions", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="avg_path_length", min_value=1),
        *not_negative("avg_days_to_convert"),
        *money_not_negative("revenue"),
        gxe.ExpectColumnValuesToBeNull(
            column="revenue", row_condition='conversion_type == "lead"', condition_parser="pandas"
        ),
    ]


def attribution_comparison() -> list[Expectation]:
    return [
        *columns_exist(("channel", "attribution_model", "leads", "new_customers", "revenue")),
        *columns_exist(("spend", "romi_pct")),
        *keys("channel", "attribution_model"),
        *one_of("attribution_model", ATTRIBUTION_MODELS),
        *money_not_negative("spend", "revenue"),
        *not_negative("leads", "new_customers"),
        *ratios("romi_pct", "cac"),
    ]


def manager_performance() -> list[Expectation]:
    counts = ("leads_assigned", "leads_processed", "leads_non_target", "deals_won")
    return [
        *columns_exist(("date", "manager_id", "manager_name", "channel", *counts)),
        *columns_exist(("non_target_rate", "median_first_response_minutes", "win_rate")),
        *columns_exist(("revenue",)),
        # two CRMs may give one id to different managers: the mart keeps a row for each name
        *unique_together("date", "manager_id", "manager_name", "channel"),
        *required("date", "manager_id"),
        *not_negative(*counts, "deals_lost", "median_first_response_minutes"),
        *money_not_negative("revenue"),
        *at_most("leads_processed", "leads_assigned"),
        *at_most("leads_non_target", "leads_assigned"),
        *null_when_zero("non_target_rate", "leads_assigned"),
        *null_when_zero("win_rate", "deals_won + deals_lost"),
        *rates("non_target_rate", "win_rate"),
    ]


def call_quality() -> list[Expectation]:
    counts = ("calls", "answered", "missed", "missed_called_back", "first_time_callers")
    return [
        *columns_exist(("date", "manager_id", "channel", *counts, "calls_to_leads")),
        *columns_exist(("missed_rate", "avg_wait_seconds", "callback_rate")),
        *columns_exist(("median_callback_minutes",)),
        *unique_together("date", "manager_id", "channel"),
        *required("date", "manager_id"),
        *not_negative(*counts, "calls_to_leads", "avg_wait_seconds", "median_callback_minutes"),
        *at_most("answered", "calls"),
        *at_most("missed", "calls"),
        *at_most("first_time_callers", "calls"),
        *at_most("calls_to_leads", "calls"),
        *at_most("missed_called_back", "missed"),
        *null_when_zero("missed_rate", "calls"),
        *null_when_zero("callback_rate", "missed"),
        *rates("missed_rate", "callback_rate"),
    ]


def budget_pacing() -> list[Expectation]:
    money = ("planned_spend", "actual_spend", "projected_spend")
    return [
        *columns_exist(("month", "channel", "campaign_id", *money)),
        *columns_exist(("pacing_pct", "days_elapsed_pct")),
        *unique_together("month", "channel", "campaign_id"),
        *required("month", "channel"),
        *money_not_negative(*money, "pacing_pct"),
        *null_when_zero("pacing_pct", "planned_spend"),
        gxe.ExpectColumnValuesToBeBetween(column="days_elapsed_pct", min_value=0, max_value=100),
    ]


def cohorts() -> list[Expectation]:
    money = ("revenue", "cumulative_revenue", "ltv", "cac", "ltv_to_cac")
    return [
        *columns_exist(("cohort_month", "acquisition_channel", "months_since", "customers")),
        *columns_exist(("repeat_customers", *money)),
        *keys("cohort_month", "acquisition_channel", "months_since"),
        *not_negative("months_since", "repeat_customers"),
        # a cohort is the customers whose first deal was won that month: never empty
        gxe.ExpectColumnValuesToBeBetween(column="customers", min_value=1),
        *at_most("repeat_customers", "customers"),
        *money_not_negative(*money),
        *null_when_zero("ltv_to_cac", "cac"),
    ]


def fct_deals() -> list[Expectation]:
    return [
        *columns_exist(("deal_id", "crm_source", "lead_id", "created_at", "closed_at")),
        *columns_exist(("is_won", "is_lost", "won_date", "amount", "currency", "revenue")),
        *keys("crm_source", "deal_id"),
        *money_not_negative("amount", "revenue"),
        # a deal is won, lost or open: never both
        *one_of("is_lost", (False,), where="is_won == True"),
        *not_future("created_at"),
    ]


def dim_campaign() -> list[Expectation]:
    return [*keys("platform", "campaign_id"), *at_most("first_spend_date", "last_spend_date")]


def data_health() -> list[Expectation]:
    counts = (
        "rows_loaded",
        "leads_without_source",
        "leads_matched_by_client_id",
        "leads_matched_by_phone",
        "leads_matched_by_utm",
        "leads_unmatched",
        "spend_without_sessions",
        "sessions_unknown_campaign",
        "duplicate_leads",
    )
    return [
        *columns_exist(("date", "source", "last_loaded_at", *counts)),
        *keys("date", "source"),
        *not_negative(*counts),
    ]


def attribution_conservation() -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="attribution_model", value_set=list(ATTRIBUTION_MODELS)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="lead_gap",
            min_value=-CONSERVATION_TOLERANCE,
            max_value=CONSERVATION_TOLERANCE,
        ),
    ]


# Per model (every one of them, even one with no rows): attributed leads minus every lead of the
# leads fact. Each lead has a path (a synthetic touch when nothing else), so each model must
# credit each lead exactly once.
CONSERVATION_SQL = f"""
with models (attribution_model) as (
    values {", ".join(f"('{model}')" for model in ATTRIBUTION_MODELS)}
),

per_model as (
    select attribution_model, sum(leads) as attributed_leads
    from marts.fct_attribution
    where conversion_type = 'lead'
    group by attribution_model
),

all_leads as (
    select count(*) as plain_leads from marts.fct_leads
)

select
    m.attribution_model,
    coalesce(p.attributed_leads, 0) as attributed_leads,
    l.plain_leads,
    coalesce(p.attributed_leads, 0) - l.plain_leads as lead_gap
from models as m
left join per_model as p on p.attribution_model = m.attribution_model
cross join all_leads as l
"""


# Tables that grow with the history (campaign x ad x creative x keyword x model per day, one
# row per session) are read for the data's last weeks, judged on the data's own latest date:
# the days a daily run rebuilds. A whole ten-million-session table read into pandas took a
# minute and 12 GiB; dbt's tests check every session's id, present and unique.
RECENT_DAYS = 35


def recent_rows_sql(table: str, date_column: str, days: int = RECENT_DAYS) -> str:
    return (
        f"select * from {table} "
        f"where {date_column} >= (select max({date_column}) from {table}) - {days}"
    )


def fct_leads() -> list[Expectation]:
    return [
        *columns_exist(("lead_id", "crm_source", "created_at", "lead_date", "manager_id")),
        *columns_exist(("utm_source", "utm_campaign", "is_untagged", "match_method")),
        *keys("crm_source", "lead_id"),
    ]


def fct_calls() -> list[Expectation]:
    return [
        *columns_exist(("call_id", "started_at", "call_date", "is_missed", "manager_id")),
        *keys("call_id"),
        *not_negative("wait_seconds", "talk_seconds", "duration_seconds"),
    ]


def fct_ad_spend() -> list[Expectation]:
    return [
        *columns_exist(("spend_date", "platform", "campaign_id", "campaign_name", "channel")),
        *money_not_negative("cost", "spend"),
        *not_negative("impressions", "clicks"),
        gxe.ExpectColumnValuesToNotBeNull(column="spend"),
    ]


def fct_sessions() -> list[Expectation]:
    return [
        *columns_exist(("session_id", "session_date", "utm_campaign", "channel")),
        *keys("session_id"),
    ]


MART_SUITES = [
    SuiteSpec(("marts", "mart_channel_performance"), channel_performance, blocking=True),
    SuiteSpec(("marts", "mart_data_health"), data_health, blocking=False),
    SuiteSpec(("marts", "fct_attribution"), attribution_conservation, True, query=CONSERVATION_SQL),
    SuiteSpec(("marts", "fct_leads"), fct_leads, blocking=True),
    SuiteSpec(("marts", "fct_calls"), fct_calls, blocking=False),
    SuiteSpec(("marts", "fct_ad_spend"), fct_ad_spend, blocking=True),
    SuiteSpec(
        ("marts", "fct_sessions"),
        fct_sessions,
        blocking=False,
        query=recent_rows_sql("marts.fct_sessions", "session_date"),
    ),
    SuiteSpec(("marts", "mart_channel_scorecard"), channel_scorecard, blocking=True),
    SuiteSpec(
        ("marts", "mart_campaign_performance"),
        campaign_performance,
        blocking=True,
        query=recent_rows_sql("marts.mart_campaign_performance", '"date"'),
    ),
    SuiteSpec(("marts", "mart_touch_paths"), touch_paths, blocking=False),
    SuiteSpec(("marts", "mart_attribution_comparison"), attribution_comparison, blocking=True),
    SuiteSpec(("marts", "mart_manager_performance"), manager_performance, blocking=False),
    SuiteSpec(("marts", "mart_call_quality"), call_quality, blocking=False),
    SuiteSpec(("marts", "mart_budget_pacing"), budget_pacing, blocking=True),
    SuiteSpec(("marts", "mart_cohorts"), cohorts, blocking=True),
    SuiteSpec(("marts", "fct_deals"), fct_deals, blocking=True),
    SuiteSpec(("marts", "dim_campaign"), dim_campaign, blocking=False),
    SuiteSpec(("marts", "dim_channel"), partial(keys, "channel"), blocking=False),
    SuiteSpec(("marts", "dim_manager"), partial(keys, "crm_source", "manager_id"), blocking=False),
    SuiteSpec(("marts", "dim_date"), partial(keys, "date_day"), blocking=False),
]
