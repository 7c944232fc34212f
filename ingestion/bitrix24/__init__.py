"""Bitrix24 CRM: leads, deals, contacts, statuses, users and stage history (webhook REST)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.bitrix24 import helpers, settings
from ingestion.common.config import is_configured as _is_configured
from ingestion.common.config import secrets
from ingestion.common.http import Pacer

log = logging.getLogger("throughline.ingestion")

NAME = "bitrix24"


def required_settings() -> tuple[str, ...]:
    return ("webhook_url",)


def is_configured() -> bool:
    return _is_configured(NAME, *required_settings())


@dlt.source(name=NAME)
def source(
    webhook_url: str = dlt.secrets.value,
    client_id_field: str | None = None,
    default_region: str = "UA",
    start_date: str | None = None,
) -> list[DltResource]:
    secrets(webhook_url)
    client = helpers.make_client(webhook_url)
    pacer = Pacer(settings.BURST, settings.DRAIN_PER_SECOND)
    extra = [client_id_field] if client_id_field else []

    first_moment = f"{start_date}T00:00:00" if start_date else None

    def normalised(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [helpers.normalise(record, client_id_field, default_region) for record in page]

    def leads_modified_before_start(ids: list[str]) -> Iterator[Any]:
        """The leads of `ids` last modified before start_date, which no lead listing reads, as
        rows of the leads table."""
        method, fields = settings.ENTITIES["leads"]
        body = {"select": fields + extra, "filter": {"<DATE_MODIFY": first_moment}}
        for page in helpers.list_by_ids(client, pacer, method, body, ids):
            yield dlt.mark.with_table_name(normalised(page), "leads")

    def entity(table: str, method: str, fields: list[str]) -> DltResource:
        @dlt.resource(name=table, primary_key="id", write_disposition="merge",
                      columns={**settings.SPARSE_COLUMNS.get(table, {}), **settings.NEWEST_VERSION})
        def rows() -> Iterator[Any]:
            state = dlt.current.resource_state()
            lists_whole = table in settings.WHOLE_ON_FIRST_LOAD
            looks_up_leads = bool(start_date) and table in settings.LEADS_LOOKED_UP_FOR
            first_day = None if lists_whole else first_moment
            # an earlier release listed it from start_date, or did not look up its leads: from the start, once
            mark = "listed_whole" if lists_whole else "leads_looked_up" if looks_up_leads else None
            relist = start_date and mark and not state.get(mark)
            since = first_day if relist else state.get("date_modify") or first_day
            body: dict[str, Any] = {"select": fields + extra, "order": {"DATE_MODIFY": "ASC", "ID": "ASC"}}
            if since:
                body["filter"] = {">=DATE_MODIFY": since}  # ties re-read; merge dedupes them
            latest, lead_ids = since, set()
            for attempt in range(1, settings.LISTING_ATTEMPTS + 1):
                listing, seen = helpers.Listing(), set()
                for page in helpers.list_all(client, pacer, method, body, listing=listing):
                    records = normalised(page)
                    for record in records:
                        latest = max(latest or "", record.get("DATE_MODIFY") or "")
                        seen.add(record.get("ID"))
                        if looks_up_leads:
                            lead_ids.add(record.get("LEAD_ID"))
                    yield records  # rows listed twice are merged by id
                complete = len(seen) >= listing.total
                if complete:
                    break
                log.warning("bitrix24: %s listed %d of the %d records it counted (the CRM changed during "
                            "the listing)%s", method, len(seen), listing.total,
                            "; listing again" if attempt < settings.LISTING_ATTEMPTS else
                            f"; the next run lists again from {since or 'the start'}")
            if named := sorted(lead_ids - {None, "0"}):  # "0": no lead
                yield from leads_modified_before_start(named)
            if not complete:
                return  # the cursor stays: what slipped through is listed again next run
            if latest:
                state["date_modify"] = latest
            if mark:
                state[mark] = True

        return rows

    def history(table: str, entity_type: int) -> DltResource:
        @dlt.resource(name=table, primary_key="id", write_disposition="merge")
        def rows() -> Iterator[list[dict[str, Any]]]:
            state = dlt.current.resource_state()
            last_id = int(state.get("last_id", 0))
            body = {"entityTypeId": entity_type, "order": {"ID": "ASC"}, "filter": {">ID": last_id}}
            for page in helpers.list_all(client, pacer, "crm.stagehistory.list", body, "items"):
                if page:
                    last_id = max(last_id, *(int(r["ID"]) for r in page))
                yield page
            state["last_id"] = last_id

        return rows

    @dlt.resource(name="statuses", primary_key=("entity_id", "status_id"), write_disposition="replace",
                  columns=settings.SPARSE_COLUMNS["statuses"])
    def statuses() -> Iterator[list[dict[str, Any]]]:
        yield from helpers.list_all(client, pacer, "crm.status.list", {"order": {"SORT": "ASC"}})

    @dlt.resource(name="users", primary_key="id", write_disposition="replace")
    def users() -> Iterator[list[dict[str, Any]]]:
        yield from helpers.list_all(client, pacer, "user.get", {"ADMIN_MODE": True})

    return [
        *(entity(table, method, fields) for table, (method, fields) in settings.ENTITIES.items()),
        *(history(table, entity_type) for table, entity_type in settings.HISTORY.items()),
        statuses,
        users,
    ]
