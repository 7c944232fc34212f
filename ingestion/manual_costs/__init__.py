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
from dlt.common.configuration import known_sections, with_config
from dlt.sources import DltResource

from ingestion.common import files
from ingestion.common.config import is_configured as _is_configured
from throughline.settings import Settings

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


def _month_start(row: dict[str, Any]) -> date:
    year, month = (int(part) for part in row["month"].split("-"))
    return date(year, month, 1)


def _month_end(row: dict[str, Any]) -> date:
    start = _month_start(row)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def kept(kind: str, location: str | None, start_date: str | None) -> files.Checked:
    """The checked lines of the costs or the plan file (`kind`) from start_date on: cost lines
    still running then, plan months not over by then. A file with no line, or none that can be
    read, is refused (`refused`): the other file still loads."""
    if location is None:
        return files.Checked()
    name = PurePath(location).name if not location.startswith("http") else location
    rows = files.read_rows(location, sheet=kind)  # a workbook's sheet 'costs' or 'plan'
    columns, row_check = (COST_COLUMNS, _period_ok) if kind == "costs" else (PLAN_COLUMNS, None)
    checked = files.check_rows(rows, columns, name, row_check)
    try:
        files.refuse_header_only(rows, name, f"{kind} lines", "a sheet that failed to publish?")
        files.refuse_all_set_aside(rows, checked, name, f"{kind} lines")
    except files.RefusedFile as refusal:
        checked.refused = refusal
        return checked
    last_day = (lambda row: row["date_to"]) if kind == "costs" else _month_end
    checked.rows = files.since(checked.rows, start_date, last_day)
    return checked


# Settings resolved as dlt resolves the source's (SOURCES__MANUAL_COSTS__START_DATE, then
# SOURCES__START_DATE or START_DATE): the fx_rates source asks, whichever of the two loads first.
@with_config(sections=(known_sections.SOURCES, NAME, NAME))
def first_day_to_convert(costs_path: str | None = None, plan_path: str | None = None,
                         start_date: str | None = None) -> date | None:
    """The first day a kept line not in the reporting currency needs an exchange rate for: a
    cost line's every day (int_ad_spend), a plan month's first (int_budget_plan). None when no
    such line is kept."""
    reporting = Settings.from_env().reporting_currency
    costs = [row["date_from"] for row in kept("costs", costs_path, start_date).rows if row["currency"] != reporting]
    plan = [_month_start(row) for row in kept("plan", plan_path, start_date).rows if row["currency"] != reporting]
    return min(costs + plan, default=None)


@dlt.source(name=NAME)
def source(costs_path: str | None = None, plan_path: str | None = None,
           start_date: str | None = None) -> list[DltResource]:
    checked: dict[str, files.Checked] = {}

    def load(kind: str, location: str | None) -> files.Checked:
        if kind not in checked:
            checked[kind] = kept(kind, location, start_date)
            files.log_rejects(log, NAME, checked[kind].rejected)
            if checked[kind].refused:
                log.error("%s: %s", NAME, checked[kind].refused)
        return checked[kind]

    def lines(kind: str, location: str | None) -> Iterator[Any]:
        result = load(kind, location)
        if result.refused:
            yield files.kept_as_loaded()
        else:
            yield result.rows

    def set_aside(kind: str, location: str | None) -> list[dict[str, Any]]:
        """The file's bad values, and its refusal."""
        result = load(kind, location)
        return result.rejected + ([result.refused.rejected_row] if result.refused else [])

    @dlt.resource(name="costs", write_disposition="replace", columns=files.dlt_columns(COST_COLUMNS))
    def costs() -> Iterator[Any]:
        yield from lines("costs", costs_path)

    @dlt.resource(name="budget_plan", write_disposition="replace", columns=files.dlt_columns(PLAN_COLUMNS))
    def budget_plan() -> Iterator[Any]:
        yield from lines("plan", plan_path)

    @dlt.resource(name="rejected_rows", write_disposition="replace", columns=files.rejected_columns())
    def rejected_rows() -> Iterator[list[dict[str, Any]]]:
        yield set_aside("costs", costs_path) + set_aside("plan", plan_path)

    return [costs, budget_plan, rejected_rows]
