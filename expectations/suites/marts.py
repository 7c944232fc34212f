"""One suite per mart and fact the BI and the health checks read (ARCHITECTURE.md "Marts").

Contract columns present, keys unique, ratios NULL where their denominator is 0, and
attribution conservation: per model, attributed leads sum to the plain lead count.
"""

from __future__ import annotations

from great_expectations import expectations as gxe
from great_expectations.expectations import Expectation

from expectations.suites.common import (
    SuiteSpec,
    columns_exist,
    keys,
    money_not_negative,
    not_negative,
    null_when_zero,
)

ATTRIBUTION_MODELS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "position_based",
    "time_decay",
    "markov",
)
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
# Attributed leads may differ from the plain count by float rounding only.
CONSERVATION_TOLERANCE = 1e-6


def channel_performance() -> list[Expectation]:
    return [
        *columns_exist(("date", "channel", "attribution_model", *ADDITIVE)),
        *columns_exist(("cpl", "cac", "roas", "romi_pct")),
        *keys("date", "channel", "attribution_model"),
        *money_not_negative("spend", "revenue"),
        *not_negative("sessions", "leads"),
        *null_when_zero("cpl", "leads"),
        *null_when_zero("cac", "new_customers"),
        *null_when_zero("roas", "spend"),
        *null_when_zero("romi_pct", "spend"),
        gxe.ExpectColumnValuesToBeInSet(
            column="attribution_model", value_set=list(ATTRIBUTION_MODELS)
        ),
    ]


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


# Per model: attributed leads minus the leads that have attribution rows at all.
CONSERVATION_SQL = """
with per_model as (
    select
        attribution_model,
        sum(leads) as attributed_leads,
        count(distinct conversion_id) as plain_leads
    from marts.fct_attribution
    where conversion_type = 'lead'
    group by attribution_model
)

select
    attribution_model,
    attributed_leads,
    plain_leads,
    attributed_leads - plain_leads as lead_gap
from per_model
"""


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
    SuiteSpec(("marts", "fct_sessions"), fct_sessions, blocking=False),
]
