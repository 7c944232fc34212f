"""Ringostat and CallRail calls in one shape: UTC times, E.164 phones, client ids."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from ingestion.common.config import business_today
from tests.ingestion.fake_api import FakeApi, Reply, Request

KEY = "ringostat-auth-key-123"


RINGOSTAT_CALLS = [
    {"uniqueid": "1788340512.1", "calldate": "2026-09-02 14:21:07", "caller": "380671234567",
     "dst": "380445551122", "disposition": "ANSWERED", "call_type": "in", "duration": "187",
     "waittime": "9", "billsec": "178", "connected_with": "Олена Петренко", "pool_name": "Facebook Ads",
     "utm_source": "facebook", "utm_medium": "cpc", "utm_campaign": "ua_leads",
     "client_id": "1382483615.1522331416", "recording": "https://app.ringostat.com/r.mp3"},
    {"uniqueid": "1788340512.2", "calldate": "2026-09-02 15:00:00", "caller": "380671234567",
     "dst": "380445550000", "disposition": "NO ANSWER", "call_type": "in", "duration": 30,
     "waittime": 30, "billsec": 0, "pool_name": "Billboard", "client_id": ""},
    # the manager calls the customer back: the customer is the number dialled
    {"uniqueid": "1788340512.3", "calldate": "2026-09-02 15:10:00", "caller": "380445550000",
     "dst": "380671234567", "disposition": "ANSWERED", "call_type": "out", "duration": 60,
     "waittime": 5, "billsec": 55, "client_id": ""},
    # a day after the first week's window: only the second window holds it
    {"uniqueid": "1788340512.4", "calldate": "2026-09-08 00:00:00", "caller": "380671234567",
     "dst": "380445551122", "disposition": "ANSWERED", "call_type": "in", "billsec": "20", "client_id": ""},
]


def ringostat(request: Request) -> Reply:
    """The calls from `from` to `to` (both inclusive); a window without calls is JSON null."""
    assert request.path == "/calls/list" and request.headers["auth-key"] == KEY
    inside = [call for call in RINGOSTAT_CALLS if request.query["from"] <= call["calldate"] <= request.query["to"]]
    return Reply(body=inside or None)


def test_ringostat(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    arrived: list[float] = []

    def timed(request: Request) -> Reply:
        arrived.append(time.monotonic())
        return ringostat(request)

    with FakeApi(timed) as api:
        for key, value in {"PROVIDER": "ringostat", "BASE_URL": api.url, "AUTH_KEY": KEY,
                           "PROJECT_ID": "42", "START_DATE": "2026-09-01", "END_DATE": "2026-09-08"}.items():
            monkeypatch.setenv(f"SOURCES__CALLTRACKING__{key}", value)
        load("calltracking")
    # a week per request: eight days are two windows
    assert [(r.query["from"], r.query["to"]) for r in api.requests] == [
        ("2026-09-01 00:00:00", "2026-09-07 23:59:59"), ("2026-09-08 00:00:00", "2026-09-08 23:59:59")]
    assert arrived[1] - arrived[0] >= 0.95  # at most one request a second, as Ringostat advises
    rows = query("select call_id, started_at, direction, answered, wait_seconds, caller_phone_e164, "
                 "tracking_number, client_id, source_name from raw_calltracking.calls order by call_id")
    assert [r[0] for r in rows] == ["1788340512.1", "1788340512.2", "1788340512.3", "1788340512.4"]
    first = rows[0]
    # 14:21:07 in Kyiv (UTC+3 in September) is 11:21:07 UTC
    assert first[1].astimezone(UTC) == datetime(2026, 9, 2, 11, 21, 7, tzinfo=UTC)
    assert first[2:] == ("inbound", True, 9, "+380671234567", "+380445551122",
                         "1382483615.1522331416", "Facebook Ads")
    assert rows[1][3] is False and rows[1][7] is None and rows[1][8] == "Billboard"
    assert rows[2][2:7] == ("outbound", True, 5, "+380671234567", "+380445550000")


def callrail(request: Request) -> Reply:
    assert request.headers["authorization"] in ('Token token="cr-key"', "Token token=cr-key")
    page = int(request.query["page"])
    call = {"id": f"CAL{page}", "answered": page == 1, "direction": "inbound", "duration": 148,
            "customer_phone_number": "+14705559876", "tracking_phone_number": "+14045550000",
            "start_time": "2026-09-02T13:41:00.236-04:00", "source_name": "Google Paid",
            "ga": "GA1.2.1382483615.1522331416", "utm_source": "google", "agent_email": "a@example.com"}
    return Reply(body={"page": page, "per_page": 250, "total_pages": 2, "total_records": 2, "calls": [call]})


def test_callrail(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    with FakeApi(callrail) as api:
        for key, value in {"PROVIDER": "callrail", "BASE_URL": api.url, "API_KEY": "cr-key",
                           "ACCOUNT_ID": "ACC1", "START_DATE": "2026-09-01", "END_DATE": "2026-09-03"}.items():
            monkeypatch.setenv(f"SOURCES__CALLTRACKING__{key}", value)
        load("calltracking")
    # CallRail has no time-to-answer field: unknown, not zero
    assert query("select call_id, answered, client_id, caller_phone_e164, manager, wait_seconds "
                 "from raw_calltracking.calls order by call_id") == [
        ("CAL1", True, "1382483615.1522331416", "+14705559876", "a@example.com", None),
        ("CAL2", False, "1382483615.1522331416", "+14705559876", "a@example.com", None)]


def test_a_callrail_call_that_went_to_voicemail_is_missed() -> None:
    """CallRail has no "missed" field; its reference derives it from `answered` and `voicemail`."""
    from ingestion.calltracking.helpers import callrail_record

    call = {"id": "CAL1", "start_time": "2026-09-02T13:41:00-04:00", "direction": "inbound",
            "duration": 40, "customer_phone_number": "+380671234567"}
    to_voicemail = callrail_record({**call, "answered": True, "voicemail": True})
    assert (to_voicemail["answered"], to_voicemail["talk_seconds"]) == (False, 0)
    answered = callrail_record({**call, "answered": True, "voicemail": False})
    assert (answered["answered"], answered["talk_seconds"]) == (True, 40)


def test_callrail_loads_only_the_25_months_it_keeps(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """A start date before CallRail's retention is an API error: the load starts where the calls
    still are (a day inside, for the time zones), and a window wholly before it asks nothing."""
    today = business_today()
    oldest_kept = today - relativedelta(months=25)

    def retaining(request: Request) -> Reply:
        if date.fromisoformat(request.query["start_date"]) < oldest_kept:
            return Reply(status=400, body={"error": "start_date is outside the data retention period"})
        return callrail(request)

    with FakeApi(retaining) as api:
        for key, value in {"PROVIDER": "callrail", "BASE_URL": api.url, "API_KEY": "cr-key",
                           "ACCOUNT_ID": "ACC1", "START_DATE": "2020-01-01", "END_DATE": today.isoformat()}.items():
            monkeypatch.setenv(f"SOURCES__CALLTRACKING__{key}", value)
        load("calltracking")
        assert {r.query["start_date"] for r in api.requests} == {(oldest_kept + timedelta(days=1)).isoformat()}
        assert query("select count(*) from raw_calltracking.calls") == [(2,)]

        api.requests.clear()
        monkeypatch.setenv("SOURCES__CALLTRACKING__END_DATE", "2020-01-31")
        load("calltracking")
        assert api.requests == []


def test_ringostat_splits_a_busy_day_the_api_refuses(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """7 000 calls on one day: the API refuses a window holding more than 6 500 (HTTP 400), so the
    day is asked for in halves, and every call arrives once."""
    calls = [{"uniqueid": f"busy.{n}", "calldate": f"2026-09-02 {n // 360:02d}:{n % 360 // 6:02d}:{n % 6 * 10:02d}",
              "caller": "380671234567", "dst": "380445551122", "disposition": "ANSWERED", "call_type": "in",
              "billsec": "10"} for n in range(7000)]
    windows: list[tuple[str, str]] = []

    def busy_day(request: Request) -> Reply:
        window = (request.query["from"], request.query["to"])
        windows.append(window)
        inside = [call for call in calls if window[0] <= call["calldate"] <= window[1]]
        if len(inside) > 6500:
            return Reply(status=400, body={"error": "Too many calls in the period: split it (max 6500)"})
        return Reply(body=inside)

    with FakeApi(busy_day) as api:
        for key, value in {"PROVIDER": "ringostat", "BASE_URL": api.url, "AUTH_KEY": KEY,
                           "START_DATE": "2026-09-02", "END_DATE": "2026-09-02"}.items():
            monkeypatch.setenv(f"SOURCES__CALLTRACKING__{key}", value)
        load("calltracking")
    assert query("select count(*), count(distinct call_id) from raw_calltracking.calls") == [(7000, 7000)]
    assert windows[:3] == [("2026-09-02 00:00:00", "2026-09-02 23:59:59"),
                           ("2026-09-02 00:00:00", "2026-09-02 11:59:59"),
                           ("2026-09-02 12:00:00", "2026-09-02 23:59:59")]


def ringostat_day(monkeypatch: pytest.MonkeyPatch, url: str, day: str) -> None:
    """Ringostat's settings, loading one day from the fake API at `url`."""
    for key, value in {"PROVIDER": "ringostat", "BASE_URL": url, "AUTH_KEY": KEY, "PROJECT_ID": "42",
                       "START_DATE": day, "END_DATE": day}.items():
        monkeypatch.setenv(f"SOURCES__CALLTRACKING__{key}", value)


