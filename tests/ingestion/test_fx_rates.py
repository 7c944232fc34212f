"""NBU exchange rates: one call per day, every currency, DD.MM.YYYY dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.ingestion.fake_api import FakeApi, Reply, Request


def nbu(request: Request) -> Reply:
    assert request.path == "/NBUStatService/v1/statdirectory/exchange" and "json" in request.query
    day = request.query["date"]
    shown = f"{day[6:]}.{day[4:6]}.{day[:4]}"
    return Reply(body=[
        {"r030": 840, "txt": "Долар США", "rate": 41.5 + int(day[6:]) / 100, "cc": "USD", "exchangedate": shown},
        {"r030": 978, "txt": "Євро", "rate": 45.1, "cc": "EUR", "exchangedate": shown},
    ])


def test_every_currency_of_every_day(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    with FakeApi(nbu) as api:
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)
        monkeypatch.setenv("SOURCES__FX_RATES__START_DATE", "2026-09-01")
        monkeypatch.setenv("SOURCES__FX_RATES__END_DATE", "2026-09-03")
        load("fx_rates")
        load("fx_rates")  # a re-run merges, never duplicates
    assert query("select currency, rate_date, rate from raw_fx_rates.rates where currency = 'USD' "
                 "order by rate_date") == [("USD", date(2026, 9, 1), Decimal("41.510000")),
                                           ("USD", date(2026, 9, 2), Decimal("41.520000")),
                                           ("USD", date(2026, 9, 3), Decimal("41.530000"))]
    assert query("select count(*) from raw_fx_rates.rates") == [(6,)]
