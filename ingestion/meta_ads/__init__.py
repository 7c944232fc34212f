"""Meta (Facebook/Instagram) ads: ad-level daily insights and the ads' URL tags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.common.config import (
    account_states,
    advance_window,
    as_list,
    business_today,
    days,
    kept_from,
    load_window,
    secrets,
)
from ingestion.common.config import (
    is_configured as _is_configured,
)
from ingestion.common.http import records
from ingestion.meta_ads import helpers, settings

NAME = "meta_ads"


def required_settings() -> tuple[str, ...]:
    return ("ad_account_ids", "access_token",)


def is_configured() -> bool:
    return _is_configured(NAME, *required_settings())


@dlt.source(name=NAME)
def source(
    ad_account_ids: Any = dlt.config.value,  # a JSON or TOML list, or ids separated by commas (as_list)
    access_token: str = dlt.secrets.value,
    base_url: str = settings.DEFAULT_BASE_URL,
    api_version: str = settings.DEFAULT_API_VERSION,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = settings.DEFAULT_LOOKBACK_DAYS,
    backfill: bool = False,
) -> list[DltResource]:
    secrets(access_token)
    client = helpers.make_client(base_url, access_token)
    accounts = [helpers.account_path(a) for a in as_list(ad_account_ids)]
    window = {"start_date": start_date, "end_date": end_date, "lookback_days": lookback_days, "backfill": backfill}

    @dlt.resource(
        name="ad_insights",
        primary_key=("ad_id", "date_start"),
        write_disposition="merge",
        columns=settings.INSIGHTS_COLUMNS,
        schema_contract={"tables": "evolve", "columns": "evolve", "data_type": "freeze"},
    )
    def ad_insights() -> Iterator[list[dict[str, Any]]]:
        # use_unified_attribution_setting: the ad sets' attribution windows, as Ads Manager counts leads
        params = {"level": "ad", "time_increment": 1, "fields": settings.INSIGHTS_FIELDS,
                  "use_unified_attribution_setting": "true", "limit": settings.PAGE_LIMIT,
                  "filtering": helpers.every_status("ad.effective_status")}
        for account, state in account_states(dlt.current.resource_state(), accounts).items():
            first, last = load_window(state, **window)
            first = kept_from(NAME, first, business_today(), settings.INSIGHTS_RETENTION_MONTHS)
            for start, stop in days(first, last, settings.WINDOW_DAYS):
                yield from helpers.insights(client, f"{api_version}/{account}/insights", params, start, stop,
                                            account)
            advance_window(state, last)

    @dlt.resource(name="ads", primary_key="id", write_disposition="merge")
    def ads() -> Iterator[list[dict[str, Any]]]:
        for account in accounts:
            params = {"fields": settings.ADS_FIELDS, "limit": settings.PAGE_LIMIT,
                      "filtering": helpers.every_status("effective_status")}
            rows = helpers.listed(client, f"{api_version}/{account}/ads", params, f"{account} ads")
            yield records(NAME, f"{api_version}/{account}/ads", f"{account} ads", rows,
                          lambda row, account=account: helpers.ad_record(row, account.removeprefix("act_")), "id")

    return [ad_insights, ads]
