"""NBU exchange rates: one call per day, every currency, DD.MM.YYYY dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.ingestion.fake_api import FakeApi, Reply, Request


def nbu(request: Request) -> Reply:
    # the flag `json` without a value selects JSON (the reference's form; without it, XML)
    assert request.path == "/NBUStatService/v1/statdirectory/exchange" and "json" in request.raw_query.split("&")
    day = request.query["date"]
    # 2026-09-05/06 is a weekend: the service answers with Friday's rate and date
    day = "20260904" if day in ("20260905", "20260906") else day
    shown = f"{day[6:]}.{day[4:6]}.{day[:4]}"
    return Reply(body=[
        {"r030": 840, "txt": "Долар США", "rate": 41.5 + int(day[6:]) / 100, "cc": "USD", "exchangedate": shown},
        {"r030": 978, "txt": "Євро", "rate": 45.1, "cc": "EUR", "exchangedate": shown},
    ])


def test_every_currency_of_every_day(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    with FakeApi(nbu) as api:
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)
        monkeypatch.setenv("SOURCES__FX_RATES__START_DATE", "2026-09-01")
        monkeypatch.setenv("SOURCES__FX_RATES__END_DATE", "2026-09-07")
        load("fx_rates")
        load("fx_rates")  # a re-run merges, never duplicates
    rows = query("select rate_date, rate, exchange_date from raw_fx_rates.rates where currency = 'USD' "
                 "order by rate_date")
    set_on = {5: 4, 6: 4}  # the weekend's rate was set on Friday
    assert [row[:2] for row in rows] == [(date(2026, 9, d), Decimal(f"41.5{set_on.get(d, d)}0000"))
                                         for d in range(1, 8)]
    # every calendar day has its rate, the weekend's under its own date (set on Friday)
    assert [row[2] for row in rows[3:6]] == [date(2026, 9, 4)] * 3
    assert query("select count(*) from raw_fx_rates.rates") == [(14,)]


def test_rates_load_through_the_business_today(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """A deal won today is priced at today's rate: the daily load asks for every day up to today
    in the business's time zone, none after. The zone is one whose date is not UTC's right now
    (UTC+14 from 10:00 UTC, UTC-11 before 11:00), as a server on UTC sees it."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    utc_today = datetime.now(UTC).date()
    zone = next(name for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
                if datetime.now(ZoneInfo(name)).date() != utc_today)
    business_today = datetime.now(ZoneInfo(zone)).date()
    asked: list[str] = []

    def recording_nbu(request: Request) -> Reply:
        asked.append(request.query["date"])
        return nbu(request)

    with FakeApi(recording_nbu) as api:
        monkeypatch.setenv("THROUGHLINE_TIMEZONE", zone)
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)
        monkeypatch.setenv("SOURCES__FX_RATES__START_DATE", (business_today - timedelta(days=2)).isoformat())
        load("fx_rates")
    assert asked == [(business_today - timedelta(days=back)).strftime("%Y%m%d") for back in (2, 1, 0)]
    assert query("select max(rate_date) from raw_fx_rates.rates") == [(business_today,)]


def test_a_day_answered_without_rates_keeps_the_rates_in_force(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """NBU answers `[]` for a date with no rate: a holiday between two days with rates keeps the
    last rates set (spend or a deal in dollars that day is still priced); the days after the last
    published one are not out yet and wait for the next run."""
    def nbu_with_a_holiday(request: Request) -> Reply:
        day = request.query["date"]
        return Reply(body=[] if day in ("20261226", "20261227", "20261229") else nbu(request).body)

    with FakeApi(nbu_with_a_holiday) as api:
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)
        monkeypatch.setenv("SOURCES__FX_RATES__START_DATE", "2026-12-25")
        monkeypatch.setenv("SOURCES__FX_RATES__END_DATE", "2026-12-29")
        load("fx_rates")
    assert query("select rate_date, rate, exchange_date from raw_fx_rates.rates where currency = 'USD' "
                 "order by rate_date") == [
        (date(2026, 12, 25), Decimal("41.750000"), date(2026, 12, 25)),
        (date(2026, 12, 26), Decimal("41.750000"), date(2026, 12, 25)),
        (date(2026, 12, 27), Decimal("41.750000"), date(2026, 12, 25)),
        (date(2026, 12, 28), Decimal("41.780000"), date(2026, 12, 28))]


def test_a_rate_that_cannot_be_read_is_named(monkeypatch: pytest.MonkeyPatch, load) -> None:
    def nbu_without_a_rate(request: Request) -> Reply:
        rows = nbu(request).body
        return Reply(body=[rows[0], {**rows[1], "rate": None}])

    with FakeApi(nbu_without_a_rate) as api:
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)
        monkeypatch.setenv("SOURCES__FX_RATES__START_DATE", "2026-09-01")
        monkeypatch.setenv("SOURCES__FX_RATES__END_DATE", "2026-09-01")
        with pytest.raises(Exception, match=r"exchange \(date 2026-09-01\) failed: cc 'EUR' cannot be read"):
            load("fx_rates")
