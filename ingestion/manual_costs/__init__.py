"""Manual costs (SEO retainer, webinars, influencers, agency fees) and the monthly budget plan,
from CSV/XLSX files or published Google Sheets (CSV URLs)."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import PurePath
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.common import files
from ingestion.common.config import is_configured as _is_configured

NAME = "manual_costs"
log = logging.getLogger("throughline.ingestion")

COST_COLUMNS = {
    "date_from": (files.iso_date, True),
    "date_to": (files.iso_date, True),
    "channel": (files.text_value, True),
    "campaign": (files.text_value, False),
    "amount": (files.non_negative, True),
    "currency": (files.currency_code, True),
    "description": (files.text_value, False),
}
PLAN_COLUMNS = {
    "month": (files.month, True),
    "channel": (files.text_value, True),
    "campaign_id": (files.text_value, False),
    "planned_spend": (files.non_negative, True),
    "currency": (files.currency_code, True),
}


def required_settings() -> tuple[str, ...]:
    return ("costs_path|plan_path",)


def is_configured() -> bool:
    return _is_configured(NAME, *required_settings())


# The longest period int_manual_costs_spread spreads a line over (numbers(3700)); a longer one is
# a typo in a year, and its days past the limit would be lost.
MAX_PERIOD_DAYS = 3700


def _period_ok(row: dict[str, Any]) -> str | None:
    if row["date_to"] < row["date_from"]:
        return f"date_to {row['date_to']} is before date_from {row['date_from']}"
    days = (row["date_to"] - row["date_from"]).days + 1
    if days > MAX_PERIOD_DAYS:
        return f"a period of {days} days, more than ten years: a typo in date_to {row['date_to']}?"
    return None


def _month_end(row: dict[str, Any]) -> date:
    year, month = (int(part) for part in row["month"].split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


@dlt.source(name=NAME)
def source(costs_path: str | None = None, plan_path: str | None = None,
           start_date: str | None = None) -> list[DltResource]:
    checked: dict[str, files.Checked] = {}

    def load(kind: str, location: str | None) -> files.Checked:
        if kind not in checked:
            if location is None:
                checked[kind] = files.Checked()
            else:
                name = PurePath(location).name if not location.startswith("http") else location
                rows = files.read_rows(location, sheet=kind)  # a workbook's sheet 'costs' or 'plan'
                files.refuse_header_only(rows, name, f"{kind} lines", "a sheet that failed to publish?")
                columns, row_check = (COST_COLUMNS, _period_ok) if kind == "costs" else (PLAN_COLUMNS, None)
                checked[kind] = files.check_rows(rows, columns, name, row_check)
                # from start_date: cost lines still running then, plan months not over by then
                last_day = (lambda row: row["date_to"]) if kind == "costs" else _month_end
                checked[kind].rows = files.since(checked[kind].rows, start_date, last_day)
                files.log_rejects(log, NAME, checked[kind].rejected)
        return checked[kind]

    @dlt.resource(name="costs", write_disposition="replace", columns=files.dlt_columns(COST_COLUMNS))
    def costs() -> Iterator[list[dict[str, Any]]]:
        yield load("costs", costs_path).rows

    @dlt.resource(name="budget_plan", write_disposition="replace", columns=files.dlt_columns(PLAN_COLUMNS))
    def budget_plan() -> Iterator[list[dict[str, Any]]]:
        yield load("plan", plan_path).rows

    @dlt.resource(name="rejected_rows", write_disposition="replace")
    def rejected_rows() -> Iterator[list[dict[str, Any]]]:
        yield load("costs", costs_path).rejected + load("plan", plan_path).rejected

    return [costs, budget_plan, rejected_rows]
