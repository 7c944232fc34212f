"""One suite per raw table (docs/DATA_CONTRACTS.md section 2), checked as each table lands.

Blocking where a wrong row would make a report wrong (spend, leads, deals, rates); the rest
warn.
"""

from __future__ import annotations

from great_expectations import expectations as gxe
from great_expectations.expectations import Expectation

from expectations.suites.common import (
    CURRENCIES,
    SuiteSpec,
    keys,
    not_future,
    not_negative,
    one_of,
)

AD_METRICS = ("cost_micros", "cost", "impressions", "clicks")
SEMANTICS = ("P", "S", "F")


def google_ads_campaign_stats() -> list[Expectation]:
    return [
        *keys("customer_id", "campaign_id", "date"),
        *not_negative(*AD_METRICS),
        *one_of("currency_code", CURRENCIES),
        *not_future("date"),
    ]


def google_ads_ad_stats() -> list[Expectation]:
    return [
        *keys("customer_id", "ad_group_id", "ad_id", "date"),
        *not_negative(*AD_METRICS),
        *one_of("currency_code", CURRENCIES),
        *not_future("date"),
    ]


def meta_ads_ad_insights() -> list[Expectation]:
    return [
        *keys("ad_id", "date_start"),
        *not_negative("spend", "impressions", "clicks", "leads"),
        *one_of("account_currency", CURRENCIES),
        *not_future("date_start"),
    ]


def ga4_events() -> list[Expectation]:
    return [
        # one row per event, and an event has no id of its own: require its fields only
        gxe.ExpectColumnValuesToNotBeNull(column="event_timestamp"),
        gxe.ExpectColumnValuesToNotBeNull(column="event_name"),
        gxe.ExpectColumnValuesToNotBeNull(column="user_pseudo_id"),
        *not_future("event_date", "event_at"),
    ]


def bitrix24_leads() -> list[Expectation]:
    return [
        *keys("id"),
        *one_of("status_semantic_id", SEMANTICS),
        *one_of("currency_id", CURRENCIES),
        *not_negative("opportunity"),
        *not_future("date_create"),
    ]


def bitrix24_deals() -> list[Expectation]:
    return [
        *keys("id"),
        *one_of("stage_semantic_id", SEMANTICS),
        *one_of("closed", ("Y", "N")),
        *one_of("currency_id", CURRENCIES),
        *not_negative("opportunity"),
        *not_future("date_create", "closedate"),
    ]


def crm_file_leads() -> list[Expectation]:
    return [*keys("lead_id"), *not_future("created_at")]


def crm_file_deals() -> list[Expectation]:
    return [
        *keys("deal_id"),
        *one_of("stage", ("won", "lost", "open")),
        *one_of("currency", CURRENCIES),
        *not_negative("amount"),
        *not_future("created_at", "closed_at"),
    ]


def calltracking_calls() -> list[Expectation]:
    return [
        *keys("call_id"),
        *one_of("direction", ("inbound", "outbound")),
        *not_negative("wait_seconds", "duration_seconds", "talk_seconds"),
        *not_future("started_at"),
    ]


def manual_costs_costs() -> list[Expectation]:
    return [
        *keys("source_file", "row_number"),
        *not_negative("amount"),
        *one_of("currency", CURRENCIES),
    ]


def fx_rates_rates() -> list[Expectation]:
    return [
        *keys("currency", "rate_date"),
        *not_negative("rate"),
        *not_future("rate_date"),
    ]


# GA4 export holds millions of events: the suite reads the last days only.
RECENT_EVENTS_SQL = (
    "select event_date, event_timestamp, event_at, event_name, user_pseudo_id "
    "from raw_ga4.events where event_date >= current_date - 3"
)
BITRIX_LEAD_CASTS = {"opportunity": "number", "date_create": "time"}
BITRIX_DEAL_CASTS = {**BITRIX_LEAD_CASTS, "closedate": "time"}
CRM_FILE_CASTS = {"created_at": "time", "closed_at": "time", "amount": "number"}

RAW_SUITES = [
    SuiteSpec(("google_ads", "campaign_stats"), google_ads_campaign_stats, blocking=True),
    SuiteSpec(("google_ads", "ad_stats"), google_ads_ad_stats, blocking=True),
    SuiteSpec(("meta_ads", "ad_insights"), meta_ads_ad_insights, blocking=True),
    SuiteSpec(("ga4", "events"), ga4_events, blocking=False, query=RECENT_EVENTS_SQL),
    SuiteSpec(("bitrix24", "leads"), bitrix24_leads, True, casts=BITRIX_LEAD_CASTS),
    SuiteSpec(("bitrix24", "deals"), bitrix24_deals, True, casts=BITRIX_DEAL_CASTS),
    SuiteSpec(("crm_file", "leads"), crm_file_leads, True, casts=CRM_FILE_CASTS),
    SuiteSpec(("crm_file", "deals"), crm_file_deals, True, casts=CRM_FILE_CASTS),
    SuiteSpec(("calltracking", "calls"), calltracking_calls, False, casts={"started_at": "time"}),
    SuiteSpec(("manual_costs", "costs"), manual_costs_costs, True, casts={"amount": "number"}),
    SuiteSpec(("fx_rates", "rates"), fx_rates_rates, blocking=True),
]
