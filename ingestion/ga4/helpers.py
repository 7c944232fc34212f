"""GA4 export day files flattened to one row per event (in DuckDB), and runReport paging."""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.common.http import ApiClient, SourceError, records
from ingestion.ga4 import settings

log = logging.getLogger("throughline.ingestion")

# event_date is never null (a row without it is an error) and is the merge key, which dlt holds
# not null: the schemas agree, so dlt does not warn on every batch that they differ.
EVENT_SCHEMA = pa.schema([
    pa.field("event_date", pa.date32(), nullable=False), ("event_timestamp", pa.int64()),
    ("event_at", pa.timestamp("us", tz="UTC")), ("event_name", pa.string()),
    ("user_pseudo_id", pa.string()), ("ga_session_id", pa.int64()),
    ("ga_session_number", pa.int64()), ("page_location", pa.string()),
    ("page_referrer", pa.string()), ("source", pa.string()), ("medium", pa.string()),
    ("campaign", pa.string()), ("content", pa.string()), ("term", pa.string()),
    ("gclid", pa.string()), ("device_category", pa.string()), ("geo_country", pa.string()),
    ("geo_city", pa.string()), ("client_id", pa.string()),
])

# Python's semantics in SQL: str() of a param value, int() that yields NULL where Python raises,
# urllib.parse.unquote_plus (url_decode rejects escapes that decode to invalid UTF-8: Python's
# unquote then takes over), and parse_qs on the query of page_location (first value wins).
MACROS = r"""
create temp macro param_text(v) as coalesce(
    v.string_value, v.int_value, cast(v.double_value as varchar), cast(v.float_value as varchar));
create temp macro python_int(s) as
    case when regexp_full_match(s, '\s*[+-]?[0-9]+(_[0-9]+)*\s*') then try_cast(s as bigint) end;
create temp macro param_int(v) as case
    when v.string_value is not null then python_int(v.string_value)
    when v.int_value is not null then python_int(v.int_value)
    else try_cast(trunc(coalesce(v.double_value, v.float_value)) as bigint) end;
create temp macro unquote_plus(s) as
    coalesce(try(url_decode(replace(s, '+', ' '))), python_unquote(replace(s, '+', ' ')));
create temp macro query_pairs(url) as list_transform(
    list_filter(
        string_split(regexp_extract(
            regexp_replace(url, '[\t\r\n]', '', 'g'), '^[^#?]*\?([^#]*)', 1), '&'),
        lambda pair: strpos(pair, '=') between 2 and length(pair) - 1),
    lambda pair: struct_pack(name := unquote_plus(split_part(pair, '=', 1)),
                                 value := substr(pair, strpos(pair, '=') + 1)));
create temp macro query_value(pairs, wanted) as
    unquote_plus(list_filter(pairs, lambda pair: pair.name = wanted)[1].value);
"""

# One row per event in the export's order. A param is the first of that key with a value, as
# GA4 sets one value field per param. The traffic fields take the first non-empty of the event's
# collected values, the page_location query string and the event's own params: the session's own
# source. session_traffic_source_last_click is not read for that: GA4 gives a direct visit the
# previous non-direct campaign there, which would turn Direct sessions into campaign touches. Only
# an event that carries a Google Ads click id and no utm_campaign (auto-tagging) takes the campaign
# id of that click from its google_ads_campaign, so the session joins its campaign's spend; it
# comes before the event's campaign param, where GA4 may have written "(organic)" for the click.
EVENTS_SQL = """
with keyed as (
    select
        *,
        list_transform(event_params, lambda p: case when p.value.string_value is not null
            or p.value.int_value is not null or p.value.double_value is not null
            or p.value.float_value is not null then p.key end) as param_keys,
        list_transform(event_params, lambda p: param_text(p.value)) as param_texts,
    from {source}
),
picked as (
    select
        event_date,
        event_timestamp,
        event_name,
        user_pseudo_id,
        device,
        geo,
        collected_traffic_source as collected,
        session_traffic_source_last_click.google_ads_campaign.campaign_id as google_ads_campaign_id,
        event_params[list_position(param_keys, 'ga_session_id')].value as ga_session_id,
        event_params[list_position(param_keys, 'ga_session_number')].value as ga_session_number,
        param_texts[list_position(param_keys, 'page_location')] as page_location,
        param_texts[list_position(param_keys, 'page_referrer')] as page_referrer,
        param_texts[list_position(param_keys, 'source')] as source,
        param_texts[list_position(param_keys, 'medium')] as medium,
        param_texts[list_position(param_keys, 'campaign')] as campaign,
        param_texts[list_position(param_keys, 'content')] as content,
        param_texts[list_position(param_keys, 'term')] as term,
        param_texts[list_position(param_keys, 'gclid')] as gclid,
        param_texts[list_position(param_keys, 'client_id')] as client_id,
    from keyed
),
queried as (
    select
        *,
        case when contains(page_location, '?') then query_pairs(page_location) end as query,
    from picked
),
clicked as (
    -- wbraid / gbraid: Google Ads' click ids on iOS, where a gclid is not allowed
    select *, coalesce(nullif(collected.gclid, ''), query_value(query, 'gclid'), gclid,
                       query_value(query, 'wbraid'), query_value(query, 'gbraid')) as click_id,
    from queried
)
select
    cast(coalesce(strptime(event_date, '%Y%m%d'), error('event_date is missing')) as date)
        as event_date,
    coalesce(event_timestamp, error('event_timestamp is missing')) as event_timestamp,
    timezone('UTC', make_timestamp(event_timestamp)) as event_at,
    event_name,
    user_pseudo_id,
    param_int(ga_session_id) as ga_session_id,
    param_int(ga_session_number) as ga_session_number,
    page_location,
    page_referrer,
    coalesce(nullif(collected.manual_source, ''), query_value(query, 'utm_source'), source) as source,
    coalesce(nullif(collected.manual_medium, ''), query_value(query, 'utm_medium'), medium) as medium,
    coalesce(nullif(collected.manual_campaign_name, ''), query_value(query, 'utm_campaign'),
             case when click_id is not null then nullif(google_ads_campaign_id, '') end, campaign) as campaign,
    coalesce(nullif(collected.manual_content, ''), query_value(query, 'utm_content'), content) as content,
    coalesce(nullif(collected.manual_term, ''), query_value(query, 'utm_term'), term) as term,
    click_id as gclid,
    device.category as device_category,
    geo.country as geo_country,
    geo.city as geo_city,
    case when list_contains($form_events, event_name)
        then coalesce(nullif(client_id, ''), user_pseudo_id) end as client_id,
from clicked
"""

