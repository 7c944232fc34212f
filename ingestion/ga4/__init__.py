"""Google Analytics 4: events from the BigQuery-export day files (sessions, form submits) and
daily traffic aggregates from the Data API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
from dlt.common.typing import TSecretValue
from dlt.sources import DltResource

from ingestion.common.config import (
    advance_window,
    config_value,
    load_window,
    secrets,
)
from ingestion.common.config import (
    is_configured as _is_configured,
)
from ingestion.common.http import ApiClient
from ingestion.common.oauth import OAuthToken
from ingestion.ga4 import helpers, settings

NAME = "ga4"
BATCH_ROWS = 200_000


def required_settings() -> tuple[str, ...]:
    """The BigQuery export's files, or the Data API's property and its credentials."""
    data_api = config_value(NAME, "property_id") is not None or config_value(NAME, "credentials") is not None
    if config_value(NAME, "export_path") is None and data_api:
        return ("property_id", "credentials")
    return ("export_path",)


def is_configured() -> bool:
    return _is_configured(NAME, *required_settings())


@dlt.source(name=NAME)
def source(
    export_path: str | None = None,
    property_id: str | None = None,
    credentials: TSecretValue | None = None,  # secret-typed: dlt keeps no copy in its run trace
    base_url: str = settings.DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = settings.EXPORT_LOOKBACK_DAYS,
    backfill: bool = False,
) -> list[DltResource]:
    window = {"start_date": start_date, "end_date": end_date, "lookback_days": lookback_days, "backfill": backfill}

    @dlt.resource(
        name="events",
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        merge_key="event_date",
    )
    def events() -> Iterator[Any]:
        if not export_path:
            return  # the export is not configured: only the Data API loads
        state = dlt.current.resource_state()
        first, last = load_window(state, **window, through_today=True)
        files = helpers.export_files(Path(export_path), first, last)
        for _, path in files:
            yield from helpers.read_events(path, BATCH_ROWS)
        # Only as far as the newest day with its daily file: days an export delivers late are
        # still in the next window, however late they come.
        final_days = [day for day, path in files if not helpers.is_intraday(path)]
        if final_days:
            advance_window(state, max(final_days))

    # A re-read day replaces the day (GA4 revises its last days and may move a visit from one
    # source to another), as the events do.
    @dlt.resource(
        name="daily_traffic",
        primary_key=("date", "session_source", "session_medium", "session_campaign_name",
                     "session_manual_ad_content", "session_manual_term", "landing_page"),
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        merge_key="date",
    )
    def daily_traffic() -> Iterator[list[dict[str, Any]]]:
        if not (property_id and credentials):
            return  # the Data API is not configured: only the export loads
        secrets(credentials if isinstance(credentials, str) else None)
        token = OAuthToken.from_credentials(NAME, credentials, settings.SCOPE)
        client = ApiClient(NAME, base_url, authorize=token.authorize, refresh=token.refresh)
        state = dlt.current.resource_state()
        lookback = {"lookback_days": settings.REPORT_LOOKBACK_DAYS}
        first, last = load_window(state, **{**window, **lookback})
        yield from helpers.run_report(client, str(property_id), first, last)
        advance_window(state, last)

    return [events, daily_traffic]
