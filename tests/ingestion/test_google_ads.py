"""Google Ads connector against canned searchStream responses (google_ads.md formats)."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.ingestion.fake_api import FakeApi, Reply, Request

CUSTOMER = "1234567890"
SECRET, REFRESH = "very-secret-client-secret", "1//refresh-token-value"


def campaign_row(day: str, cost_micros: str, clicks: str) -> dict:
    return {
        "customer": {"resourceName": f"customers/{CUSTOMER}", "id": CUSTOMER,
                     "currencyCode": "UAH", "timeZone": "Europe/Kyiv"},
        "campaign": {"resourceName": f"customers/{CUSTOMER}/campaigns/20123456789",
                     "id": "20123456789", "name": "Search | Brand | UA", "status": "ENABLED",
                     "advertisingChannelType": "SEARCH",
                     "finalUrlSuffix": "utm_source=google&utm_medium=cpc&utm_campaign={_campaign}"},
        "segments": {"date": day},
        "metrics": {"impressions": "1000", "clicks": clicks, "costMicros": cost_micros,
                    "conversions": 4.0},
    }


class GoogleAds:
    def __init__(self) -> None:
        self.cost = "2500000000"
        self.tokens = 0

    def __call__(self, request: Request) -> Reply:
        if request.path == "/token":
            assert request.form()["refresh_token"] == REFRESH
            self.tokens += 1
            return Reply(body={"access_token": f"ya29.token{self.tokens}", "expires_in": 3599})
        assert request.headers["authorization"].startswith("Bearer ya29.")
        query = request.json()["query"]
        assert "WHERE segments.date BETWEEN '2026-09-01' AND '2026-09-02'" in query
        if " FROM campaign" not in query:
            return Reply(body=[{"fieldMask": "segments.date", "requestId": "r"}])  # no results key
        return Reply(body=[
            {"results": [campaign_row("2026-09-01", self.cost, "80")], "fieldMask": "x"},
            {"results": [campaign_row("2026-09-02", "1000000", "1")], "fieldMask": "x",
             "queryResourceConsumption": "120"},
        ])


@pytest.fixture()
def google_ads(monkeypatch: pytest.MonkeyPatch):
    handler = GoogleAds()
    with FakeApi(handler) as api:
        for key, value in {
            "BASE_URL": api.url, "TOKEN_URL": f"{api.url}/token", "CUSTOMER_IDS": f'["{CUSTOMER}"]',
            "CLIENT_ID": "client.apps.googleusercontent.com", "CLIENT_SECRET": SECRET,
            "REFRESH_TOKEN": REFRESH, "START_DATE": "2026-09-01", "END_DATE": "2026-09-02",
        }.items():
            monkeypatch.setenv(f"SOURCES__GOOGLE_ADS__{key}", value)
        yield api, handler


def test_cost_micros_become_decimal_money_and_rerun_merges(google_ads, load, query) -> None:
    api, handler = google_ads
    load("google_ads")
    assert query(
        "select date, campaign_id, cost_micros, cost, clicks, currency_code, "
        "advertising_channel_type from raw_google_ads.campaign_stats order by date"
    ) == [
        (pytest.approx(query("select date '2026-09-01'")[0][0]), "20123456789", 2500000000,
         Decimal("2500.000000"), 80, "UAH", "SEARCH"),
        (pytest.approx(query("select date '2026-09-02'")[0][0]), "20123456789", 1000000,
         Decimal("1.000000"), 1, "UAH", "SEARCH"),
    ]
    handler.cost = "2600000000"  # the platform restates the day
    load("google_ads")
    assert query("select count(*), sum(cost) from raw_google_ads.campaign_stats") == [
        (2, Decimal("2601.000000"))
    ]


def test_rate_limit_and_expired_token_recover(google_ads, load, query) -> None:
    api, handler = google_ads
    api.fail_next(
        Reply(429, {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}, {"Retry-After": "0"}),
        Reply(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}),
        path="searchStream",
    )
    load("google_ads")
    assert query("select count(*) from raw_google_ads.campaign_stats") == [(2,)]
    assert handler.tokens == 2  # the 401 renewed the token once


def test_a_transient_error_inside_a_stream_is_retried(google_ads, load, query) -> None:
    """searchStream answers 200 with the rows so far and then an error element: a transient one
    (here UNAVAILABLE) is retried as the same error outside the array would be."""
    api, _ = google_ads
    api.fail_next(Reply(200, [{"results": [campaign_row("2026-09-01", "1000000", "1")]},
                              {"error": {"code": 503, "status": "UNAVAILABLE", "message": "try again"}}]),
                  path="searchStream")
    load("google_ads")
    assert query("select count(*), sum(cost) from raw_google_ads.campaign_stats") == [(2, Decimal("2501.000000"))]


def test_daily_quota_fails_clearly_without_secrets(google_ads, load, caplog) -> None:
    api, _ = google_ads
    api.fail_next(*[Reply(429, {"error": {"code": 429, "message": "Too many requests. Retry in "
                                                                  "5603 seconds."}},
                          {"Retry-After": "5603"})] * 2, path="searchStream")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Exception) as failure:
        load("google_ads")
    message = str(failure.value)
    assert "google_ads" in message and "5603" in message and "searchStream" in message
    assert SECRET not in caplog.text + message and REFRESH not in caplog.text + message


@pytest.mark.parametrize("written", [CUSTOMER, f"{CUSTOMER[:3]}-{CUSTOMER[3:6]}-{CUSTOMER[6:]}, "])
def test_customer_ids_written_as_plain_text(written: str, google_ads, monkeypatch: pytest.MonkeyPatch,
                                            load, query) -> None:
    """A customer id as Google Ads shows it (123-456-7890), or ids separated by commas, not only a
    JSON list: dlt failed with 'cannot be coerced into type list' for them."""
    monkeypatch.setenv("SOURCES__GOOGLE_ADS__CUSTOMER_IDS", written)
    load("google_ads")
    assert query("select distinct customer_id from raw_google_ads.campaign_stats") == [(CUSTOMER,)]



class RequestedDays:
    """searchStream without rows; the first day each customer was asked for."""

    def __init__(self) -> None:
        self.first_day: dict[str, str] = {}

    def __call__(self, request: Request) -> Reply:
        if request.path == "/token":
            return Reply(body={"access_token": "ya29.token", "expires_in": 3599})
        customer = request.path.split("/customers/")[1].split("/")[0]
        first = request.json()["query"].split("BETWEEN '")[1][:10]
        self.first_day[customer] = min(first, self.first_day.get(customer, first))
        return Reply(body=[{"fieldMask": "segments.date", "requestId": "r"}])


def test_an_account_added_later_loads_its_whole_history(monkeypatch: pytest.MonkeyPatch, load) -> None:
    """Each account keeps its own last loaded day: a second one added after the first has loaded
    gets every day from the start date, not only the first's restatement window."""
    from ingestion.common.config import business_today

    handler, added = RequestedDays(), "2223334444"
    start, yesterday = business_today() - timedelta(days=20), business_today() - timedelta(days=1)
    with FakeApi(handler) as api:
        for key, value in {
            "BASE_URL": api.url, "TOKEN_URL": f"{api.url}/token", "CUSTOMER_IDS": CUSTOMER,
            "CLIENT_ID": "client.apps.googleusercontent.com", "CLIENT_SECRET": SECRET,
            "REFRESH_TOKEN": REFRESH, "START_DATE": start.isoformat(), "LOOKBACK_DAYS": "3",
        }.items():
            monkeypatch.setenv(f"SOURCES__GOOGLE_ADS__{key}", value)
        load("google_ads")
        assert handler.first_day == {CUSTOMER: start.isoformat()}
        handler.first_day.clear()
        monkeypatch.setenv("SOURCES__GOOGLE_ADS__CUSTOMER_IDS", f"{CUSTOMER}, {added}")
        load("google_ads")
    assert handler.first_day == {CUSTOMER: (yesterday - timedelta(days=3)).isoformat(),
                                 added: start.isoformat()}


def test_a_state_from_before_accounts_kept_their_own_passes_its_day_to_each() -> None:
    from ingestion.common.config import account_states

    state = {"last_day": "2026-03-09"}
    assert account_states(state, ["1", "2"]) == {"1": {"last_day": "2026-03-09"}, "2": {"last_day": "2026-03-09"}}
    assert account_states(state, ["1", "2", "3"])["3"] == {}  # added since: its whole history
