"""NBU exchange rates: one call per day, every currency, DD.MM.YYYY dates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.dbt.conftest import query_of
from tests.ingestion.fake_api import FakeApi, Reply, Request
from throughline.settings import Settings
from throughline.transform import build


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


COSTS_HEADER = "date_from,date_to,channel,campaign,amount,currency,description\n"


@pytest.mark.slow  # a dbt build
def test_rates_reach_back_to_the_manual_costs_days_before_start_date(
        tmp_path, monkeypatch: pytest.MonkeyPatch, warehouse, load, query) -> None:
    """A cost line still running on START_DATE is kept whole, and a plan month is converted at
    its first day's rate: the rates reach back to those days, and the reports build with each
    day at its own rate. Here 2000 USD over 2026-01-05..24 is 100 USD a day, at the fake NBU's
    41.5 + day/100 UAH: 4150 + day UAH, and from 01-21 on, after the last rate loaded (01-20),
    at that rate, 4170. January's 5000 USD plan is at the rate of 01-01: 5000 × 41.51. An amount
    in the reporting currency needs no rate: the UAH retainer since November asks for none.
    (END_DATE only keeps the load short: the daily load runs to today.)"""
    (tmp_path / "costs.csv").write_text(COSTS_HEADER + "2026-01-05,2026-01-24,Paid Social,influencer-jan,2000,USD,\n"
                                                       "2025-11-01,2026-01-31,Organic Search,,9200,UAH,SEO retainer\n")
    (tmp_path / "plan.csv").write_text("month,channel,campaign_id,planned_spend,currency\n"
                                       "2026-01,Paid Social,,5000,USD\n")
    monkeypatch.setenv("SOURCES__START_DATE", "2026-01-15")  # every source's
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", str(tmp_path / "plan.csv"))
    with FakeApi(nbu) as api:
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)
        monkeypatch.setenv("SOURCES__FX_RATES__END_DATE", "2026-01-20")
        load("manual_costs")
        load("fx_rates")
    assert query("select rate_date from raw_fx_rates.rates where currency = 'USD' order by 1") == [
        (date(2026, 1, day),) for day in range(1, 21)]
    build(warehouse)
    query = query_of(warehouse)  # dbt keeps its read-write connection open in this process
    assert query("select spend_date, spend from intermediate.int_ad_spend where currency = 'USD' order by 1") == [
        (date(2026, 1, day), Decimal(4150 + min(day, 20))) for day in range(5, 25)]
    assert query("select planned_spend_reporting from intermediate.int_budget_plan") == [(Decimal("207550"),)]


def test_a_daily_load_asks_for_its_window_and_a_cost_line_added_later_for_its_older_days(
        tmp_path, monkeypatch: pytest.MonkeyPatch, load) -> None:
    """The days before START_DATE that the manual costs need are asked for once: the next daily
    load asks only for its own window (the last day loaded less 3 days, to today); a line added
    to the file later, older than any loaded, has its days asked for on the next load."""
    today = Settings.from_env().today()

    def dated(back: int) -> date:
        return today - timedelta(days=back)

    def days_back(first: int, last: int = 0) -> list[str]:
        return [dated(back).strftime("%Y%m%d") for back in range(first, last - 1, -1)]

    costs = tmp_path / "costs.csv"
    costs.write_text(COSTS_HEADER + f"{dated(6)},{today},Paid Social,,700,USD,\n")
    monkeypatch.setenv("SOURCES__START_DATE", dated(3).isoformat())
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(costs))
    with FakeApi(nbu) as api:
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)

        def asked_by_a_load() -> list[str]:
            api.requests.clear()
            load("fx_rates")
            return [request.query["date"] for request in api.requests]

        assert asked_by_a_load() == days_back(6)
        assert asked_by_a_load() == days_back(3)
        costs.write_text(costs.read_text() + f"{dated(10)},{dated(2)},Webinars,,900,EUR,\n")
        assert asked_by_a_load() == days_back(10, 7) + days_back(3)
        assert asked_by_a_load() == days_back(3)


def test_a_costs_file_that_cannot_be_read_does_not_stop_the_rates(
        tmp_path, monkeypatch: pytest.MonkeyPatch, load, query, caplog: pytest.LogCaptureFixture) -> None:
    """The manual costs load reports its own file; the rates (deals are priced with them) still
    load their window."""
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "missing.csv"))
    with FakeApi(nbu) as api:
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)
        monkeypatch.setenv("SOURCES__FX_RATES__START_DATE", "2026-09-01")
        monkeypatch.setenv("SOURCES__FX_RATES__END_DATE", "2026-09-01")
        load("fx_rates")
    assert query("select rate_date from raw_fx_rates.rates where currency = 'USD'") == [(date(2026, 9, 1),)]
    assert "missing.csv: file not found" in caplog.text


def test_a_refused_plan_file_does_not_hide_the_days_the_costs_need(tmp_path, monkeypatch: pytest.MonkeyPatch,
                                                                    load) -> None:
    """A plan file holding only its header (a template not filled in yet) is refused on its own:
    the dollar cost line from 6 days back still has its days asked for (the refusal hid both files,
    and only the load's own window, from 3 days back, was asked for)."""
    today = Settings.from_env().today()
    (tmp_path / "costs.csv").write_text(COSTS_HEADER + f"{today - timedelta(days=6)},{today},Paid Social,,700,USD,\n")
    (tmp_path / "plan.csv").write_text("month,channel,campaign_id,planned_spend,currency\n")
    monkeypatch.setenv("SOURCES__START_DATE", (today - timedelta(days=3)).isoformat())
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", str(tmp_path / "plan.csv"))
    with FakeApi(nbu) as api:
        monkeypatch.setenv("SOURCES__FX_RATES__BASE_URL", api.url)
        load("fx_rates")
    assert [request.query["date"] for request in api.requests] == [
        (today - timedelta(days=back)).strftime("%Y%m%d") for back in range(6, -1, -1)]
