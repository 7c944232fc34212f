"""Bitrix24 webhook calls: start/next paging, the leaky-bucket limit, record normalisation."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from ingestion.bitrix24 import settings
from ingestion.common.http import ApiClient, SourceError
from ingestion.common.phones import normalize_email, to_e164


@dataclass
class Pacer:
    """Client side of Bitrix24's leaky bucket: a burst, then `rate` requests per second."""

    burst: float = settings.BURST
    rate: float = settings.DRAIN_PER_SECOND
    tokens: float = settings.BURST
    checked: float = field(default_factory=time.monotonic)

    def wait(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.checked) * self.rate)
        self.checked = now
        if self.tokens < 1:
            time.sleep((1 - self.tokens) / self.rate)
            self.tokens, self.checked = 1.0, time.monotonic()
        self.tokens -= 1


def classify(response: requests.Response) -> str | float | None:
    """503 QUERY_LIMIT_EXCEEDED / 429 OPERATION_TIME_LIMIT: back off; auth errors: fail."""
    if response.status_code in (429, 503):
        return -1.0
    if response.status_code == 401:
        return "fail"
    return None


def make_client(webhook_url: str) -> ApiClient:
    return ApiClient("bitrix24", webhook_url.rstrip("/") + "/", classify=classify)


def call(client: ApiClient, pacer: Pacer, method: str, body: dict[str, Any], page: str) -> dict[str, Any]:
    pacer.wait()
    response = client.post_json(f"{method}.json", page=page, json_body=body)
    if not isinstance(response, dict) or "result" not in response:
        error = response.get("error_description") if isinstance(response, dict) else None
        raise SourceError("bitrix24", method, page, error or "the response has no 'result'")
    return response


def list_all(client: ApiClient, pacer: Pacer, method: str, body: dict[str, Any],
             items_key: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """Every page of a list method: `start` offsets until `next` is absent."""
    start = 0
    while True:
        response = call(client, pacer, method, {**body, "start": start}, f"start {start}")
        result = response["result"]
        rows = result.get(items_key, []) if items_key else result
        if isinstance(rows, dict):  # some methods return an object keyed by id
            rows = list(rows.values())
        yield rows
        if "next" not in response:
            return
        start = int(response["next"])


def _first_value(multifield: Any) -> Any:
    if isinstance(multifield, list) and multifield:
        return multifield[0].get("VALUE")
    return None


def normalise(record: dict[str, Any], client_id_field: str | None, region: str) -> dict[str, Any]:
    """Keep every field; multifields as JSON text plus their first value normalised."""
    out = dict(record)
    for name in ("PHONE", "EMAIL", "WEB", "IM"):
        if name in out:
            out[name] = json.dumps(out[name], ensure_ascii=False)
    if "PHONE" in record:
        out["PHONE_E164"] = to_e164(_first_value(record.get("PHONE")), region)
    if "EMAIL" in record:
        out["EMAIL_NORMALIZED"] = normalize_email(_first_value(record.get("EMAIL")))
    if client_id_field:
        value = record.get(client_id_field)
        out["CLIENT_ID"] = None if value in (None, "", [], False) else str(value)
    for key, value in list(out.items()):
        if value == "":
            out[key] = None  # Bitrix24 sends "" for empty dates
    return out
