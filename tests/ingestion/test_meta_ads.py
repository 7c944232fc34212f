"""Meta insights connector: cursor paging to the last page, throttling, lead actions."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.ingestion.fake_api import FakeApi, Reply, Request

TOKEN = "EAAB-long-lived-token"


def insight(ad_id: str, day: str, spend: str, actions: list | None = None) -> dict:
    return {"account_id": "1234567890", "account_currency": "USD", "campaign_id": "120210000000000001",
            "campaign_name": "UA | Leads | Broad", "adset_id": "1202100101", "adset_name": "Kyiv 25-45",
            "ad_id": ad_id, "ad_name": "video_v1", "impressions": "18841", "clicks": "412",
            "spend": spend, "actions": actions or [], "date_start": day, "date_stop": day}


def handler(api_url: str):
    def handle(request: Request) -> Reply:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        if request.path.endswith("/ads"):
            return Reply(body={"data": [{"id": "a1", "name": "video_v1", "creative": {
                "id": "c1", "url_tags": "utm_source=facebook&utm_medium=cpc&utm_content={{ad.id}}"}}],
                "paging": {"cursors": {"before": "x", "after": "y"}}})
        assert request.path == "/v26.0/act_1234567890/insights"
        after = request.query.get("after")
        if after is None:
            assert request.query["level"] == "ad" and request.query["time_increment"] == "1"
            assert request.query["use_unified_attribution_setting"] == "true"  # leads as Ads Manager counts them
            return Reply(body={"data": [insight("a1", "2026-09-01", "1532.77", [
                {"action_type": "link_click", "value": "389"},
                {"action_type": "offsite_conversion.fb_pixel_lead", "value": "12"},
                {"action_type": "lead", "value": "12"}])],
                "paging": {"cursors": {"after": "P2"}, "next": f"{api_url}{request.path}?after=P2"}})
        if after == "P2":  # a short (empty) page that still has a next page
            return Reply(body={"data": [], "paging": {"next": f"{api_url}{request.path}?after=P3"}})
        return Reply(body={"data": [insight("a2", "2026-09-02", "10.5")], "paging": {"cursors": {}}})

    return handle


@pytest.fixture()
def meta(monkeypatch: pytest.MonkeyPatch):
    holder: dict = {}
    with FakeApi(lambda r: holder["h"](r)) as api:
        holder["h"] = handler(api.url)
        for key, value in {"BASE_URL": api.url, "AD_ACCOUNT_IDS": '["1234567890"]',
                           "ACCESS_TOKEN": TOKEN, "START_DATE": "2026-09-01",
                           "END_DATE": "2026-09-02"}.items():
            monkeypatch.setenv(f"SOURCES__META_ADS__{key}", value)
        yield api


def test_pages_until_no_next_and_throttling_retried(meta, load, query) -> None:
    meta.fail_next(Reply(400, {"error": {"message": "(#80000) too many calls", "type": "OAuthException",
                                         "code": 80000, "error_subcode": 2446079}}), path="insights")
    load("meta_ads")
    assert query("select ad_id, spend, leads, account_currency from raw_meta_ads.ad_insights "
                 "order by ad_id") == [("a1", Decimal("1532.770000"), 12, "USD"),
                                       ("a2", Decimal("10.500000"), 0, "USD")]
    assert query("select id, url_tags from raw_meta_ads.ads") == [
        ("a1", "utm_source=facebook&utm_medium=cpc&utm_content={{ad.id}}")]


def test_expired_token_fails_clearly(meta, load) -> None:
    meta.fail_next(Reply(400, {"error": {"message": "Error validating access token", "code": 190,
                                         "error_subcode": 463}}), path="insights")
    with pytest.raises(Exception) as failure:
        load("meta_ads")
    assert "meta_ads" in str(failure.value) and "insights" in str(failure.value)
    assert TOKEN not in str(failure.value)


TOO_MUCH_DATA = Reply(500, {"error": {"message": "Please reduce the amount of data you're asking for, then "
                                                "retry your request", "code": 1}})
TIMED_OUT = Reply(400, {"error": {"message": "Please reduce the amount of data you're asking for or the time range",
                                  "type": "OAuthException", "code": 100, "error_subcode": 1504018}})


@pytest.mark.parametrize("too_large", [TOO_MUCH_DATA, TIMED_OUT], ids=["reduce the amount of data", "timed out"])
def test_a_range_meta_finds_too_large_is_asked_for_in_halves(monkeypatch: pytest.MonkeyPatch, load, query,
                                                              too_large: Reply) -> None:
    """Graph error 1, "Please reduce the amount of data you're asking for" (HTTP 500), or an
    insights request that timed out (100 / 1504018), comes back for any range over three days
    here: the connector asks again for halves of the range (never the same range twice) and
    loads every day once."""
    asked: list[tuple[str, str]] = []

    def handle(request: Request) -> Reply:
        if request.path.endswith("/ads"):
            return Reply(body={"data": []})
        time_range = json.loads(request.query["time_range"])
        since, until = date.fromisoformat(time_range["since"]), date.fromisoformat(time_range["until"])
        asked.append((time_range["since"], time_range["until"]))
        if (until - since).days >= 3:
            return too_large
        days = [(since + timedelta(days=n)).isoformat() for n in range((until - since).days + 1)]
        return Reply(body={"data": [insight("a1", day, "1.25") for day in days]})

    with FakeApi(handle) as api:
        for key, value in {"BASE_URL": api.url, "AD_ACCOUNT_IDS": '["1234567890"]', "ACCESS_TOKEN": TOKEN,
                           "START_DATE": "2026-09-01", "END_DATE": "2026-09-10"}.items():
            monkeypatch.setenv(f"SOURCES__META_ADS__{key}", value)
        load("meta_ads")
    assert asked == [("2026-09-01", "2026-09-10"), ("2026-09-01", "2026-09-05"), ("2026-09-01", "2026-09-03"),
                     ("2026-09-04", "2026-09-05"), ("2026-09-06", "2026-09-10"), ("2026-09-06", "2026-09-08"),
                     ("2026-09-09", "2026-09-10")]
    assert query("select count(*), count(distinct date_start), sum(spend) from raw_meta_ads.ad_insights") == [
        (10, 10, Decimal("12.500000"))]


def test_a_single_day_too_large_is_asked_for_with_fewer_ads_a_page(meta, load, query) -> None:
    """A day Meta finds too much data (a large account) is asked again with half as many ads a
    page, as the ads list is: every ad of the day loads (it failed the whole Meta load)."""
    meta.fail_next(*[TOO_MUCH_DATA] * 3, path="insights")  # the two days, day one, day one at 250 a page
    load("meta_ads")
    assert query("select ad_id, date_start, spend from raw_meta_ads.ad_insights order by ad_id") == [
        ("a1", date(2026, 9, 1), Decimal("1532.770000")), ("a2", date(2026, 9, 2), Decimal("10.500000"))]
    first_day = [r for r in meta.requests if r.path.endswith("/insights") and "2026-09-01\"}" in
                 r.query.get("time_range", "") and r.query.get("after") is None]
    assert [r.query["limit"] for r in first_day] == ["500", "250", "125"]


def test_a_single_day_too_large_even_in_small_pages_fails_naming_it(meta, load) -> None:
    meta.fail_next(*[TOO_MUCH_DATA] * 6, path="insights")  # the two days, then day one at 500 down to 31
    with pytest.raises(Exception) as failure:
        load("meta_ads")
    assert "too much data" in str(failure.value) and "2026-09-01" in str(failure.value)


def test_an_ads_page_meta_finds_too_large_is_asked_for_with_fewer_ads(monkeypatch: pytest.MonkeyPatch, load,
                                                                       query) -> None:
    """The ads list (creatives with their story specs) comes back as error 1 for pages of more
    than 100 ads here: the list is asked again with half as many a page until Meta sends it, and
    every ad is loaded once; the insights load as usual."""
    limits: list[int] = []
    ads = [{"id": f"a{n}", "name": f"ad {n}", "creative": {"id": f"c{n}", "url_tags": f"utm_content=a{n}"}}
           for n in range(150)]

    def handle(request: Request) -> Reply:
        if not request.path.endswith("/ads"):
            return Reply(body={"data": [insight("a1", "2026-09-01", "1.25")]})
        limit, offset = int(request.query["limit"]), int(request.query.get("after", 0))
        limits.append(limit)
        if limit > 100:
            return TOO_MUCH_DATA
        body: dict = {"data": ads[offset:offset + limit]}
        if offset + limit < len(ads):
            body["paging"] = {"next": f"{api.url}{request.path}?limit={limit}&after={offset + limit}"}
        return Reply(body=body)

    with FakeApi(handle) as api:
        for key, value in {"BASE_URL": api.url, "AD_ACCOUNT_IDS": '["1234567890"]', "ACCESS_TOKEN": TOKEN,
                           "START_DATE": "2026-09-01", "END_DATE": "2026-09-01"}.items():
            monkeypatch.setenv(f"SOURCES__META_ADS__{key}", value)
        load("meta_ads")
    assert limits == [500, 250, 125, 62, 62, 62]
    assert query("select count(*), count(distinct id) from raw_meta_ads.ads") == [(150, 150)]
    assert query("select count(*) from raw_meta_ads.ad_insights") == [(1,)]


def test_meta_ad_account_ids_written_as_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from ingestion import meta_ads

    monkeypatch.setenv("SOURCES__META_ADS__AD_ACCOUNT_IDS", "7012345678, act_7012345679")
    monkeypatch.setenv("SOURCES__META_ADS__ACCESS_TOKEN", "token")
    assert meta_ads.source().resources  # dlt failed: 'cannot be coerced into type list'


def test_an_ad_account_added_later_loads_its_whole_history(monkeypatch: pytest.MonkeyPatch, load) -> None:
    """Each ad account keeps its own last loaded day (as Google Ads' customers do)."""
    from ingestion.common.config import business_today

    first_day: dict[str, str] = {}

    def handle(request: Request) -> Reply:
        account = request.path.split("/")[2]
        if request.path.endswith("/insights"):
            since = json.loads(request.query["time_range"])["since"]
            first_day[account] = min(since, first_day.get(account, since))
        return Reply(body={"data": [], "paging": {"cursors": {}}})

    start, yesterday = business_today() - timedelta(days=20), business_today() - timedelta(days=1)
    with FakeApi(handle) as api:
        for key, value in {"BASE_URL": api.url, "AD_ACCOUNT_IDS": "1234567890", "ACCESS_TOKEN": TOKEN,
                           "START_DATE": start.isoformat(), "LOOKBACK_DAYS": "3"}.items():
            monkeypatch.setenv(f"SOURCES__META_ADS__{key}", value)
        load("meta_ads")
        first_day.clear()
        monkeypatch.setenv("SOURCES__META_ADS__AD_ACCOUNT_IDS", "1234567890, 555")
        load("meta_ads")
    assert first_day == {"act_1234567890": (yesterday - timedelta(days=3)).isoformat(),
                         "act_555": start.isoformat()}


def test_an_account_throttled_for_minutes_is_waited_for() -> None:
    """Without a usage header Meta does not say when the account recovers: the client keeps
    asking, as dlt's Meta source does, 12 times from 2 s (it gave up after 6 attempts, ~30 s)."""
    from ingestion.meta_ads import helpers

    throttled = Reply(400, {"error": {"message": "(#80000) There have been too many calls from this ad-account.",
                                      "type": "OAuthException", "code": 80000, "error_subcode": 2446079}})
    waits: list[float] = []
    with FakeApi(lambda request: Reply(body={"data": [{"id": "a1"}], "paging": {}})) as api:
        api.fail_next(*[throttled] * 9, path="ads")
        client = helpers.make_client(api.url, TOKEN)
        client.sleep = waits.append
        assert helpers.listed(client, "v26.0/act_1/ads", {"limit": 500}, "act_1 ads") == [{"id": "a1"}]
    assert len(waits) == 9 and waits[0] >= 1.5


def insights_asked(api: FakeApi) -> list[tuple[str, str]]:
    """The (since, until) of every first insights request (not a next page)."""
    return [(json.loads(r.query["time_range"])["since"], json.loads(r.query["time_range"])["until"])
            for r in api.requests if r.path.endswith("/insights") and r.query.get("after") is None]


def test_the_daily_run_asks_for_its_own_window_though_start_date_is_configured(
        monkeypatch: pytest.MonkeyPatch, warehouse) -> None:
    """dlt hands the source the configured START_DATE whenever a run passes none, and the daily run
    passes only its last day: the source took the pair for a backfill and reloaded the whole
    history every morning. After a first load through 8 September, the daily run to 10 September
    asks from the last loaded day less the 2 lookback days: 6 to 10 September."""
    from ingestion.pipeline import run_source

    with FakeApi(lambda request: Reply(body={"data": [], "paging": {"cursors": {}}})) as api:
        for key, value in {"BASE_URL": api.url, "AD_ACCOUNT_IDS": "1234567890", "ACCESS_TOKEN": TOKEN,
                           "START_DATE": "2026-09-01", "END_DATE": "2026-09-08", "LOOKBACK_DAYS": "2"}.items():
            monkeypatch.setenv(f"SOURCES__META_ADS__{key}", value)
        run_source("meta_ads", warehouse)
        api.requests.clear()
        run_source("meta_ads", warehouse, end_date="2026-09-10")  # as the scheduled daily run calls it
        assert insights_asked(api) == [("2026-09-06", "2026-09-10")]
        api.requests.clear()
        run_source("meta_ads", warehouse, start_date="2026-09-02", end_date="2026-09-03", backfill=True)
        assert insights_asked(api) == [("2026-09-02", "2026-09-03")]


def test_a_start_beyond_the_37_months_meta_keeps_loads_from_the_oldest_kept_day(
        monkeypatch: pytest.MonkeyPatch, load, caplog: pytest.LogCaptureFixture) -> None:
    """Meta keeps insights for 37 months and refuses a range starting earlier (error #3018), which
    stopped the whole Meta load: a START_DATE 40 months back loads from 37 months back, plus a day."""
    from ingestion.common.config import business_today

    today = business_today()
    oldest_kept = date(today.year - 3, today.month, 1) - timedelta(days=1)  # 37 months back, at most
    oldest_kept = oldest_kept.replace(day=min(today.day, oldest_kept.day)) + timedelta(days=1)

    def handle(request: Request) -> Reply:
        since = json.loads(request.query.get("time_range", "{}")).get("since")
        if since and since < oldest_kept.isoformat():
            return Reply(400, {"error": {"message": "The start date of the time range cannot be beyond 37 months "
                                                    "from the current date", "type": "OAuthException", "code": 3018}})
        return Reply(body={"data": [], "paging": {"cursors": {}}})

    with FakeApi(handle) as api:
        for key, value in {"BASE_URL": api.url, "AD_ACCOUNT_IDS": "1234567890", "ACCESS_TOKEN": TOKEN,
                           "START_DATE": (today - timedelta(days=40 * 31)).isoformat()}.items():
            monkeypatch.setenv(f"SOURCES__META_ADS__{key}", value)
        load("meta_ads")
        assert insights_asked(api)[0][0] == oldest_kept.isoformat()
    assert "keeps 37 months of data" in caplog.text
