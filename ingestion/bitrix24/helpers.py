"""Bitrix24 webhook calls: paging (a first page, then `batch` calls), the leaky-bucket limit,
record normalisation."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from ingestion.bitrix24 import settings
from ingestion.common.http import ApiClient, Pacer, RetryPolicy, SourceError
from ingestion.common.phones import ga_client_id, normalize_email, to_e164


def classify(response: requests.Response) -> str | float | None:
    """503 QUERY_LIMIT_EXCEEDED / 401 OVERLOAD_LIMIT: back off; 429 OPERATION_TIME_LIMIT: wait
    for the method to unblock; other 401s (bad webhook, no REST on the plan): fail. A `batch`
    reply is HTTP 200 whatever its sub-calls met: one stopped by a limit is waited for the same
    way and the whole batch asked again (its pages are reads)."""
    if response.status_code == 200:
        limit = _batch_limit_error(response)
        if limit == "OPERATION_TIME_LIMIT":
            return _blocked_wait(response)
        return -1.0 if limit else None
    if response.status_code == 429 and _error_code(response) == "OPERATION_TIME_LIMIT":
        return _blocked_wait(response)
    if response.status_code in (429, 503):
        return -1.0
    if response.status_code == 401:
        return -1.0 if _error_code(response) == "OVERLOAD_LIMIT" else "fail"
    return None


def _batch_limit_error(response: requests.Response) -> str | None:
    """The rate or time limit error a batch sub-call met, if any."""
    if b"result_error" not in response.content:
        return None
    try:
        errors = response.json()["result"]["result_error"]
    except (ValueError, TypeError, KeyError):
        return None
    for error in (errors.values() if isinstance(errors, dict) else errors or []):
        code = error.get("error") if isinstance(error, dict) else None
        if code in settings.LIMIT_ERRORS:
            return code
    return None


def _error_code(response: requests.Response) -> str | None:
    try:
        return str(response.json().get("error"))
    except (ValueError, AttributeError):
        return None


def _blocked_wait(response: requests.Response) -> float:
    return _seconds_to_operating_reset(response) or settings.OPERATION_BLOCK_WAIT_SECONDS


def _seconds_to_operating_reset(response: requests.Response) -> float | None:
    """Seconds until `time.operating_reset_at` (unix time) of the reply, when it gives one ahead."""
    try:
        reset_at = float(response.json()["time"]["operating_reset_at"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    wait = reset_at - time.time() + 1
    return min(wait, settings.OPERATING_WINDOW_SECONDS) if wait > 0 else None


def make_client(webhook_url: str) -> ApiClient:
    return ApiClient("bitrix24", webhook_url.rstrip("/") + "/", classify=classify,
                     policy=RetryPolicy(max_attempts=settings.MAX_ATTEMPTS,
                                        max_retry_after_seconds=settings.OPERATING_WINDOW_SECONDS))


def call(client: ApiClient, pacer: Pacer, method: str, body: dict[str, Any], page: str) -> dict[str, Any]:
    pacer.wait()
    response = client.post_json(f"{method}.json", page=page, json_body=body)
    if not isinstance(response, dict) or "result" not in response:
        error = response.get("error_description") if isinstance(response, dict) else None
        raise SourceError("bitrix24", method, page, error or "the response has no 'result'")
    return response


@dataclass
class Listing:
    """How many records the list held: the most any page of the listing counted (a record
    created while it is read raises the count, and may hide one that slid out of every page)."""

    total: int = 0


def list_all(client: ApiClient, pacer: Pacer, method: str, body: dict[str, Any],
             items_key: str | None = None, listing: Listing | None = None) -> Iterator[list[dict[str, Any]]]:
    """Every page of a list method: the first page tells the total, then the remaining `start`
    offsets go out as `batch` calls of up to 50 pages each (one request of the rate limit). The
    largest total any page told is kept in `listing`."""
    response = call(client, pacer, method, {**body, "start": 0}, "start 0")
    if listing is not None:
        listing.total = int(response.get("total") or 0)
    yield _rows(response["result"], items_key)
    if "next" not in response:
        return
    offsets = range(int(response["next"]), int(response.get("total") or 0), settings.PAGE_SIZE)
    yield from batched(client, pacer, method, {f"p{start}": {**body, "start": start} for start in offsets},
                       items_key, listing)


def list_by_ids(client: ApiClient, pacer: Pacer, method: str, body: dict[str, Any],
                ids: list[str]) -> Iterator[list[dict[str, Any]]]:
    """The records of `ids` that the `filter` of `body` lets through: 50 ids a page (`@ID`, so
    that each fits one page), the pages sent as `batch` calls."""
    chunks = [ids[at:at + settings.PAGE_SIZE] for at in range(0, len(ids), settings.PAGE_SIZE)]
    pages = {f"ids{chunk[0]}": {**body, "filter": {**body.get("filter", {}), "@ID": chunk}} for chunk in chunks}
    yield from batched(client, pacer, method, pages)


def batched(client: ApiClient, pacer: Pacer, method: str, pages: dict[str, dict[str, Any]],
            items_key: str | None = None, listing: Listing | None = None) -> Iterator[list[dict[str, Any]]]:
    """The pages of `method` that `pages` names (sub-call name: request body), asked in `batch`
    calls of up to 50 sub-calls each, one request of the rate limit each."""
    names = list(pages)
    for at in range(0, len(names), settings.BATCH_SIZE):
        chunk = names[at:at + settings.BATCH_SIZE]
        commands = {name: f"{method}?{php_query(pages[name])}" for name in chunk}
        page = f"batch of {chunk[0]}..{chunk[-1]}"
        reply = call(client, pacer, "batch", {"halt": 1, "cmd": commands}, page)["result"]
        errors = reply.get("result_error") or {}
        if errors:
            name, error = next(iter(errors.items()))
            detail = error.get("error_description") or error.get("error") if isinstance(error, dict) else error
            raise SourceError("bitrix24", method, f"batch sub-call {name}", str(detail))
        results = reply.get("result") or {}
        if listing is not None and isinstance(totals := reply.get("result_total"), dict):
            listing.total = max([listing.total, *(int(total) for total in totals.values())])
        for name in commands:
            if name not in results:
                raise SourceError("bitrix24", method, f"batch sub-call {name}", "missing from the batch reply")
            yield _rows(results[name], items_key)


def _rows(result: Any, items_key: str | None) -> list[dict[str, Any]]:
    rows = result.get(items_key, []) if items_key else result
    if isinstance(rows, dict):  # some methods return an object keyed by id
        rows = list(rows.values())
    return rows


def php_query(body: dict[str, Any]) -> str:
    """A request body as the PHP-style query string a `batch` command carries:
    {"filter": {">ID": 5}, "select": ["ID"]} -> filter[>ID]=5&select[0]=ID (URL-encoded)."""
    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}[{key}]" if prefix else str(key), item)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(f"{prefix}[{index}]", item)
        elif isinstance(value, bool):
            pairs.append((prefix, "1" if value else "0"))  # as PHP's http_build_query
        elif value is not None:
            pairs.append((prefix, str(value)))

    walk("", body)
    return urlencode(pairs)


def _first_valid(multifield: Any, normalised: Callable[[Any], str | None]) -> str | None:
    """The first value of a multifield (PHONE, EMAIL: a list of {VALUE, VALUE_TYPE, ...}) that
    normalises: an empty or mistyped first entry does not hide a good second one."""
    if not isinstance(multifield, list):
        return None
    entries = (entry.get("VALUE") for entry in multifield if isinstance(entry, dict))
    return next((value for value in map(normalised, entries) if value), None)


def _client_id_text(value: Any) -> str | None:
    """The GA client id a custom UF_CRM_* field holds: a string (the id or the whole _ga cookie),
    a number, or a list of them (a multiple field: its first non-empty value). A boolean or an
    empty value holds none."""
    if isinstance(value, list):
        return next((text for text in map(_client_id_text, value) if text), None)
    if value is None or isinstance(value, bool):
        return None
    return ga_client_id(value)


def normalise(record: dict[str, Any], client_id_field: str | None, region: str) -> dict[str, Any]:
    """Keep every field; multifields as JSON text plus their first valid phone and e-mail
    normalised."""
    out = dict(record)
    for name in ("PHONE", "EMAIL", "WEB", "IM"):
        if name in out:
            out[name] = json.dumps(out[name], ensure_ascii=False)
    if "PHONE" in record:
        out["PHONE_E164"] = _first_valid(record.get("PHONE"), lambda value: to_e164(value, region))
    if "EMAIL" in record:
        out["EMAIL_NORMALIZED"] = _first_valid(record.get("EMAIL"), normalize_email)
    if client_id_field in record:  # a lead field: deals and contacts lack it
        out["CLIENT_ID"] = _client_id_text(record.get(client_id_field))
    for key, value in list(out.items()):
        if value == "":
            out[key] = None  # Bitrix24 sends "" for empty dates
    return out