_VALUE = pa.struct([("string_value", pa.string()), ("int_value", pa.string()),
                    ("double_value", pa.float64()), ("float_value", pa.float64())])
# The export columns the events are flattened from; absent columns and fields read as nulls.
EXPORT_SCHEMA = pa.schema([
    ("event_date", pa.string()), ("event_timestamp", pa.int64()), ("event_name", pa.string()),
    ("user_pseudo_id", pa.string()),
    ("event_params", pa.list_(pa.struct([("key", pa.string()), ("value", _VALUE)]))),
    ("device", pa.struct([("category", pa.string())])),
    ("geo", pa.struct([("country", pa.string()), ("city", pa.string())])),
    ("collected_traffic_source", pa.struct([
        (name, pa.string()) for name in ("manual_source", "manual_medium", "manual_campaign_name",
                                          "manual_content", "manual_term", "gclid")])),
    ("session_traffic_source_last_click", pa.struct([
        ("google_ads_campaign", pa.struct([("campaign_id", pa.string())]))])),
])
_SQL_TYPES = {pa.string(): "varchar", pa.int64(): "bigint", pa.float64(): "double"}


# BigQuery's names for a day's export: the daily table, or the intraday one for a day not yet
# final; a file per table, or shards of one (`_000000000000`), JSON possibly gzipped.
EXPORT_FILE = re.compile(r"events_(?P<intraday>intraday_)?(?P<day>\d{8})(?:[_-]\d+)?"
                         r"(?:\.(?:ndjson|jsonl|json)(?:\.gz)?|\.parquet)")


def is_intraday(path: Path) -> bool:
    """An `events_intraday_*` file: the day's events so far, until its daily file arrives."""
    match = EXPORT_FILE.fullmatch(path.name)
    return bool(match and match["intraday"])


def export_files(folder: Path, first: date, last: date) -> list[tuple[date, Path]]:
    """The export files of the days between first and last, oldest first: a day's daily files,
    or its intraday ones while it has none (the next load replaces the day with its daily file)."""
    daily: dict[date, list[Path]] = {}
    intraday: dict[date, list[Path]] = {}
    for path in sorted(folder.glob("events_*")):
        match = EXPORT_FILE.fullmatch(path.name)
        if not match:
            log.warning("GA4 export: %s is not a day file (events_YYYYMMDD.ndjson|.json[.gz]|.parquet); "
                        "skipped", path)
            continue
        day = datetime.strptime(match["day"], "%Y%m%d").date()
        if first <= day <= last:
            (intraday if match["intraday"] else daily).setdefault(day, []).append(path)
    return [(day, path) for day in sorted(daily.keys() | intraday.keys())
            for path in daily.get(day) or intraday[day]]


def read_events(path: Path, batch_rows: int) -> Iterator[pa.Table]:
    """The day file's events as EVENT_SCHEMA tables of at most `batch_rows` rows.

    DuckDB flattens the file on all cores into a temporary parquet file (a streamed query result
    converts to Arrow on one thread only), which is then read back a batch at a time, so memory
    stays bounded however large the day is.
    """
    with tempfile.TemporaryDirectory(prefix="ga4-") as work, duckdb.connect() as con:
        flat = Path(work) / "events.parquet"
        con.execute("set TimeZone = 'UTC'")
        con.create_function("python_unquote", _unquote, ["VARCHAR"], "VARCHAR")
        con.execute(MACROS)
        try:
            source, parameters = _source(path)
            parameters.update(form_events=sorted(settings.FORM_EVENTS), flat=str(flat))
            con.execute(f"copy ({EVENTS_SQL.format(source=source)}) to $flat "
                        f"(format parquet, compression snappy, row_group_size {batch_rows})",
                        parameters)
        except (duckdb.Error, pa.ArrowException) as exc:
            raise _read_error(path, exc) from exc
        for batch in pq.ParquetFile(flat).iter_batches(batch_rows):
            yield pa.Table.from_batches([batch]).cast(EVENT_SCHEMA)