def test_ringostat_times_are_the_business_time_zones(monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """Ringostat gives a call's time in its project's time zone, the business's unless set: a
    Warsaw business's call at 00:30 on 3 September is 22:30 UTC on the 2nd (not 21:30, as Kyiv)."""
    monkeypatch.setenv("THROUGHLINE_TIMEZONE", "Europe/Warsaw")
    call = {**RINGOSTAT_CALLS[0], "uniqueid": "warsaw.1", "calldate": "2026-09-03 00:30:00"}
    with FakeApi(lambda request: Reply(body=[call])) as api:
        ringostat_day(monkeypatch, api.url, "2026-09-03")
        load("calltracking")
    assert [row[0].astimezone(UTC) for row in query("select started_at from raw_calltracking.calls")] == [
        datetime(2026, 9, 2, 22, 30, tzinfo=UTC)]


def test_an_error_object_in_a_ringostat_reply_is_shown(monkeypatch: pytest.MonkeyPatch, load) -> None:
    """Ringostat may answer HTTP 200 with an error object instead of calls: the error names it."""
    with FakeApi(lambda request: Reply(body={"error": "Invalid Auth-key"})) as api:
        ringostat_day(monkeypatch, api.url, "2026-09-03")
        shown = r'calls/list .*expected a JSON array of calls, got: \{"error": "Invalid Auth-key"\}'
        with pytest.raises(Exception, match=shown):
            load("calltracking")


def test_a_call_that_cannot_be_read_is_named(monkeypatch: pytest.MonkeyPatch, load) -> None:
    """A call without its time fails naming the request window and the call's id, not as Python's
    "time data 'None' does not match format"."""
    broken = {**RINGOSTAT_CALLS[0], "uniqueid": "broken.1", "calldate": None}
    with FakeApi(lambda request: Reply(body=[RINGOSTAT_CALLS[0], broken])) as api:
        ringostat_day(monkeypatch, api.url, "2026-09-02")
        named = r"calls/list \(2026-09-02 00:00:00\.\.2026-09-02 23:59:59\) failed: uniqueid 'broken\.1' cannot be read"
        with pytest.raises(Exception, match=named):
            load("calltracking")


def test_the_auth_key_is_kept_out_of_dlts_run_trace(monkeypatch: pytest.MonkeyPatch, warehouse, load) -> None:
    """dlt writes the settings it resolved to a trace file beside the pipeline (readable by every
    user): a key passed as an ordinary setting was written there in clear; a secret-typed one is not."""
    from throughline.settings import Settings

    with FakeApi(ringostat) as api:
        for key, value in {"PROVIDER": "ringostat", "BASE_URL": api.url, "AUTH_KEY": KEY,
                           "PROJECT_ID": "42", "START_DATE": "2026-09-01", "END_DATE": "2026-09-01"}.items():
            monkeypatch.setenv(f"SOURCES__CALLTRACKING__{key}", value)
        load("calltracking")
    traces = list((Settings.from_env().data_dir / "dlt_pipelines").glob("throughline_calltracking/trace.pickle"))
    assert traces and KEY.encode() not in traces[0].read_bytes()
