"""Budget pacing (ARCHITECTURE.md "Budget pacing"): plans against spend to date, in the
reporting currency. Figures worked out by hand from the golden costs and a plan for this month,
dated relative to today in the business time zone."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from tests.dbt import golden
from throughline.warehouse import Warehouse


@dataclass(frozen=True)
class Month:
    """This month as the mart saw it: the Kyiv day of the build."""
    today: date

    @property
    def start(self) -> date:
        return self.today.replace(day=1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.start.year, self.start.month)[1]

    @property
    def elapsed(self) -> int:  # days before today
        return (self.today - self.start).days

    @property
    def next_start(self) -> date:
        return (self.start + timedelta(days=32)).replace(day=1)


def kyiv_today() -> date:
    return datetime.now(ZoneInfo("Europe/Kyiv")).date()


def build(build_warehouse, month: Month) -> pd.DataFrame:
    tables = golden.raw_tables()
    costs = tables["raw_manual_costs.costs"]
    this_month = {**costs.iloc[0].to_dict(), "date_from": month.start,
                  "date_to": month.start.replace(day=month.days), "campaign": "retainer",
                  "channel": " organic search", "amount": 10.0 * month.days, "row_number": 3}
    plan = pd.DataFrame([
        # the golden webinar costs, 500 UAH over 1..10 September
        {"month": "2026-09", "channel": "Webinars", "campaign_id": "webinar_2026-09-05",
         "planned_spend": 1000.0, "currency": "UAH"},
        # an SEO retainer of 10 UAH a day over the whole of this month, its channel typed as
        # people type it in both files: it is channel_rules' Organic Search
        {"month": month.start.strftime("%Y-%m"), "channel": "ORGANIC SEARCH", "campaign_id": None,
         "planned_spend": 1000.0, "currency": "UAH"},
        # next month in USD: no rate for its first day yet, so the latest (41 on 2026-10-31)
        {"month": month.next_start.strftime("%Y-%m"), "channel": "Paid Search", "campaign_id": None,
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


@pytest.fixture(scope="module")
def built(build_warehouse) -> tuple[Month, pd.DataFrame]:
    # The mart counts days in Kyiv time: a build that crosses Kyiv midnight is built again, for
    # the new day (a build takes seconds, so the second one does not cross it).
    for _attempt in range(2):
        month = Month(kyiv_today())
        pacing = build(build_warehouse, month)
        if kyiv_today() == month.today:
            return month, pacing
    raise AssertionError("Kyiv midnight passed during two builds in a row")


@pytest.fixture(scope="module")
def pacing(built) -> pd.DataFrame:
    return built[1]


@pytest.fixture(scope="module")
def month(built) -> Month:
    return built[0]


def test_a_past_month(pacing: pd.DataFrame) -> None:
    row = pacing.loc[date(2026, 9, 1)]
    assert (row["planned_spend"], row["actual_spend"]) == (1000, 500)
    assert (row["pacing_pct"], row["days_elapsed_pct"], row["projected_spend"]) == (50, 100, 500)


def test_this_month_counts_spend_to_date_only(pacing: pd.DataFrame, month: Month) -> None:
    row = pacing.loc[month.start]
    assert row["channel"] == "Organic Search"
    assert row["actual_spend"] == pytest.approx(10.0 * month.elapsed)
    assert row["pacing_pct"] == pytest.approx(round(10.0 * month.elapsed / 1000 * 100, 2))
    assert row["days_elapsed_pct"] == pytest.approx(round(100.0 * month.elapsed / month.days, 2))
    if month.elapsed:
        assert row["projected_spend"] == pytest.approx(10.0 * month.days)
    else:
        assert pd.isna(row["projected_spend"])


def test_a_month_not_begun_is_planned_at_the_latest_rate(pacing: pd.DataFrame, month: Month) -> None:
    row = pacing.loc[month.next_start]
    assert (row["planned_spend"], row["actual_spend"], row["days_elapsed_pct"]) == (4100, 0, 0)
    assert pd.isna(row["projected_spend"])
