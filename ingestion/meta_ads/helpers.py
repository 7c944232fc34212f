"""Graph API calls (cursor paging, throttling) and insights rows as raw-table records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import requests

from ingestion.common.http import ApiClient, SourceError
from ingestion.meta_ads import settings


def make_client(base_url: str, access_token: str) -> ApiClient:
    def authorize(headers: dict[str, str], params: dict[str, Any]) -> None:
        headers["Authorization"] = f"Bearer {access_token}"

    return ApiClient("meta_ads", base_url, authorize=authorize, classify=classify)


def classify(response: requests.Response) -> str | float | None:
    if response.status_code < 400:
        return None
    try:
        code = int(response.json().get("error", {}).get("code"))
    except (ValueError, TypeError, AttributeError):
        return None
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


def paged(client: ApiClient, path: str, params: dict[str, Any], label: str) -> Iterator[dict[str, Any]]:
    """Follow `paging.next` until it is absent (short or empty pages do not end the list)."""
    url: str | None = path
    page = 1
    while url:
        body = client.get_json(url, page=f"{label}, page {page}", params=params if page == 1 else None)
        if not isinstance(body, dict) or "data" not in body:
            raise SourceError("meta_ads", path, f"{label}, page {page}",
                              "the response has no 'data' list")
        yield from body["data"]
        url = (body.get("paging") or {}).get("next")
        page += 1


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
