"""One suite per raw table (docs/DATA_CONTRACTS.md section 2), checked as each table lands.

Blocking where a wrong row would make a report wrong (spend, leads, deals, rates); the rest
warn.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from great_expectations import expectations as gxe
from great_expectations.expectations import Expectation

from expectations.suites.common import (
    SuiteSpec,
    currency_code,
    keys,
    not_future,
    not_negative,
    one_of,
    required,
)

AD_METRICS = ("cost_micros", "cost", "impressions", "clicks")
SEMANTICS = ("P", "S", "F")
# Google Ads KeywordMatchTypeEnum
MATCH_TYPES = ("EXACT", "PHRASE", "BROAD", "UNSPECIFIED", "UNKNOWN")
# crm.stagehistory.list TYPE_ID: 1 created, 2 moved to an intermediate stage, 3 to a final one
HISTORY_TYPES = ("1", "2", "3")


def google_ads_stats(*key: str) -> list[Expectation]:
    """A Google Ads daily stats table (searchStream rows) keyed by `key` and the date."""
    return [
        *keys("customer_id", *key, "date"),
        *not_negative(*AD_METRICS),
        *currency_code("currency_code"),
        *not_future("date"),
    ]


def google_ads_campaign_stats() -> list[Expectation]:
    return google_ads_stats("campaign_id")


def google_ads_ad_stats() -> list[Expectation]:
    return google_ads_stats("ad_group_id", "ad_id")


def google_ads_ad_group_stats() -> list[Expectation]:
    return google_ads_stats("ad_group_id")


def google_ads_keyword_stats() -> list[Expectation]:
    return [*google_ads_stats("ad_group_id", "criterion_id"), *one_of("match_type", MATCH_TYPES)]


def meta_ads_ads() -> list[Expectation]:
    return [*keys("id"), *not_future("updated_time")]


def ga4_daily_traffic() -> list[Expectation]:
    """Data API runReport rows: every dimension is a string ("(not set)" when empty)."""
    return [
        *keys(*GA4_REPORT_KEY),
        *not_negative("sessions", "total_users", "engaged_sessions", "key_events"),
        *not_future("date"),
    ]


def meta_ads_ad_insights() -> list[Expectation]:
    return [
        *keys("ad_id", "date_start"),
        *not_negative("spend", "impressions", "clicks", "leads"),
        *currency_code("account_currency"),
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
        *currency_code("currency_id"),
        *not_negative("opportunity"),
        *not_future("date_create"),
    ]


def bitrix24_deals() -> list[Expectation]:
    return [
        *keys("id"),
        *one_of("stage_semantic_id", SEMANTICS),
        *one_of("closed", ("Y", "N")),
        *currency_code("currency_id"),
        *not_negative("opportunity"),
        # not CLOSEDATE: an open deal's is the date it is planned to close (by default a week after
        # its creation), and a deal won early keeps it where the portal does not set it on closing
        *not_future("date_create"),
    ]


def bitrix24_contacts() -> list[Expectation]:
    return [*keys("id"), *not_future("date_create", "date_modify")]


def bitrix24_statuses() -> list[Expectation]:
    # SOURCE and DEAL_TYPE items carry no semantics (NULL); stages and statuses P, S or F
    return [*keys("entity_id", "status_id"), *one_of("semantics", SEMANTICS)]


def bitrix24_users() -> list[Expectation]:
    return [*keys("id")]


def stage_history(semantic: str) -> list[Expectation]:
    """crm.stagehistory.list rows: one per change of a lead's status or a deal's stage."""
    return [
        *keys("id"),
        *required("owner_id", "created_time"),
        *one_of("type_id", HISTORY_TYPES),
        *one_of(semantic, SEMANTICS),
        *not_future("created_time"),
    ]


def crm_file_leads() -> list[Expectation]:
    return [*keys("lead_id"), *not_future("created_at")]


def crm_file_deals() -> list[Expectation]:
    return [
        *keys("deal_id"),
        *one_of("stage", ("won", "lost", "open")),
        *currency_code("currency"),
        *not_negative("amount"),
        *not_future("created_at", "closed_at"),
    ]


def crm_file_managers() -> list[Expectation]:
    return [*keys("manager_id")]


def crm_file_lead_status_history() -> list[Expectation]:
    return [
        *keys("source_file", "row_number"),
        *required("lead_id", "changed_at"),
        *not_future("changed_at"),
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
        *currency_code("currency"),
    ]


def manual_costs_budget_plan() -> list[Expectation]:
    return [
        *keys("source_file", "row_number"),
        *required("month", "channel"),
        gxe.ExpectColumnValuesToMatchRegex(column="month", regex=MONTH_PATTERN),
        *not_negative("planned_spend"),
        *currency_code("currency"),
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
# Ad platforms restate about four weeks (the connectors' lookback): the loads touch those days.
RECENT_STATS_DAYS = 35


def recent_stats_suite(table: str, rules: Callable[[], list[Expectation]]) -> SuiteSpec:
    """A descriptive Google Ads table, read for the days the loads restate."""
    sql = f'select * from raw_google_ads.{table} where "date" >= current_date - {RECENT_STATS_DAYS}'
    return SuiteSpec(("google_ads", table), rules, blocking=False, query=sql)


def stage_history_suite(entity: str, semantic: str) -> SuiteSpec:
    rules = partial(stage_history, semantic)
    return SuiteSpec(("bitrix24", f"{entity}_stage_history"), rules, False, casts=HISTORY_CASTS)


GA4_REPORT_KEY = (
    "date",
    "session_source",
    "session_medium",
    "session_campaign_name",
    "session_manual_ad_content",
    "session_manual_term",
    "landing_page",
)
# The Data API report is re-read for its last days; its date is ISO text (older loads: YYYYMMDD,
# which sorts after any ISO date, so those rows are read too).
RECENT_TRAFFIC_SQL = (
    'select * from raw_ga4.daily_traffic where cast("date" as text) >= cast(current_date - 3 as text)'
)
MONTH_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])$"
BITRIX_LEAD_CASTS = {"opportunity": "number", "date_create": "time"}
BITRIX_DEAL_CASTS = {**BITRIX_LEAD_CASTS, "closedate": "time"}
BITRIX_CONTACT_CASTS = {"date_create": "time", "date_modify": "time"}
HISTORY_CASTS = {"created_time": "time"}
CRM_FILE_CASTS = {"created_at": "time", "closed_at": "time", "amount": "number"}

RAW_SUITES = [
    SuiteSpec(("google_ads", "campaign_stats"), google_ads_campaign_stats, blocking=True),
    SuiteSpec(("google_ads", "ad_stats"), google_ads_ad_stats, blocking=True),
    SuiteSpec(("meta_ads", "ad_insights"), meta_ads_ad_insights, blocking=True),
    # a property read through the Data API only has no BigQuery export's events
    SuiteSpec(("ga4", "events"), ga4_events, blocking=False, query=RECENT_EVENTS_SQL, optional=True),
    SuiteSpec(("bitrix24", "leads"), bitrix24_leads, True, casts=BITRIX_LEAD_CASTS),
    SuiteSpec(("bitrix24", "deals"), bitrix24_deals, True, casts=BITRIX_DEAL_CASTS),
    SuiteSpec(("crm_file", "leads"), crm_file_leads, True, casts=CRM_FILE_CASTS),
    SuiteSpec(("crm_file", "deals"), crm_file_deals, True, casts=CRM_FILE_CASTS),
    SuiteSpec(("calltracking", "calls"), calltracking_calls, False, casts={"started_at": "time"}),
    SuiteSpec(("manual_costs", "costs"), manual_costs_costs, True, casts={"amount": "number"}),
    SuiteSpec(("fx_rates", "rates"), fx_rates_rates, blocking=True),
    # the rest: descriptive tables and the plan (only budget pacing reads it) warn; contacts,
    # joined to leads and deals, block
    recent_stats_suite("ad_group_stats", google_ads_ad_group_stats),
    recent_stats_suite("keyword_stats", google_ads_keyword_stats),
    SuiteSpec(("meta_ads", "ads"), meta_ads_ads, False, casts={"updated_time": "time"}),
    SuiteSpec(
        ("ga4", "daily_traffic"),
        ga4_daily_traffic,
        blocking=False,
        query=RECENT_TRAFFIC_SQL,
        casts={"date": "time"},
        optional=True,
    ),
    SuiteSpec(("bitrix24", "contacts"), bitrix24_contacts, True, casts=BITRIX_CONTACT_CASTS),
    SuiteSpec(("bitrix24", "statuses"), bitrix24_statuses, blocking=False),
    SuiteSpec(("bitrix24", "users"), bitrix24_users, blocking=False),
    stage_history_suite("lead", "status_semantic_id"),
    stage_history_suite("deal", "stage_semantic_id"),
    SuiteSpec(("crm_file", "managers"), crm_file_managers, blocking=False, optional=True),
    SuiteSpec(("crm_file", "lead_status_history"), crm_file_lead_status_history, blocking=False,
              casts={"changed_at": "time"}, optional=True),
    SuiteSpec(("manual_costs", "budget_plan"), manual_costs_budget_plan, blocking=False,
              casts={"planned_spend": "number"}, optional=True),
]
