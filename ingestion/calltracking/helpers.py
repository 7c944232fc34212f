"""Ringostat and CallRail calls in one normalised shape."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ingestion.calltracking import settings
from ingestion.common.config import kept_from
from ingestion.common.http import ApiClient, Pacer, SourceError, records, unexpected_body
from ingestion.common.phones import ga_client_id, to_e164

log = logging.getLogger("throughline.ingestion")


def _int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _blank(value: Any) -> Any:
    return None if value in ("", None) else value


# Ringostat ---------------------------------------------------------------------------------

OVER_LIMIT = re.compile(r"too many|6\s?500|limit", re.IGNORECASE)


def ringostat_calls(client: ApiClient, pacer: Pacer, project_id: str | None, first: date, last: date,
                    tz: ZoneInfo) -> Iterator[list[dict[str, Any]]]:
    """Days first..last, a week per request (halved while the API finds it over its limit)."""
    start, end = datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min)
    while start < end:
        stop = min(start + timedelta(days=settings.RINGOSTAT_WINDOW_DAYS), end)
        yield from _ringostat_window(client, pacer, project_id, start, stop, tz)
        start = stop


def _ringostat_window(client: ApiClient, pacer: Pacer, project_id: str | None, start: datetime, stop: datetime,
                      tz: ZoneInfo) -> Iterator[list[dict[str, Any]]]:
    params = {
        "export_type": "json",
        "from": start.strftime("%Y-%m-%d %H:%M:%S"),
        "to": (stop - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S"),
        "fields": settings.RINGOSTAT_FIELDS,
    }
    headers = {"x-project-id": str(project_id)} if project_id else None
    splittable = stop - start > timedelta(minutes=10)
    refused = False
    pacer.wait()
    try:
        # a JSON null is a window without calls
        rows = client.get_json("calls/list", page=f"{params['from']}..{params['to']}",
                               params=params, headers=headers) or []
    except SourceError as error:
        # Over the limit, the API may refuse the window (HTTP 400) instead of cutting it short.
        if not (splittable and error.status == 400 and OVER_LIMIT.search(str(error))):
            raise
        rows, refused = [], True
    if not isinstance(rows, list):
        raise unexpected_body("calltracking", "calls/list", params["from"], "a JSON array of calls", rows)
    if refused or (len(rows) >= settings.RINGOSTAT_MAX_ROWS and splittable):
        middle = start + (stop - start) / 2
        yield from _ringostat_window(client, pacer, project_id, start, middle, tz)
        yield from _ringostat_window(client, pacer, project_id, middle, stop, tz)
        return
    yield records("calltracking", "calls/list", f"{params['from']}..{params['to']}", rows,
                  lambda row: ringostat_record(row, tz), "uniqueid")


def ringostat_record(row: dict[str, Any], tz: ZoneInfo, region: str = "UA") -> dict[str, Any]:
    local = datetime.strptime(str(row["calldate"]), "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
    call_type = str(row.get("call_type") or "in").lower()
    disposition = str(row.get("disposition") or "").upper()
    talk = _int(row.get("billsec"))
    outbound = call_type.startswith(("out", "callback"))
    # `caller` dials `dst`: on an outbound call the customer is the one called.
    customer, line = (row.get("dst"), row.get("caller")) if outbound else (row.get("caller"), row.get("dst"))
    return {
        "call_id": str(row["uniqueid"]),
        "provider": "ringostat",
        "started_at": local.astimezone(UTC),
        "direction": "outbound" if outbound else "inbound",
        "answered": disposition == "ANSWERED" or talk > 0,
        "disposition": disposition or None,
        "wait_seconds": _int(row.get("waittime")),
        "duration_seconds": _int(row.get("duration")),
        "talk_seconds": talk,
        "caller_phone": _blank(customer),
        "caller_phone_e164": to_e164(customer, region),
        "tracking_number": to_e164(line, region) or _blank(line),
        "source_name": _blank(row.get("pool_name")),
        "client_id": _blank(row.get("client_id")),
        "utm_source": _blank(row.get("utm_source")),
        "utm_medium": _blank(row.get("utm_medium")),
        "utm_campaign": _blank(row.get("utm_campaign")),
        "utm_content": _blank(row.get("utm_content")),
        "utm_term": _blank(row.get("utm_term")),
        "gclid": None,
        "landing_url": _blank(row.get("landing")),
        "manager": _blank(row.get("connected_with") or row.get("employee_fio")),
        "recording_url": _blank(row.get("recording")),
    }


# CallRail ----------------------------------------------------------------------------------

def callrail_calls(client: ApiClient, account_id: str, first: date, last: date,
                   today: date) -> Iterator[list[dict[str, Any]]]:
    first = kept_from("calltracking (CallRail)", first, today, settings.CALLRAIL_RETENTION_MONTHS)
    if last < first:
        return
    path = f"v3/a/{account_id}/calls.json"
    page, total_pages = 1, 1
    while page <= total_pages:
        params = {"start_date": first.isoformat(), "end_date": last.isoformat(), "page": page,
                  "per_page": settings.CALLRAIL_PER_PAGE, "fields": settings.CALLRAIL_FIELDS}
        body = client.get_json(path, page=f"page {page}", params=params)
        if not isinstance(body, dict) or "calls" not in body:
            raise SourceError("calltracking", path, f"page {page}", "the response has no 'calls'")
        total_pages = int(body.get("total_pages") or 1)
        yield records("calltracking", path, f"page {page}", body["calls"], callrail_record, "id")
        page += 1


def callrail_record(row: dict[str, Any], region: str = "UA") -> dict[str, Any]:
    started = datetime.fromisoformat(str(row["start_time"]).replace("Z", "+00:00"))
    # CallRail has no "missed" field: a call is missed when no one answered it or it went to voicemail
    answered = bool(row.get("answered")) and not row.get("voicemail")
    return {
        "call_id": str(row["id"]),
        "provider": "callrail",
        "started_at": started.astimezone(UTC),
        "direction": "outbound" if str(row.get("direction")).lower() == "outbound" else "inbound",
        "answered": answered,
        "disposition": row.get("call_type"),
        "wait_seconds": None,  # CallRail reports no time to answer
        "duration_seconds": _int(row.get("duration")),
        "talk_seconds": _int(row.get("duration")) if answered else 0,
        "caller_phone": _blank(row.get("customer_phone_number")),
        "caller_phone_e164": to_e164(row.get("customer_phone_number"), region),
        "tracking_number": _blank(row.get("tracking_phone_number")),
        "source_name": _blank(row.get("source_name") or row.get("source")),
        "client_id": ga_client_id(row.get("ga")),
        "utm_source": _blank(row.get("utm_source")),
        "utm_medium": _blank(row.get("utm_medium")),
        "utm_campaign": _blank(row.get("utm_campaign")),
        "utm_content": _blank(row.get("utm_content")),
        "utm_term": _blank(row.get("utm_term")),
        "gclid": _blank(row.get("gclid")),
        "landing_url": _blank(row.get("landing_page_url")),
        "manager": _blank(row.get("agent_email")),
        "recording_url": _blank(row.get("recording")),
    }
