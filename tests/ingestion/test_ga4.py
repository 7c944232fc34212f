"""GA4 export day files: nested rows flattened to events; re-reading a day replaces it."""

from __future__ import annotations

import gzip
import json
import logging
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dlt.common import logger as dlt_logger

from ingestion.common.http import ApiClient, SourceError
from ingestion.ga4 import helpers, settings
from tests.ingestion.fake_api import FakeApi, Reply, Request


def event(name: str, micros: int, session: int, url: str, extra: list | None = None,
          collected: dict | None = None) -> dict:
    def param(key: str, **value: object) -> dict:
        return {"key": key, "value": {"string_value": None, "int_value": None, "float_value": None,
                                      "double_value": None, **value}}

    return {
        "event_date": "20260902", "event_timestamp": str(micros), "event_name": name,
        "event_params": [param("ga_session_id", int_value=str(session)),
                         param("ga_session_number", int_value="3"),
                         param("page_location", string_value=url), *(extra or [])],
        "user_pseudo_id": "1382483615.1522331416",
        "device": {"category": "mobile"}, "geo": {"country": "Ukraine", "city": "Kyiv"},
        "collected_traffic_source": collected,
    }


def test_events_flattened(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    rows = [
        event("session_start", 1788340512345678, 1788340500,
              "https://shop.example.ua/?utm_source=Facebook&utm_medium=cpc&utm_campaign=UA%20Leads"),
        event("page_view", 1788340522345678, 1788340500, "https://shop.example.ua/catalog",
              collected={"manual_source": "facebook", "manual_medium": "cpc",
                         "manual_campaign_name": "ua_leads", "gclid": None}),
        event("form_submit", 1788340532345678, 1788340500, "https://shop.example.ua/contact",
              extra=[{"key": "client_id", "value": {"string_value": "1382483615.1522331416"}}]),
    ]
    (folder / "events_20260902.ndjson").write_text("\n".join(json.dumps(r) for r in rows))
    monkeypatch.setenv("SOURCES__GA4__EXPORT_PATH", str(folder))
    monkeypatch.setenv("SOURCES__GA4__START_DATE", "2026-09-01")
    dlt_warnings: list[str] = []  # dlt's logger does not propagate to pytest's caplog
    monkeypatch.setattr(dlt_logger, "warning", lambda message, *args, **kwargs: dlt_warnings.append(message),
                        raising=False)
    load("ga4")
    load("ga4")  # the last days are re-read and replace themselves
    # the events' Arrow schema agrees with the resource's hints: no warning per batch in the run log
    assert not [message for message in dlt_warnings if "hints were different" in message]
    assert query("select event_name, ga_session_id, source, medium, campaign, client_id "
                 "from raw_ga4.events order by event_timestamp") == [
        ("session_start", 1788340500, "Facebook", "cpc", "UA Leads", None),
        ("page_view", 1788340500, "facebook", "cpc", "ua_leads", None),
        ("form_submit", 1788340500, None, None, None, "1382483615.1522331416"),
    ]
    # each row names the load that wrote it, as dlt's other rows do: a daily run finds the days a
    # backfill loaded (macro earliest_day_loaded_since_built)
    assert query("select distinct _dlt_load_id from raw_ga4.events") == query(
        "select max(load_id) from raw_ga4._dlt_loads")


def param(key: str, **value: object) -> dict:
    return {"key": key, "value": value}


TRICKY_ROWS = [
    {  # utm only in page_location: percent-encoded, '+' as space, first value wins; gclid too
        "event_date": "20260902", "event_timestamp": "1788340512345678", "event_name": "session_start",
        "event_params": [
            param("ga_session_id", int_value="1788340500"), param("ga_session_number", int_value="3"),
            param("page_location", string_value="https://shop.example.ua/?utm_source=Face%62ook"
                  "&utm_medium=cpc&utm_campaign=UA+Leads%2C+Kyiv&utm_source=second&gclid=Cj0K+x#top")],
        "user_pseudo_id": "999.888",
        "device": {"category": "mobile"}, "geo": {"country": "Ukraine", "city": "Kyiv"},
    },
    {  # collected beats the query beats params; '' counts as missing; the last click is not read
        "event_date": "20260902", "event_timestamp": "1788340522000000", "event_name": "page_view",
        "event_params": [
            param("ga_session_id", string_value="abc"), param("ga_session_number", double_value=2.0),
            param("page_location", string_value="https://shop.example.ua/p?utm_medium=email"
                  "&utm_term=sofa%20bed&gclid=G1"),
            param("source", string_value="param_source"), param("content", string_value="param_content")],
        "user_pseudo_id": "999.888",
        "collected_traffic_source": {"manual_source": "google", "manual_medium": "",
                                     "manual_campaign_name": None, "gclid": None},
        "session_traffic_source_last_click": {"manual_campaign": {
            "source": "bing", "medium": "organic", "campaign_name": "brand", "content": None}},
    },
    {  # auto-tagging (a wbraid: an iOS click) and no utm_campaign; the click's Google Ads campaign is
       # read, not the "(organic)" GA4 wrote in the event's params for it
        "event_date": "20260902", "event_timestamp": "1788340525000000", "event_name": "session_start",
        "event_params": [param("ga_session_id", int_value="1788340525"),
                         param("page_location", string_value="https://shop.example.ua/?wbraid=Cj0KAUTO"),
                         param("source", string_value="google"), param("medium", string_value="organic"),
                         param("campaign", string_value="(organic)")],
        "user_pseudo_id": "777.666",
        "session_traffic_source_last_click": {"google_ads_campaign": {
            "customer_id": "1234567890", "campaign_id": "20123456789", "campaign_name": "Search | Brand | UA"}},
    },
    {  # a form with its client_id param; a param without a value is skipped for the next one
        "event_date": "20260902", "event_timestamp": "1788340532000000", "event_name": "form_submit",
        "event_params": [
            param("ga_session_id", string_value=" 42 "), param("page_location", string_value=None),
            param("page_location", string_value="https://shop.example.ua/contact"),
            param("client_id", string_value="111.222")],
        "user_pseudo_id": "999.888",
        # no click id on this event: the last click's Google Ads campaign is not its source
        "session_traffic_source_last_click": {"google_ads_campaign": {"campaign_id": "20123456789"}},
    },
    {  # a form without one falls back to user_pseudo_id
        "event_date": "20260902", "event_timestamp": "1788340542000000", "event_name": "form_submit",
        "event_params": [param("ga_session_id", int_value="1788340500"),
                         param("page_referrer", int_value="7")],
        "user_pseudo_id": "999.888",
    },
]
# (event_at, event_name, ga_session_id, ga_session_number, page_location, page_referrer,
#  source, medium, campaign, content, term, gclid, device_category, client_id), worked out by hand
TRICKY_EXPECTED = [
    (datetime(2026, 9, 2, 9, 15, 12, 345678, tzinfo=UTC), "session_start", 1788340500, 3,
     "https://shop.example.ua/?utm_source=Face%62ook&utm_medium=cpc&utm_campaign=UA+Leads%2C+Kyiv"
     "&utm_source=second&gclid=Cj0K+x#top", None,
     "Facebook", "cpc", "UA Leads, Kyiv", None, None, "Cj0K x", "mobile", None),
    (datetime(2026, 9, 2, 9, 15, 22, tzinfo=UTC), "page_view", None, 2,
     "https://shop.example.ua/p?utm_medium=email&utm_term=sofa%20bed&gclid=G1", None,
     "google", "email", None, "param_content", "sofa bed", "G1", None, None),
    (datetime(2026, 9, 2, 9, 15, 25, tzinfo=UTC), "session_start", 1788340525, None,
     "https://shop.example.ua/?wbraid=Cj0KAUTO", None,
     "google", "organic", "20123456789", None, None, "Cj0KAUTO", None, None),
    (datetime(2026, 9, 2, 9, 15, 32, tzinfo=UTC), "form_submit", 42, None,
     "https://shop.example.ua/contact", None, None, None, None, None, None, None, None, "111.222"),
    (datetime(2026, 9, 2, 9, 15, 42, tzinfo=UTC), "form_submit", 1788340500, None, None, "7",
     None, None, None, None, None, None, None, "999.888"),
]
COLUMNS = ("event_at", "event_name", "ga_session_id", "ga_session_number", "page_location",
           "page_referrer", "source", "medium", "campaign", "content", "term", "gclid",
           "device_category", "client_id")


@pytest.mark.parametrize("suffix", [".ndjson", ".parquet", ".json.gz"])
def test_tricky_rows_flattened(tmp_path, suffix: str) -> None:
    path = tmp_path / f"events_20260902{suffix}"
    lines = ("\n".join(json.dumps(r) for r in TRICKY_ROWS) + "\n\n").encode()
    if suffix == ".parquet":
        pq.write_table(pa.Table.from_struct_array(pa.array(TRICKY_ROWS)), path)
    else:
        path.write_bytes(gzip.compress(lines) if suffix.endswith(".gz") else lines)
    tables = list(helpers.read_events(path, batch_rows=3))
    assert [t.schema for t in tables] == [helpers.EVENT_SCHEMA] * 2
    rows = [r for t in tables for r in t.to_pylist()]
    assert [tuple(r[c] for c in COLUMNS) for r in rows] == TRICKY_EXPECTED
    assert {(r["event_date"], r["geo_city"]) for r in rows} == {(date(2026, 9, 2), "Kyiv"),
                                                               (date(2026, 9, 2), None)}


def test_a_days_daily_files_else_its_intraday_ones(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    names = ["events_20260901.ndjson", "events_intraday_20260901.ndjson",  # the daily file wins
             "events_intraday_20260902.ndjson",  # not final yet: the intraday table
             "events_20260903_000000000000.json.gz", "events_20260903_000000000001.json.gz",  # shards
             "events_20260904.parquet",  # after the window
             "events_20260902.csv"]  # not an export format: named and skipped
    for name in names:
        (tmp_path / name).touch()
    with caplog.at_level(logging.WARNING, logger="throughline.ingestion"):
        found = helpers.export_files(tmp_path, date(2026, 9, 1), date(2026, 9, 3))
    assert [(day.isoformat(), path.name) for day, path in found] == [
        ("2026-09-01", "events_20260901.ndjson"), ("2026-09-02", "events_intraday_20260902.ndjson"),
        ("2026-09-03", "events_20260903_000000000000.json.gz"),
        ("2026-09-03", "events_20260903_000000000001.json.gz")]
    assert "events_20260902.csv is not a day file" in caplog.text


def test_malformed_line_named(tmp_path) -> None:
    path = tmp_path / "events_20260902.ndjson"
    lines = [json.dumps(r) for r in TRICKY_ROWS]
    path.write_text("\n".join([lines[0], "", lines[1], '{"event_name": "page_view",', lines[2]]))
    with pytest.raises(SourceError, match=r"events_20260902.ndjson \(line 4\).*not valid JSON"):
        list(helpers.read_events(path, batch_rows=100))


def test_data_api_report_pages_by_offset_in_a_stable_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """runReport: `offset += limit` while offset < rowCount, every page ordered by every dimension
    (offset pages of an unordered report may repeat or skip rows); values arrive as strings."""
    report = [["20260901", "google", "cpc", "Brand", "(not set)", "kyiv", "/"],
              ["20260901", "google", "organic", "(organic)", "(not set)", "(not set)", "/blog"],
              ["20260902", "(direct)", "(none)", "(direct)", "(not set)", "(not set)", "/"],
              ["20260902", "facebook", "cpc", "Leads", "video_v1", "(not set)", "/offer"],
              ["20260903", "google", "cpc", "Brand", "(not set)", "kyiv", "/"]]
    bodies: list[dict] = []

    def run_report(request: Request) -> Reply:
        body = request.json()
        bodies.append(body)
        offset, limit = int(body["offset"]), int(body["limit"])
        rows = [{"dimensionValues": [{"value": v} for v in dims],
                 "metricValues": [{"value": str(n + 1)}, {"value": "1"}, {"value": "1"}, {"value": "0.5"}]}
                for n, dims in enumerate(report)][offset:offset + limit]
        return Reply(body={"rows": rows, "rowCount": len(report)})

    monkeypatch.setattr(settings, "REPORT_PAGE_SIZE", 2)
    with FakeApi(run_report) as api:
        pages = list(helpers.run_report(ApiClient("ga4", api.url), "123", date(2026, 9, 1), date(2026, 9, 3)))
    assert [int(body["offset"]) for body in bodies] == [0, 2, 4]
    assert all(body["orderBys"] == [{"dimension": {"dimensionName": name}} for name in (
        "date", "sessionSource", "sessionMedium", "sessionCampaignName", "sessionManualAdContent",
        "sessionManualTerm", "landingPage")] for body in bodies)
    records = [record for page in pages for record in page]
    assert [(r["date"], r["session_source"], r["sessions"]) for r in records] == [
        ("2026-09-01", "google", 1), ("2026-09-01", "google", 2), ("2026-09-02", "(direct)", 3),
        ("2026-09-02", "facebook", 4), ("2026-09-03", "google", 5)]
    assert records[3]["session_manual_ad_content"] == "video_v1" and records[0]["key_events"] == 0.5


def test_a_report_with_rows_folded_into_other_warns(caplog: pytest.LogCaptureFixture) -> None:
    """ga4.md A3: `metadata` may carry `dataLossFromOtherRow` (too many distinct rows: the rest is
    one '(other)' row): those sessions land in channel Other, which the run now says."""
    other = {"dimensionValues": [{"value": v} for v in ("20260901", "(other)", "(other)", "(other)", "(other)",
                                                         "(other)", "(other)")],
             "metricValues": [{"value": "40"}, {"value": "30"}, {"value": "0"}, {"value": "0"}]}
    with FakeApi(lambda request: Reply(body={"rows": [other], "rowCount": 1,
                                             "metadata": {"dataLossFromOtherRow": True}})) as api:
        with caplog.at_level("WARNING", logger="throughline.ingestion"):
            rows = [r for page in helpers.run_report(ApiClient("ga4", api.url), "123", date(2026, 9, 1),
                                                      date(2026, 9, 3)) for r in page]
    assert [(r["session_source"], r["sessions"]) for r in rows] == [("(other)", 40)]  # kept: the total holds
    assert "2026-09-01..2026-09-03" in caplog.text and "(other)" in caplog.text


def test_a_revised_data_api_day_replaces_its_rows(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """GA4 revises its last days for up to three days (a visit first reported as `(not set)` is
    later attributed to google / cpc): the re-read day replaces that day's rows, so its sessions
    are not counted under both."""
    first_report = [["20260901", "google", "organic", "(organic)", "(not set)", "(not set)", "/", "4"],
                    ["20260902", "(not set)", "(not set)", "(not set)", "(not set)", "(not set)", "/", "5"]]
    revised_report = [["20260901", "google", "organic", "(organic)", "(not set)", "(not set)", "/", "4"],
                      ["20260902", "google", "cpc", "Brand", "(not set)", "(not set)", "/", "5"]]
    served = [first_report]

    def api(request: Request) -> Reply:
        if request.path.endswith("/token"):
            return Reply(body={"access_token": "token", "expires_in": 3600})
        rows = [{"dimensionValues": [{"value": v} for v in row[:-1]],
                 "metricValues": [{"value": row[-1]}, {"value": "1"}, {"value": "1"}, {"value": "0"}]}
                for row in served[0]]
        return Reply(body={"rows": rows, "rowCount": len(rows)})

    with FakeApi(api) as fake:
        monkeypatch.setenv("SOURCES__GA4__PROPERTY_ID", "123")
        monkeypatch.setenv("SOURCES__GA4__BASE_URL", fake.url)
        monkeypatch.setenv("SOURCES__GA4__CREDENTIALS", json.dumps({
            "type": "authorized_user", "client_id": "id", "client_secret": "secret",
            "refresh_token": "refresh", "token_uri": f"{fake.url}/token"}))
        monkeypatch.setenv("SOURCES__GA4__START_DATE", "2026-09-01")
        monkeypatch.setenv("SOURCES__GA4__END_DATE", "2026-09-02")
        load("ga4")
        served[0] = revised_report
        load("ga4")
    assert query("select cast(date as varchar), session_source, session_medium, sessions "
                 "from raw_ga4.daily_traffic order by 1, 2") == [
        ("2026-09-01", "google", "organic", 4), ("2026-09-02", "google", "cpc", 5)]


def test_days_the_export_delivers_late_are_still_loaded(tmp_path, monkeypatch: pytest.MonkeyPatch, load,
                                                        query) -> None:
    """The export stalls for a week after a day's daily file, then delivers the week at once:
    the cursor had stopped at the last daily file, so no day falls out of the re-read window."""
    from ingestion.common.config import business_today

    folder = tmp_path / "export"
    folder.mkdir()
    today = business_today()

    def deliver(days_ago: int) -> None:
        day = today - timedelta(days=days_ago)
        row = {**event("page_view", 1788340512345678, 1788340500 + days_ago, "https://shop.example.ua/"),
               "event_date": day.strftime("%Y%m%d")}
        (folder / f"events_{day:%Y%m%d}.ndjson").write_text(json.dumps(row))

    deliver(10)
    (folder / f"events_intraday_{today:%Y%m%d}.ndjson").write_text(json.dumps(
        {**event("page_view", 1788340512345678, 1788340499, "https://shop.example.ua/"),
         "event_date": f"{today:%Y%m%d}"}))
    monkeypatch.setenv("SOURCES__GA4__EXPORT_PATH", str(folder))
    monkeypatch.setenv("SOURCES__GA4__START_DATE", (today - timedelta(days=12)).isoformat())
    load("ga4")
    for days_ago in range(1, 10):
        deliver(days_ago)
    load("ga4")
    assert query("select count(distinct event_date) from raw_ga4.events") == [(11,)]
