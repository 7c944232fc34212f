"""Budget pacing (ARCHITECTURE.md "Budget pacing"): plans against spend to date, in the
reporting currency. Figures worked out by hand from the golden costs and a plan for this month,
dated relative to today in the business time zone."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from tests.dbt import golden
from throughline.warehouse import Warehouse

TODAY = datetime.now(ZoneInfo("Europe/Kyiv")).date()
MONTH = TODAY.replace(day=1)
DAYS_IN_MONTH = calendar.monthrange(MONTH.year, MONTH.month)[1]
ELAPSED = (TODAY - MONTH).days  # days before today
NEXT_MONTH = (MONTH + timedelta(days=32)).replace(day=1)


def month_text(day: date) -> str:
    return day.strftime("%Y-%m")


@pytest.fixture(scope="module")
def pacing(build_warehouse) -> pd.DataFrame:
    tables = golden.raw_tables()
    costs = tables["raw_manual_costs.costs"]
    this_month = {**costs.iloc[0].to_dict(), "date_from": MONTH,
                  "date_to": MONTH.replace(day=DAYS_IN_MONTH), "campaign": "retainer",
                  "channel": "Organic Search", "amount": 10.0 * DAYS_IN_MONTH, "row_number": 3}
    plan = pd.DataFrame([
        # the golden webinar costs, 500 UAH over 1..10 September
        {"month": "2026-09", "channel": "Webinars", "campaign_id": "webinar_2026-09-05",
         "planned_spend": 1000.0, "currency": "UAH"},
        # an SEO retainer of 10 UAH a day over the whole of this month
        {"month": month_text(MONTH), "channel": "Organic Search", "campaign_id": None,
         "planned_spend": 1000.0, "currency": "UAH"},
        # next month in USD: no rate for its first day yet, so the latest (41 on 2026-10-31)
        {"month": month_text(NEXT_MONTH), "channel": "Paid Search", "campaign_id": None,
         "planned_spend": 100.0, "currency": "USD"},
    ])
    warehouse: Warehouse = build_warehouse({
        **tables,
        "raw_manual_costs.costs": pd.concat([costs, pd.DataFrame([this_month])], ignore_index=True),
        "raw_manual_costs.budget_plan": plan,
    }, "pacing")
    frame = warehouse.read_frame("select * from marts.mart_budget_pacing")
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame.set_index("month")


def test_a_past_month(pacing: pd.DataFrame) -> None:
    row = pacing.loc[date(2026, 9, 1)]
    assert (row["planned_spend"], row["actual_spend"]) == (1000, 500)
    assert (row["pacing_pct"], row["days_elapsed_pct"], row["projected_spend"]) == (50, 100, 500)


def test_this_month_counts_spend_to_date_only(pacing: pd.DataFrame) -> None:
    row = pacing.loc[MONTH]
    assert row["actual_spend"] == pytest.approx(10.0 * ELAPSED)
    assert row["pacing_pct"] == pytest.approx(round(10.0 * ELAPSED / 1000 * 100, 2))
    assert row["days_elapsed_pct"] == pytest.approx(round(100.0 * ELAPSED / DAYS_IN_MONTH, 2))
    if ELAPSED:
        assert row["projected_spend"] == pytest.approx(10.0 * DAYS_IN_MONTH)
    else:
        assert pd.isna(row["projected_spend"])


def test_a_month_not_begun_is_planned_at_the_latest_rate(pacing: pd.DataFrame) -> None:
    row = pacing.loc[NEXT_MONTH]
    assert (row["planned_spend"], row["actual_spend"], row["days_elapsed_pct"]) == (4100, 0, 0)
    assert pd.isna(row["projected_spend"])
