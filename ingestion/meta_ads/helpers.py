"""Graph API calls (cursor paging, throttling) and insights rows as raw-table records."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import requests

from ingestion.common.http import ApiClient, RetryPolicy, SourceError, records, unexpected_body
from ingestion.meta_ads import settings

log = logging.getLogger("throughline.ingestion")


class TooMuchData(SourceError):
    """Graph error 1, "Please reduce the amount of data you're asking for", or a request that
    timed out (100 / 1504018): the same request would fail again, a smaller one (fewer days,
    fewer rows a page) can succeed."""


def make_client(base_url: str, access_token: str) -> ApiClient:
    def authorize(headers: dict[str, str], params: dict[str, Any]) -> None:
        headers["Authorization"] = f"Bearer {access_token}"

    policy = RetryPolicy(max_attempts=settings.THROTTLED_ATTEMPTS, backoff_seconds=settings.THROTTLED_BACKOFF_SECONDS)
    return ApiClient("meta_ads", base_url, policy=policy, authorize=authorize, classify=classify)


def classify(response: requests.Response) -> str | float | None:
    if response.status_code < 400:
        return None
    try:
        error = response.json().get("error", {})
        code = int(error.get("code"))
    except (ValueError, TypeError, AttributeError):
        return None
    message = str(error.get("message") or "")
    too_much = code == settings.TOO_MUCH_DATA_CODE and settings.TOO_MUCH_DATA_MESSAGE in message.lower()
    if too_much or (code, error.get("error_subcode")) in settings.TIMED_OUT:
        raise TooMuchData("meta_ads", response.url.split("?")[0], "", f"HTTP {response.status_code}: {message}",
                          response.status_code)
    if code in settings.THROTTLING_CODES:
        return regain_seconds(response)
    if code in settings.AUTH_CODES:
        return "fail"
    return None


def regain_seconds(response: requests.Response) -> float:
    """The longest estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage, in
    seconds; -1 (the usual backoff) when the header gives none."""
    try:
        usage = json.loads(response.headers.get("X-Business-Use-Case-Usage") or "{}")
        minutes = max((float(entry.get("estimated_time_to_regain_access") or 0)
                       for entries in usage.values() for entry in entries), default=0.0)
    except (ValueError, TypeError, AttributeError):
        return -1.0
    return minutes * 60 if minutes > 0 else -1.0


def account_path(account_id: str) -> str:
    account_id = str(account_id).strip()
    return account_id if account_id.startswith("act_") else f"act_{account_id}"


def every_status(field: str) -> str:
    """The `filtering` parameter that keeps ads of every status (`field`: `ad.effective_status` on
    insights, `effective_status` on the ads list), deleted and archived ones included."""
    return json.dumps([{"field": field, "operator": "IN", "value": list(settings.AD_STATUSES)}],
                      separators=(",", ":"))


def paged(client: ApiClient, path: str, params: dict[str, Any], label: str) -> Iterator[dict[str, Any]]:
    """Follow `paging.next` until it is absent (short or empty pages do not end the list)."""
    url: str | None = path
    page = 1
    while url:
        body = client.get_json(url, page=f"{label}, page {page}", params=params if page == 1 else None)
        if not isinstance(body, dict) or "data" not in body:
            raise unexpected_body("meta_ads", path, f"{label}, page {page}", "an object with a 'data' list", body)
        yield from body["data"]
        url = (body.get("paging") or {}).get("next")
        page += 1


def listed(client: ApiClient, path: str, params: dict[str, Any], label: str) -> list[dict[str, Any]]:
    """Every item of a list edge (`params["limit"]` a page). A page Meta finds too much data
    (TooMuchData) has the whole list asked again with half as many items a page, down to
    settings.MIN_PAGE_LIMIT."""
    limit = int(params["limit"])
    while True:
        try:
            return list(paged(client, path, {**params, "limit": limit}, label))
        except TooMuchData as exc:
            if limit // 2 < settings.MIN_PAGE_LIMIT:
                raise SourceError("meta_ads", exc.endpoint, label,
                                  f"HTTP {exc.status}: Meta finds even {limit} items a page too much data "
                                  "to send", exc.status) from exc
            log.info("meta_ads: %s: %d items a page is too much data for Meta; asking for %d", label, limit,
                     limit // 2)
            limit //= 2


def insights(client: ApiClient, path: str, params: dict[str, Any], start: date, stop: date,
             label: str) -> Iterator[list[dict[str, Any]]]:
    """The ad-level daily insights rows of `path` from `start` to `stop`, one list per date range
    asked. A range Meta finds too large (TooMuchData) is asked again as two halves, down to
    single days; a single day too large is asked again with fewer ads a page (as `listed` does),
    and fails, naming the account and day, when even settings.MIN_PAGE_LIMIT is too many."""
    time_range = json.dumps({"since": start.isoformat(), "until": stop.isoformat()})
    try:  # every page before any row is handed on: a range abandoned half-way leaves no rows
        rows = list(paged(client, path, {**params, "time_range": time_range}, f"{label} {start}..{stop}"))
    except TooMuchData:
        if start == stop:
            fewer = {**params, "time_range": time_range, "limit": int(params["limit"]) // 2}
            rows = listed(client, path, fewer, f"{label} {start} insights")
            yield records("meta_ads", path, f"{label} {start}..{stop}", rows, insights_record, "ad_id")
            return
        middle = start + (stop - start) // 2
        log.info("meta_ads: %s %s..%s is too much data for Meta; asking for %s..%s and %s..%s",
                 label, start, stop, start, middle, middle + timedelta(days=1), stop)
        yield from insights(client, path, params, start, middle, label)
        yield from insights(client, path, params, middle + timedelta(days=1), stop, label)
        return
    yield records("meta_ads", path, f"{label} {start}..{stop}", rows, insights_record, "ad_id")


def leads_of(actions: list[dict[str, Any]] | None) -> int:
    by_type = {a.get("action_type"): a.get("value") for a in actions or []}
    for action in settings.LEAD_ACTIONS:
        if by_type.get(action) not in (None, ""):
            return int(float(by_type[action]))
    return 0


def insights_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "account_id": str(row.get("account_id")),
        "account_currency": row.get("account_currency"),
        "campaign_id": row.get("campaign_id"),
        "campaign_name": row.get("campaign_name"),
        "adset_id": row.get("adset_id"),
        "adset_name": row.get("adset_name"),
        "ad_id": row.get("ad_id"),
        "ad_name": row.get("ad_name"),
        "date_start": row.get("date_start"),
        "date_stop": row.get("date_stop"),
        "spend": Decimal(str(row.get("spend") or "0")),
        "impressions": int(row.get("impressions") or 0),
        "clicks": int(row.get("clicks") or 0),
        "reach": int(row.get("reach") or 0),
        "leads": leads_of(row.get("actions")),
        "actions": json.dumps(row.get("actions") or []),
    }


def ad_record(row: dict[str, Any], account_id: str) -> dict[str, Any]:
    creative = row.get("creative") or {}
    story = creative.get("object_story_spec") or {}
    link = (story.get("link_data") or {}).get("link") or (
        ((story.get("video_data") or {}).get("call_to_action") or {}).get("value") or {}
    ).get("link")
    return {
        "id": row.get("id"),
        "account_id": account_id,
        "name": row.get("name"),
        "adset_id": row.get("adset_id"),
        "campaign_id": row.get("campaign_id"),
        "effective_status": row.get("effective_status"),
        "updated_time": row.get("updated_time"),
        "creative_id": creative.get("id"),
        "url_tags": creative.get("url_tags"),
        "link": link,
    }
