"""National Bank of Ukraine official exchange rates: every currency, every day (UAH per unit)."""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import dlt
import requests
from dlt.sources import DltResource

from ingestion import manual_costs
from ingestion.common.config import advance_window, days, joined_spans, load_window
from ingestion.common.files import FileError
from ingestion.common.http import ApiClient, records, unexpected_body

NAME = "fx_rates"
DEFAULT_BASE_URL = "https://bank.gov.ua"
EXCHANGE_PATH = "NBUStatService/v1/statdirectory/exchange"
LOOKBACK_DAYS = 3
log = logging.getLogger("throughline.ingestion")


def is_configured() -> bool:
    # Public open data: always available; base_url only points it elsewhere.
    return True


@dlt.source(name=NAME)
def source(
    base_url: str = DEFAULT_BASE_URL,
    base_currency: str = "UAH",
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = LOOKBACK_DAYS,
) -> DltResource:
    if base_currency.upper() != "UAH":
        raise ValueError(
            f"fx_rates: base_currency={base_currency!r} is not supported; NBU rates are UAH per "
            "unit (set THROUGHLINE_REPORTING_CURRENCY to report in another currency)"
        )
    client = ApiClient(NAME, base_url)
    window = {"start_date": start_date, "end_date": end_date, "lookback_days": lookback_days,
              "default_days": 400}

    @dlt.resource(
        name="rates",
        primary_key=("currency", "rate_date"),
        write_disposition="merge",
        columns={"rate": {"data_type": "decimal", "precision": 18, "scale": 6},
                 "rate_date": {"data_type": "date", "nullable": False},
                 "exchange_date": {"data_type": "date"}},
    )
    def rates() -> Iterator[list[dict[str, Any]]]:
        state = dlt.current.resource_state()
        # Through today: a deal won today is priced at today's rate (NBU sets it the business
        # day before), and a missing rate stops the build.
        first, last = load_window(state, **window, through_today=True)
        # Rates are loaded without a gap from `first_day` on (a state from before it was kept:
        # from the configured start). Manual costs may need earlier days once, or again when
        # an older line is added to the file.
        loaded_from = (date.fromisoformat(state["first_day"]) if "first_day" in state
                       else load_window({}, **window, through_today=True)[0])
        needed_from = _first_day_costs_need() or loaded_from
        if needed_from < loaded_from:
            log.info("fx_rates: loading the rates from %s, the first day the manual costs need", needed_from)
        published = None
        for span in joined_spans((needed_from, loaded_from - timedelta(days=1)), (first, last)):
            published = (yield from _load_days(client, *span)) or published
        # Days without rates after the last published one are not out yet: the next run asks for
        # them again (the cursor stops at the last published day).
        if published:
            advance_window(state, published)
            state["first_day"] = min(loaded_from, needed_from).isoformat()

    return rates


def _load_days(client: ApiClient, first: date, last: date) -> Generator[list[dict[str, Any]], None, date | None]:
    """The rates of every day first..last; returns the last day NBU has published rates for."""
    published, in_force, without_rates = None, [], []
    for day, _ in days(first, last):
        # `json` is a flag without a value, as NBU documents it
        body = client.get_json(f"{EXCHANGE_PATH}?json", page=f"date {day}", params={"date": day.strftime("%Y%m%d")})
        if not isinstance(body, list):
            raise unexpected_body(NAME, EXCHANGE_PATH, f"date {day}", "a JSON array of rates", body)
        if not body:
            without_rates.append(day)
            continue
        # A day answered without rates before a later day's are out (a holiday) keeps the
        # rates in force, the last ones set, as NBU's answer for a weekend does.
        for gap in without_rates if in_force else []:
            yield _records(gap, in_force)
        in_force, without_rates, published = [row for row in body if row.get("cc")], [], day
        yield _records(day, in_force)
    return published


def _first_day_costs_need() -> date | None:
    """The first day the kept manual costs and plan need a rate for. A file that cannot be read
    does not stop the rates (deals are priced with them): the manual_costs load reports it."""
    try:
        return manual_costs.first_day_to_convert()
    except (FileError, requests.RequestException) as error:
        log.warning("fx_rates: the days the manual costs need rates for are unknown: %s", error)
        return None


def _records(day: date, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return records(NAME, EXCHANGE_PATH, f"date {day}", rows, lambda row: _record(row, day.isoformat()), "cc")


def _record(row: dict[str, Any], requested: str) -> dict[str, Any]:
    """The rate in force on the day asked for. On a weekend or holiday the service may answer
    with the last business day's rate and its `exchangedate`: it is still that day's rate."""
    exchange_date = row.get("exchangedate")
    return {
        "currency": str(row["cc"]).upper(),
        "r030": row.get("r030"),
        "txt": row.get("txt"),
        "rate": Decimal(str(row.get("rate"))),
        "rate_date": requested,
        "exchange_date": datetime.strptime(exchange_date, "%d.%m.%Y").date().isoformat() if exchange_date else None,
    }
