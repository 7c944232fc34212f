"""Google Ads: daily spend, impressions and clicks per campaign, ad group, ad and keyword."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource

from ingestion.common.config import (
    account_states,
    advance_window,
    as_list,
    days,
    load_window,
    secrets,
)
from ingestion.common.config import (
    is_configured as _is_configured,
)
from ingestion.common.http import records
from ingestion.common.oauth import OAuthToken
from ingestion.google_ads import helpers, settings

NAME = "google_ads"


def required_settings() -> tuple[str, ...]:
    return ("customer_ids", "client_id", "client_secret", "refresh_token",)


def is_configured() -> bool:
    return _is_configured(NAME, *required_settings())


@dlt.source(name=NAME)
def source(
    customer_ids: Any = dlt.config.value,  # a JSON or TOML list, or ids separated by commas (as_list)
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    refresh_token: str = dlt.secrets.value,
    developer_token: TSecretStrValue | None = None,  # secret-typed: dlt keeps no copy in its run trace
    login_customer_id: str | None = None,
    base_url: str = settings.DEFAULT_BASE_URL,
    api_version: str = settings.DEFAULT_API_VERSION,
    token_url: str = settings.DEFAULT_TOKEN_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = settings.DEFAULT_LOOKBACK_DAYS,
    backfill: bool = False,
) -> list[DltResource]:
    secrets(client_secret, refresh_token, developer_token)
    token = OAuthToken.refresh_grant(NAME, token_url, client_id, client_secret, refresh_token)
    client = helpers.make_client(base_url, token, developer_token, login_customer_id)
    customers = [helpers.digits(c) for c in as_list(customer_ids)]
    window = {"start_date": start_date, "end_date": end_date, "lookback_days": lookback_days, "backfill": backfill}
    return [
        _stats_resource(table, client, api_version, customers, window)
        for table in settings.QUERIES
    ]


def _stats_resource(table: str, client: Any, api_version: str, customers: list[str],
                    window: dict[str, Any]) -> DltResource:
    @dlt.resource(
        name=table,
        primary_key=settings.PRIMARY_KEYS[table],
        write_disposition="merge",
        columns={**settings.COLUMNS, **settings.SPARSE_COLUMNS.get(table, {})},
        schema_contract={"tables": "evolve", "columns": "evolve", "data_type": "freeze"},
    )
    def stats() -> Iterator[dict[str, Any]]:
        for customer, state in account_states(dlt.current.resource_state(), customers).items():
            first, last = load_window(state, **window)
            for start, stop in days(first, last, settings.WINDOW_DAYS):
                rows = helpers.search_stream(
                    client, api_version, customer, settings.QUERIES[table], start, stop
                )
                yield records(NAME, f"{api_version}/customers/{customer}/googleAds:searchStream",
                              f"customer {customer}, {start}..{stop}", rows, lambda row: helpers.record(table, row))
            advance_window(state, last)

    return stats

