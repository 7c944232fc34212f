"""GA4 export rows flattened to one record per event, and runReport paging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyarrow as pa

from ingestion.common.http import ApiClient, SourceError
from ingestion.ga4 import settings

QUERY_KEYS = {"source": "utm_source", "medium": "utm_medium", "campaign": "utm_campaign",
              "content": "utm_content", "term": "utm_term", "gclid": "gclid"}


def export_files(folder: Path, first: date, last: date) -> list[tuple[date, Path]]:
    """Day files `events_YYYYMMDD.ndjson|.parquet` between first and last, oldest first."""
    found = []
    for path in sorted(folder.glob("events_*")):
        stem = path.name.split(".")[0].removeprefix("events_")
        if path.suffix not in (".ndjson", ".jsonl", ".json", ".parquet") or not stem.isdigit():
            continue
        day = datetime.strptime(stem, "%Y%m%d").date()
        if first <= day <= last:
            found.append((day, path))
    return found


def read_export_file(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        yield from pq.read_table(path).to_pylist()
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError("ga4", str(path), f"line {number}", f"not valid JSON: {exc}") from exc


def _param(params: list[dict[str, Any]] | None, key: str) -> Any:
    for param in params or []:
        if param.get("key") == key:
            value = param.get("value") or {}
            for kind in ("string_value", "int_value", "double_value", "float_value"):
                if value.get(kind) is not None:
                    return value[kind]
    return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def event_record(row: dict[str, Any]) -> dict[str, Any]:
    params = row.get("event_params")
    page_location = _param(params, "page_location")
    query = {k: v[0] for k, v in parse_qs(urlparse(page_location or "").query).items()}
    manual = (row.get("session_traffic_source_last_click") or {}).get("manual_campaign") or {}
    collected = row.get("collected_traffic_source") or {}

    def traffic(field: str) -> Any:
        collected_name = "gclid" if field == "gclid" else f"manual_{field}"
        if field == "campaign":
            collected_name = "manual_campaign_name"
        manual_name = "campaign_name" if field == "campaign" else field
        return (
            collected.get(collected_name)
            or (manual.get(manual_name) if field != "gclid" else None)
            or query.get(QUERY_KEYS[field])
            or _param(params, field)
        )

    micros = int(row["event_timestamp"])
    device = row.get("device") or {}
    geo = row.get("geo") or {}
    event_name = row.get("event_name")
    return {
        "event_date": datetime.strptime(str(row["event_date"]), "%Y%m%d").date(),
        "event_timestamp": micros,
        "event_at": datetime.fromtimestamp(micros / 1_000_000, tz=UTC),
        "event_name": event_name,
        "user_pseudo_id": row.get("user_pseudo_id"),
        "ga_session_id": _int_or_none(_param(params, "ga_session_id")),
        "ga_session_number": _int_or_none(_param(params, "ga_session_number")),
        "page_location": page_location,
        "page_referrer": _param(params, "page_referrer"),
        "source": traffic("source"),
        "medium": traffic("medium"),
        "campaign": traffic("campaign"),
        "content": traffic("content"),
        "term": traffic("term"),
        "gclid": traffic("gclid"),
        "device_category": device.get("category"),
        "geo_country": geo.get("country"),
        "geo_city": geo.get("city"),
        "client_id": str(_param(params, "client_id") or row.get("user_pseudo_id"))
        if event_name in settings.FORM_EVENTS else None,
    }


EVENT_SCHEMA = pa.schema([
    ("event_date", pa.date32()), ("event_timestamp", pa.int64()),
    ("event_at", pa.timestamp("us", tz="UTC")), ("event_name", pa.string()),
    ("user_pseudo_id", pa.string()), ("ga_session_id", pa.int64()),
    ("ga_session_number", pa.int64()), ("page_location", pa.string()),
    ("page_referrer", pa.string()), ("source", pa.string()), ("medium", pa.string()),
    ("campaign", pa.string()), ("content", pa.string()), ("term", pa.string()),
    ("gclid", pa.string()), ("device_category", pa.string()), ("geo_country", pa.string()),
    ("geo_city", pa.string()), ("client_id", pa.string()),
])


def events_table(records: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(records, schema=EVENT_SCHEMA)


def run_report(client: ApiClient, property_id: str, first: date, last: date) -> Iterator[list[dict[str, Any]]]:
    path = f"v1beta/properties/{property_id}:runReport"
    offset = 0
    while True:
        body = {
            "dateRanges": [{"startDate": first.isoformat(), "endDate": last.isoformat()}],
            "dimensions": [{"name": d} for d in settings.REPORT_DIMENSIONS],
            "metrics": [{"name": m} for m in settings.REPORT_METRICS],
            "limit": settings.REPORT_PAGE_SIZE,
            "offset": offset,
            "keepEmptyRows": False,
        }
        report = client.post_json(path, page=f"offset {offset}", json_body=body)
        rows = report.get("rows", [])
        yield [_report_record(row) for row in rows]
        offset += settings.REPORT_PAGE_SIZE
        if offset >= int(report.get("rowCount") or 0) or not rows:
            return


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _report_record(row: dict[str, Any]) -> dict[str, Any]:
    dims = [v.get("value") for v in row.get("dimensionValues", [])]
    metrics = [v.get("value") for v in row.get("metricValues", [])]
    record: dict[str, Any] = {_snake(n): v for n, v in zip(settings.REPORT_DIMENSIONS, dims, strict=False)}
    record["date"] = datetime.strptime(record["date"], "%Y%m%d").date().isoformat()
    for name, value in zip(settings.REPORT_METRICS, metrics, strict=False):
        record[_snake(name)] = float(value) if name == "keyEvents" else int(float(value or 0))
    return record
