"""A hand-made business of a few visitors, leads, deals and calls, as RAW tables.

Every expected figure in test_golden_scenario.py is worked out by hand from ARCHITECTURE.md;
the comments there show the arithmetic. Times are UTC; in September 2026 Kyiv is UTC+3.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

UTC = UTC


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def kyiv(moment: datetime) -> str:
    """Bitrix24 style: ISO-8601 with the portal's +03:00 offset."""
    return (moment + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+03:00")


def session_events(
    client_id: str,
    session_id: int,
    start: str,
    source: str | None = None,
    medium: str | None = None,
    campaign: str | None = None,
) -> list[dict[str, Any]]:
    at = ts(start)
    return [
        {
            "event_date": at.date(),
            "event_timestamp": int(at.timestamp() * 1_000_000),
            "event_at": at,
            "event_name": "session_start",
            "user_pseudo_id": client_id,
            "ga_session_id": session_id,
            "source": source,
            "medium": medium,
            "campaign": campaign,
        }
    ]


def events() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    # v1: Paid Search (campaign by id) -> Direct -> Paid Social (campaign by messy name)
    rows += session_events("v1", 1, "2026-09-01T09:00:00", "Google", "cpc", "101")
    rows += session_events("v1", 2, "2026-09-03T09:00:00")
    rows += session_events("v1", 3, "2026-09-04T09:00:00", "facebook", "cpc", "Leads%20Broad")
    # v2: five touches, two at the same instant (ordered by id), then organic and two direct
    rows += session_events("v2", 1001, "2026-09-02T10:00:00", "newsletter", "email", "sept")
    rows += session_events("v2", 1002, "2026-09-02T10:00:00", "telegram", "messenger", "bot")
    rows += session_events("v2", 1003, "2026-09-03T10:00:00", "google", "organic")
    rows += session_events("v2", 1004, "2026-09-04T10:00:00")
    rows += session_events("v2", 1005, "2026-09-05T10:00:00")
    # v3: a YouTube ad session, then a call on a dynamic number
    rows += session_events("v3", 1, "2026-09-08T08:40:00", "youtube", "cpv", "video_1")
    # v4: one session exactly 90 x 24 h before its lead (inside), one a second earlier (outside)
    rows += session_events("v4", 1, "2026-06-07T08:59:59", "google", "organic")
    rows += session_events("v4", 2, "2026-06-07T09:00:00", "clutch.co", "referral")
    # a bot id: 51 sessions on one day
    for i in range(51):
        rows += session_events("bot", 5000 + i, f"2026-09-02T05:{i:02d}:00", "google", "organic")
    return rows


def lead(
    lead_id: str,
    created: str,
    *,
    client_id: str | None = None,
    phone: str | None = None,
    status: str = "IN_PROCESS",
    semantic: str = "P",
    manager: str = "1",
    utm: tuple[str | None, str | None, str | None] = (None, None, None),
    contact_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": lead_id,
        "title": f"Lead {lead_id}",
        "status_id": status,
        "status_semantic_id": semantic,
        "source_id": "WEB",
        "assigned_by_id": manager,
        "contact_id": contact_id,
        "date_create": kyiv(ts(created)),
        "date_modify": kyiv(ts(created)),
        "utm_source": utm[0],
        "utm_medium": utm[1],
        "utm_campaign": utm[2],
        "phone_e164": phone,
        "client_id": client_id,
    }


def leads() -> list[dict[str, Any]]:
    return [
        lead("L1", "2026-09-05T09:00:00", client_id="v1", phone="+380671111111", contact_id="C1"),
        lead(
            "L2",
            "2026-09-05T12:00:00",
            client_id="v2",
            phone="+380672222222",
            status="JUNK",
            semantic="F",
            manager="2",
        ),
        lead(
            "L3",
            "2026-09-06T09:00:00",
            phone="+380501112233",
            utm=("Webinar", " webinar ", "Webinar_2026-09-05"),
        ),
        lead("L4", "2026-09-07T09:00:00", phone="+380509998877"),
        lead("L5", "2026-09-08T09:00:00", phone="+380673333333"),
        lead("L6", "2026-09-02T20:00:00", client_id="bot", utm=("google", "cpc", "101")),
        lead("L7", "2026-09-05T09:00:00", client_id="v4", phone="+380674444444"),
    ]


def stage_history() -> list[dict[str, Any]]:
    # L1 answered 30 minutes after creation, L2 after 90 minutes; the others untouched.
    rows = []
    for n, (lead_id, created, minutes) in enumerate(
        [("L1", "2026-09-05T09:00:00", 30), ("L2", "2026-09-05T12:00:00", 90)]
    ):
        rows.append(
            {
                "id": str(10 + 2 * n),
                "type_id": "1",
                "owner_id": lead_id,
                "created_time": kyiv(ts(created)),
                "status_id": "NEW",
                "status_semantic_id": "P",
            }
        )
        rows.append(
            {
                "id": str(11 + 2 * n),
                "type_id": "2",
                "owner_id": lead_id,
                "created_time": kyiv(ts(created) + timedelta(minutes=minutes)),
                "status_id": "IN_PROCESS",
                "status_semantic_id": "P",
            }
        )
    return rows


def deals() -> list[dict[str, Any]]:
    return [
        # won from L1 in USD, closed 2026-09-20 10:00 Kyiv: 100 USD x 42 = 4 200 UAH
        {
            "id": "D1",
            "lead_id": "L1",
            "contact_id": "C1",
            "stage_id": "WON",
            "stage_semantic_id": "S",
            "closed": "Y",
            "closedate": kyiv(ts("2026-09-20T07:00:00")),
            "date_create": kyiv(ts("2026-09-06T09:00:00")),
            "opportunity": "100.00",
            "currency_id": "USD",
            "assigned_by_id": "1",
        },
        # lost from L5
        {
            "id": "D2",
            "lead_id": "L5",
            "contact_id": None,
            "stage_id": "LOSE",
            "stage_semantic_id": "F",
            "closed": "Y",
            "closedate": kyiv(ts("2026-09-12T07:00:00")),
            "date_create": kyiv(ts("2026-09-09T09:00:00")),
            "opportunity": "500.00",
            "currency_id": "UAH",
            "assigned_by_id": "1",
        },
        # a repeat sale to L1's contact, without a lead: 1 000 UAH, won 2026-10-05
        {
            "id": "D3",
            "lead_id": None,
            "contact_id": "C1",
            "stage_id": "WON",
            "stage_semantic_id": "S",
            "closed": "Y",
            "closedate": kyiv(ts("2026-10-05T07:00:00")),
            "date_create": kyiv(ts("2026-10-01T09:00:00")),
            "opportunity": "1000.00",
            "currency_id": "UAH",
            "assigned_by_id": "1",
        },
    ]


def calls() -> list[dict[str, Any]]:
    return [
        # dynamic number, carries v3: links L5 (same phone) to v3
        {
            "call_id": "CALL1",
            "started_at": ts("2026-09-08T08:50:00"),
            "direction": "inbound",
            "answered": True,
            "wait_seconds": 12,
            "caller_phone_e164": "+380673333333",
            "tracking_number": "+380441000001",
            "source_name": "YouTube",
            "client_id": "v3",
            "manager": "Olena Petrenko",
        },
        # static billboard number: missed, called back 120 minutes later
        {
            "call_id": "CALL2",
            "started_at": ts("2026-09-09T10:00:00"),
            "direction": "inbound",
            "answered": False,
            "wait_seconds": 40,
            "caller_phone_e164": "+380931110000",
            "tracking_number": "+380442000002",
            "source_name": "Billboard",
            "client_id": None,
            "manager": None,
        },
        {
            "call_id": "CALL3",
            "started_at": ts("2026-09-09T12:00:00"),
            "direction": "outbound",
            "answered": True,
            "wait_seconds": 0,
            "caller_phone_e164": "+380931110000",
            "tracking_number": "+380442000002",
            "source_name": "Billboard",
            "client_id": None,
            "manager": "Olena Petrenko",
        },
    ]


def fx_rates() -> list[dict[str, Any]]:
    rows = []
    day = ts("2026-06-01T00:00:00").date()
    while day <= ts("2026-10-31T00:00:00").date():
        usd = 42.0 if day == ts("2026-09-20T00:00:00").date() else 41.0
        rows.append({"currency": "USD", "rate": usd, "rate_date": day})
        rows.append({"currency": "EUR", "rate": 45.0, "rate_date": day})
        day += timedelta(days=1)
    return rows


def raw_tables() -> dict[str, pd.DataFrame]:
    """`schema.table` -> frame, exactly the raw contract's column names."""
    return {
        "raw_ga4.events": pd.DataFrame(events()),
        "raw_bitrix24.leads": pd.DataFrame(leads()),
        "raw_bitrix24.deals": pd.DataFrame(deals()),
        "raw_bitrix24.contacts": pd.DataFrame(
            [
                {
                    "id": "C1",
                    "phone_e164": "+380671111111",
                    "date_create": kyiv(ts("2026-09-05T09:00:00")),
                }
            ]
        ),
        "raw_bitrix24.users": pd.DataFrame(
            [
                {
                    "id": "1",
                    "name": "Olena",
                    "last_name": "Petrenko",
                    "email": "olena@example.ua",
                    "active": True,
                },
                {
                    "id": "2",
                    "name": "Taras",
                    "last_name": "Koval",
                    "email": "taras@example.ua",
                    "active": True,
                },
            ]
        ),
        "raw_bitrix24.lead_stage_history": pd.DataFrame(stage_history()),
        "raw_calltracking.calls": pd.DataFrame(calls()),
        "raw_fx_rates.rates": pd.DataFrame(fx_rates()),
        "raw_google_ads.campaign_stats": pd.DataFrame(
            [
                {
                    "customer_id": "1111111111",
                    "currency_code": "UAH",
                    "date": ts("2026-09-01T00:00:00").date(),
                    "campaign_id": "101",
                    "campaign_name": "Search Brand",
                    "advertising_channel_type": "SEARCH",
                    "cost_micros": 1_000_000_000,
                    "cost": 1000.0,
                    "impressions": 1000,
                    "clicks": 100,
                },
            ]
        ),
        "raw_meta_ads.ad_insights": pd.DataFrame(
            [
                {
                    "account_id": "777",
                    "account_currency": "USD",
                    "campaign_id": "201",
                    "campaign_name": "Leads Broad",
                    "adset_id": "s1",
                    "adset_name": "Kyiv 25-45",
                    "ad_id": "a1",
                    "ad_name": "video_v1",
                    "date_start": ts("2026-09-02T00:00:00").date(),
                    "spend": 10.0,
                    "impressions": 500,
                    "clicks": 20,
                    "leads": 1,
                },
            ]
        ),
        "raw_manual_costs.costs": pd.DataFrame(
            [
                {
                    "date_from": ts("2026-09-01T00:00:00").date(),
                    "date_to": ts("2026-09-10T00:00:00").date(),
                    "channel": "Webinars",
                    "campaign": "webinar_2026-09-05",
                    "amount": 500.0,
                    "currency": "UAH",
                    "description": "Webinar production",
                    "source_file": "costs.csv",
                    "row_number": 2,
                },
            ]
        ),
    }


def restated_crm(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The CRM tables a week later, with no new touch anywhere near them: L1 marked junk, its
    deal D1 restated from 100 to 150 USD (6 300 UAH at the close day's 42) and the repeat deal
    D3 closed a day later, on 2026-10-06."""
    leads = tables["raw_bitrix24.leads"].copy()
    leads.loc[leads["id"] == "L1", ["status_id", "status_semantic_id"]] = ["JUNK", "F"]
    deals = tables["raw_bitrix24.deals"].copy()
    deals.loc[deals["id"] == "D1", "opportunity"] = "150.00"
    deals.loc[deals["id"] == "D3", "closedate"] = kyiv(ts("2026-10-06T07:00:00"))
    return {"raw_bitrix24.leads": leads, "raw_bitrix24.deals": deals}
