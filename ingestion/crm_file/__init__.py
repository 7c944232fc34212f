"""Leads and deals from a CSV/XLSX export of any CRM (columns in README.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import tzinfo
from functools import partial
from pathlib import Path
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.common import files
from ingestion.common.config import business_zone
from ingestion.common.config import is_configured as _is_configured
from ingestion.common.phones import ga_client_id, normalize_email, to_e164

NAME = "crm_file"
log = logging.getLogger("throughline.ingestion")


def _stage(text: str) -> str:
    value = text.strip().lower()
    if value not in ("won", "lost", "open"):
        raise ValueError(f"stage must be won, lost or open, not {text!r}")
    return value


def table_columns(zone: tzinfo) -> dict[str, dict[str, tuple[files.Parser, bool]]]:
    """Each table's columns, name -> (parser, required); a date-time without an offset is a time
    in `zone`, the business's."""
    at = partial(files.iso_datetime, zone=zone)
    return {
        "leads": {
            "lead_id": (files.text_value, True),
            "created_at": (at, True),
            "status": (files.text_value, False),
            "non_target": (files.boolean, False),
            "manager_id": (files.text_value, False),
            "manager_name": (files.text_value, False),
            "phone": (files.text_value, False),
            "email": (files.text_value, False),
            "client_id": (ga_client_id, False),
            "utm_source": (files.text_value, False),
            "utm_medium": (files.text_value, False),
            "utm_campaign": (files.text_value, False),
            "utm_content": (files.text_value, False),
            "utm_term": (files.text_value, False),
            "first_response_at": (at, False),
        },
        "deals": {
            "deal_id": (files.text_value, True),
            "lead_id": (files.text_value, False),
            "contact_phone": (files.text_value, False),
            "contact_email": (files.text_value, False),
            "created_at": (at, True),
            "closed_at": (at, False),
            "stage": (_stage, True),
            "amount": (files.non_negative, True),
            "currency": (files.currency_code, True),
            "manager_id": (files.text_value, False),
            "manager_name": (files.text_value, False),
        },
        "managers": {
            "manager_id": (files.text_value, True),
            "manager_name": (files.text_value, False),
            "email": (files.text_value, False),
        },
        "lead_status_history": {
            "lead_id": (files.text_value, True),
            "changed_at": (at, True),
            "status": (files.text_value, False),
        },
    }


REQUIRED_TABLES = ("leads",)
# a table's key: a later row repeating it is set aside (a lead listed twice would count twice)
KEYS = {"leads": "lead_id", "deals": "deal_id", "managers": "manager_id"}
# the column whose day a table's rows start from at start_date (managers: all of them)
START_COLUMNS = {"leads": "created_at", "deals": "created_at", "lead_status_history": "changed_at"}
# the columns _enrich adds
DERIVED_COLUMNS = {"leads": ("phone_e164",), "deals": ("contact_phone_e164",)}


def required_settings() -> tuple[str, ...]:
    return ("path",)


def is_configured() -> bool:
    return _is_configured(NAME, *required_settings())


def _location(path: Path, table: str) -> tuple[str | None, str | None]:
    """(file, sheet) of one table: a CSV in the folder, or a sheet of the workbook. A path to one
    CSV file is the leads export, with the other tables' CSVs looked for beside it."""
    if path.suffix.lower() == ".csv":
        if table == "leads":
            return (str(path), None) if path.exists() else (None, None)
        path = path.parent
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = files.sheet_named(path, table)
        return (str(path), sheet) if sheet else (None, None)
    if not path.is_dir():
        return None, None
    # Deals.csv or lead-status-history.csv: names are written otherwise from one export or system to another
    found = next((f for f in sorted(path.iterdir())
                  if f.suffix.lower() == ".csv" and files.column_name(f.stem) == table), None)
    return (str(found), None) if found else (None, None)


def _enrich(table: str, row: dict[str, Any], region: str) -> dict[str, Any]:
    if table == "leads":
        row["phone_e164"] = to_e164(row.get("phone"), region)
        row["email"] = normalize_email(row.get("email"))
    elif table == "deals":
        row["contact_phone_e164"] = to_e164(row.get("contact_phone"), region)
        row["contact_email"] = normalize_email(row.get("contact_email"))
    return row


@dlt.source(name=NAME)
def source(path: str = dlt.config.value, default_region: str = "UA",
           start_date: str | None = None) -> list[DltResource]:
    root = Path(path)
    zone = business_zone()
    tables = table_columns(zone)
    checked: dict[str, files.Checked] = {}

    def load(table: str) -> files.Checked:
        if table not in checked:
            location, sheet = _location(root, table)
            if location is None:
                if table in REQUIRED_TABLES:
                    raise files.FileError(f"{root}: no {table}.csv (or sheet '{table}') found")
                checked[table] = files.Checked(missing=True)
            else:
                rows = files.read_rows(location, sheet)
                label = Path(location).name + (f"[{sheet}]" if sheet else "")
                if table in REQUIRED_TABLES:
                    files.refuse_header_only(rows, label, table, "an export that failed?")
                elif not rows:
                    log.warning("%s: %s holds no rows, only its header: the %s table is now empty",
                                NAME, label, table)
                result = files.check_rows(rows, tables[table], label, key=KEYS.get(table))
                files.log_rejects(log, NAME, result.rejected)
                files.refuse_all_set_aside(rows, result, label, table)
                if table in START_COLUMNS:
                    column = START_COLUMNS[table]
                    result.rows = files.since(result.rows, start_date,
                                              lambda row, column=column: row[column].astimezone(zone).date())
                result.rows = [_enrich(table, r, default_region) for r in result.rows]
                checked[table] = result
        return checked[table]

    def table_resource(table: str) -> DltResource:
        @dlt.resource(name=table, write_disposition="replace",
                      columns=files.dlt_columns(tables[table], text=DERIVED_COLUMNS.get(table, ())))
        def rows() -> Iterator[Any]:
            # (in the source's state: dlt starts a replace resource's own state afresh each load)
            seen, result = dlt.current.source_state().setdefault("files_seen", []), load(table)
            if not result.missing:
                if table not in seen:
                    seen.append(table)
                yield result.rows
            elif table in seen:
                # a renamed or moved export must not wipe what it loaded: its header alone empties it
                log.warning("%s: no %s.csv (or sheet '%s') in %s any more: the %s loaded before are kept "
                            "(to empty them, give the file with its header only)", NAME, table, table, root, table)
                yield files.kept_as_loaded()
            else:
                log.info("%s: no %s.csv (or sheet '%s') in %s: no %s loaded", NAME, table, table, root, table)
                yield []

        return rows

    @dlt.resource(name="rejected_rows", write_disposition="replace")
    def rejected_rows() -> Iterator[list[dict[str, Any]]]:
        yield [reject for table in tables for reject in load(table).rejected]

    return [*(table_resource(table) for table in tables), rejected_rows]
