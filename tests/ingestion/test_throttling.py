"""How long each API asks us to wait when it throttles, read from its own error or headers."""

from __future__ import annotations

import json
import time

import pytest
import requests

from ingestion.bitrix24.helpers import classify as bitrix24_classify
from ingestion.common import http
from ingestion.google_ads.helpers import classify as google_ads_classify
from ingestion.meta_ads.helpers import classify as meta_ads_classify


def response(status: int, body: object, headers: dict[str, str] | None = None) -> requests.Response:
    reply = requests.Response()
    reply.status_code = status
    reply._content = json.dumps(body).encode()
    reply.headers.update(headers or {})
    return reply


def google_quota_error(delay: str) -> dict:
    return {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [{
        "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
        "errors": [{"errorCode": {"quotaError": "RESOURCE_EXHAUSTED"},
                    "details": {"quotaErrorDetails": {"rateScope": "DEVELOPER", "retryDelay": delay}}}]}]}}


@pytest.mark.parametrize(("reply", "verdict"), [
    (response(429, google_quota_error("5603s")), 5603.0),  # a daily quota: ApiClient fails, it waits > 300 s
    (response(429, [google_quota_error("30s")]), 30.0),  # the searchStream array form
    (response(429, {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}), None),  # Retry-After, backoff
    (response(401, {"error": {"code": 401}}), "auth"),
    (response(400, {"error": {"code": 400}}), None),
])
def test_google_ads_waits_its_retry_delay(reply: requests.Response, verdict: object) -> None:
    assert google_ads_classify(reply) == verdict


def test_meta_ads_waits_the_time_to_regain_access() -> None:
    usage = {"act_1": [{"type": "ads_insights", "call_count": 100, "estimated_time_to_regain_access": 7}],
             "act_2": [{"type": "ads_management", "estimated_time_to_regain_access": 0}]}
    throttled = {"error": {"code": 80000, "is_transient": True}}
    assert meta_ads_classify(response(400, throttled, {"X-Business-Use-Case-Usage": json.dumps(usage)})) == 420.0
    assert meta_ads_classify(response(400, throttled)) == -1.0
    assert meta_ads_classify(response(400, {"error": {"code": 190}})) == "fail"


@pytest.mark.parametrize(("reply", "verdict"), [
    (response(503, {"error": "QUERY_LIMIT_EXCEEDED"}), -1.0),
    (response(429, {"error": "OPERATION_TIME_LIMIT"}), 60.0),  # blocked for the 10-minute window: a minute
    (response(401, {"error": "OVERLOAD_LIMIT", "error_description": "REST API is blocked due to overload"}), -1.0),
    (response(401, {"error": "INVALID_CREDENTIALS"}), "fail"),
])
def test_bitrix24_backs_off_an_overload(reply: requests.Response, verdict: object) -> None:
    assert bitrix24_classify(reply) == verdict


def batch_reply(result_error: object) -> requests.Response:
    return response(200, {"result": {"result": {"p0": []}, "result_error": result_error, "result_total": {}},
                          "time": {}})


@pytest.mark.parametrize(("reply", "verdict"), [
    (batch_reply({"p50": {"error": "OPERATION_TIME_LIMIT",
                          "error_description": "Method is blocked due to operation time limit."}}), 60.0),
    (batch_reply({"p50": {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}}), -1.0),
    (batch_reply({"p50": {"error": "ACCESS_DENIED", "error_description": "Access denied"}}), None),  # fails
    (batch_reply([]), None),
])
def test_bitrix24_waits_for_a_limit_a_batch_sub_call_met(reply: requests.Response, verdict: object) -> None:
    """A batch reply is HTTP 200 whatever its sub-calls met: a sub-call stopped by a limit has the
    batch asked again after the same wait as a single call's; any other error fails (list_all
    names it)."""
    assert bitrix24_classify(reply) == verdict


def test_bitrix24_waits_for_a_blocked_method_to_reset() -> None:
    """429 OPERATION_TIME_LIMIT with the reply's `time.operating_reset_at`: wait until then (a
    second over), at most the 10-minute window."""

    def blocked(reset_in: float) -> requests.Response:
        return response(429, {"error": "OPERATION_TIME_LIMIT",
                              "error_description": "Method is blocked due to operation time limit",
                              "time": {"operating_reset_at": time.time() + reset_in, "operating": 480.2}})

    assert 150 < bitrix24_classify(blocked(150)) <= 151
    assert bitrix24_classify(blocked(3600)) == 600.0
    assert bitrix24_classify(blocked(-5)) == 60.0  # a reset already past: a minute, as without one


def test_the_pacer_lets_a_burst_through_then_spaces_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bitrix24's leaky bucket (a burst, then two a second) and Ringostat's one a second."""
    clock = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        clock[0] += seconds

    monkeypatch.setattr(http.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(http.time, "sleep", sleep)
    bucket = http.Pacer(burst=3, rate=2.0)
    for _ in range(5):
        bucket.wait()
    assert slept == [0.5, 0.5]  # three at once, then one every half second
    clock[0] += 10  # an idle spell refills the burst, no more
    for _ in range(4):
        bucket.wait()
    assert slept == [0.5, 0.5, 0.5]

    slept.clear()
    one_a_second = http.Pacer(burst=1, rate=1.0)
    one_a_second.wait()
    clock[0] += 0.25
    one_a_second.wait()
    assert slept == [0.75]