def _unquote(text: str) -> str:
    return unquote(text)


def _source(path: Path) -> tuple[str, dict[str, Any]]:
    """A relation with EXPORT_SCHEMA's columns and types, and its query parameters."""
    if path.suffix != ".parquet":
        columns = {field.name: _sql_type(field.type) for field in EXPORT_SCHEMA}
        return ("read_json($path, format = 'newline_delimited', columns = $columns)",
                {"path": str(path), "columns": columns})
    found = pq.read_schema(path)
    columns = ", ".join(
        f'{_conformed(_quoted(field.name), _field_type(found, field.name), field.type)} '
        f'as {_quoted(field.name)}' for field in EXPORT_SCHEMA)
    return f"(select {columns} from read_parquet($path))", {"path": str(path)}


def _sql_type(kind: pa.DataType) -> str:
    if pa.types.is_struct(kind):
        return f"struct({', '.join(f'{_quoted(f.name)} {_sql_type(f.type)}' for f in kind)})"
    if pa.types.is_list(kind):
        return f"{_sql_type(kind.value_type)}[]"
    return _SQL_TYPES[kind]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _field_type(parent: pa.Schema | pa.StructType, name: str) -> pa.DataType | None:
    index = parent.get_field_index(name)
    return parent.field(index).type if index >= 0 else None


def _conformed(expr: str, found: pa.DataType | None, wanted: pa.DataType, depth: int = 0) -> str:
    """`expr`, of the parquet file's type `found`, as `wanted`: what the file lacks is null, as is
    a column of the null type (an export whose rows never set it), which is not cast: DuckDB 2.0.0
    fails on a cast of a null-typed struct field."""
    if found is None or pa.types.is_null(found):
        return f"null::{_sql_type(wanted)}"
    if pa.types.is_struct(wanted) and pa.types.is_struct(found):
        return "struct_pack(" + ", ".join(
            f"{_quoted(f.name)} := "
            + _conformed(f"{expr}.{_quoted(f.name)}", _field_type(found, f.name), f.type, depth)
            for f in wanted) + ")"
    if pa.types.is_list(wanted) and (pa.types.is_list(found) or pa.types.is_large_list(found)):
        item = f"item{depth}"
        element = _conformed(item, found.value_type, wanted.value_type, depth + 1)
        return f"list_transform({expr}, lambda {item}: {element})"
    return f"cast({expr} as {_sql_type(wanted)})"


def _read_error(path: Path, error: Exception) -> SourceError:
    """DuckDB says what is wrong but not on which line: find the first line Python rejects."""
    if path.suffix != ".parquet":
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    return SourceError("ga4", str(path), f"line {number}", f"not valid JSON: {exc}")
                if not isinstance(row, dict):
                    return SourceError("ga4", str(path), f"line {number}", "not a JSON object")
                missing = " or ".join(
                    key for key in ("event_date", "event_timestamp") if row.get(key) is None)
                if missing:
                    return SourceError("ga4", str(path), f"line {number}", f"no {missing}")
    return SourceError("ga4", str(path), "", f"cannot read the export file: {error}")


def run_report(
    client: ApiClient, property_id: str, first: date, last: date,
) -> Iterator[list[dict[str, Any]]]:
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
            # a total order (one row per dimension combination): offset pages neither repeat
            # nor skip rows
            "orderBys": [{"dimension": {"dimensionName": d}} for d in settings.REPORT_DIMENSIONS],
        }
        report = client.post_json(path, page=f"offset {offset}", json_body=body)
        rows = report.get("rows", [])
        if offset == 0 and (report.get("metadata") or {}).get("dataLossFromOtherRow"):
            log.warning("ga4: the Data API folded part of %s..%s into an '(other)' row (too many distinct "
                        "sources, campaigns and landing pages): those sessions count under channel Other",
                        first, last)
        yield records("ga4", path, f"offset {offset}", rows, _report_record)
        offset += settings.REPORT_PAGE_SIZE
        if offset >= int(report.get("rowCount") or 0) or not rows:
            return


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _report_record(row: dict[str, Any]) -> dict[str, Any]:
    dims = [v.get("value") for v in row.get("dimensionValues", [])]
    metrics = [v.get("value") for v in row.get("metricValues", [])]
    names = settings.REPORT_DIMENSIONS
    record: dict[str, Any] = {_snake(n): v for n, v in zip(names, dims, strict=False)}
    record["date"] = datetime.strptime(record["date"], "%Y%m%d").date().isoformat()
    for name, value in zip(settings.REPORT_METRICS, metrics, strict=False):
        record[_snake(name)] = float(value) if name == "keyEvents" else int(float(value or 0))
    return record
