"""Google Ads searchStream calls and the flattening of its rows into raw-table records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import requests

from ingestion.common.http import ApiClient, SourceError
from ingestion.common.oauth import OAuthToken


def make_client(base_url: str, token: OAuthToken, developer_token: str | None,
                login_customer_id: str | None) -> ApiClient:
    headers = {}
    if developer_token:
        headers["developer-token"] = developer_token
    if login_customer_id:
        headers["login-customer-id"] = digits(login_customer_id)
    return ApiClient("google_ads", base_url, headers=headers, authorize=token.authorize,
                     refresh=token.refresh, classify=classify)


# Errors Google Ads asks to retry (RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE), also when they come
# as an element of a 200 searchStream array.
TRANSIENT_CODES = frozenset({429, 500, 503})


def classify(response: requests.Response) -> str | float | None:
    """A quota error waits its retryDelay (ApiClient fails one of hours: a daily limit); a
    transient error inside a 200 stream is retried as the same error outside it would be."""
    if response.status_code == 401:
        return "auth"
    if response.status_code == 429:
        return retry_delay(_error_of(response))
    # a stream is read whole once more only when it may hold an error (post_json reads it anyway)
    if (response.status_code == 200 and b'"error"' in response.content
            and (error := _error_of(response)) and error.get("code") in TRANSIENT_CODES):
        delay = retry_delay(error)
        return -1.0 if delay is None else delay
    return None


def _error_of(response: requests.Response) -> dict[str, Any] | None:
    """The error object of a reply: the body's, or the first error element of a stream array."""
    try:
        body = response.json()
    except ValueError:
        return None
    elements = body if isinstance(body, list) else [body]
    return next((e["error"] for e in elements if isinstance(e, dict) and isinstance(e.get("error"), dict)), None)


def retry_delay(error: dict[str, Any] | None) -> float | None:
    """Seconds from the first quotaErrorDetails.retryDelay ("5603s") of an error; None without
    (the client then goes by the status and any Retry-After)."""
    try:
        for detail in (error or {}).get("details") or []:
            for item in detail.get("errors") or []:
                delay = ((item.get("details") or {}).get("quotaErrorDetails") or {}).get("retryDelay")
                if delay:
                    return float(str(delay).rstrip("s"))
    except (ValueError, TypeError, AttributeError):
        pass
    return None


def digits(customer_id: str) -> str:
    return "".join(ch for ch in str(customer_id) if ch.isdigit())


def search_stream(client: ApiClient, api_version: str, customer_id: str, query: str,
                  first: date, last: date) -> Iterator[dict[str, Any]]:
    """Every result row of one GAQL query over first..last (both inclusive)."""
    gaql = f"{query} WHERE segments.date BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'"
    path = f"{api_version}/customers/{customer_id}/googleAds:searchStream"
    page = f"customer {customer_id}, {first}..{last}"
    batches = client.post_json(path, page=page, json_body={"query": gaql})
    if isinstance(batches, dict):
        batches = [batches]
    for batch in batches:
        if "error" in batch:  # an error can arrive as a 200 array element
            error = batch["error"]
            raise SourceError("google_ads", path, page,
                              f"{error.get('status')}: {error.get('message')}", error.get("code"))
        yield from batch.get("results", [])


def _get(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _int(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


def record(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """One raw-table record from a searchStream row (camelCase JSON, int64 as strings)."""
    micros = _int(_get(row, "metrics.costMicros"))
    out: dict[str, Any] = {
        "customer_id": str(_get(row, "customer.id")),
        "currency_code": _get(row, "customer.currencyCode"),
        "date": _get(row, "segments.date"),
        "campaign_id": _str(_get(row, "campaign.id")),
        "cost_micros": micros,
        "cost": Decimal(micros) / Decimal(1_000_000),
        "impressions": _int(_get(row, "metrics.impressions")),
        "clicks": _int(_get(row, "metrics.clicks")),
        "conversions": float(_get(row, "metrics.conversions") or 0),
    }
    if table == "campaign_stats":
        out.update({
            "time_zone": _get(row, "customer.timeZone"),
            "campaign_name": _get(row, "campaign.name"),
            "campaign_status": _get(row, "campaign.status"),
            "advertising_channel_type": _get(row, "campaign.advertisingChannelType"),
            "tracking_url_template": _get(row, "campaign.trackingUrlTemplate"),
            "final_url_suffix": _get(row, "campaign.finalUrlSuffix"),
            "conversions_value": float(_get(row, "metrics.conversionsValue") or 0),
        })
    elif table == "ad_group_stats":
        out.update({
            "campaign_name": _get(row, "campaign.name"),
            "ad_group_id": _str(_get(row, "adGroup.id")),
            "ad_group_name": _get(row, "adGroup.name"),
            "ad_group_tracking_url_template": _get(row, "adGroup.trackingUrlTemplate"),
            "ad_group_final_url_suffix": _get(row, "adGroup.finalUrlSuffix"),
        })
    elif table == "ad_stats":
        custom = _get(row, "adGroupAd.ad.urlCustomParameters")
        urls = _get(row, "adGroupAd.ad.finalUrls")
        out.update({
            "campaign_name": _get(row, "campaign.name"),
            "ad_group_id": _str(_get(row, "adGroup.id")),
            "ad_group_name": _get(row, "adGroup.name"),
            "ad_id": _str(_get(row, "adGroupAd.ad.id")),
            "ad_name": _get(row, "adGroupAd.ad.name"),
            "ad_status": _get(row, "adGroupAd.status"),
            "final_urls": json.dumps(urls) if urls is not None else None,
            "ad_tracking_url_template": _get(row, "adGroupAd.ad.trackingUrlTemplate"),
            "ad_final_url_suffix": _get(row, "adGroupAd.ad.finalUrlSuffix"),
            "url_custom_parameters": json.dumps(custom) if custom is not None else None,
        })
    elif table == "keyword_stats":
        out.update({
            "ad_group_id": _str(_get(row, "adGroup.id")),
            "criterion_id": _str(_get(row, "adGroupCriterion.criterionId")),
            "keyword_text": _get(row, "adGroupCriterion.keyword.text"),
            "match_type": _get(row, "adGroupCriterion.keyword.matchType"),
        })
    return out


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
