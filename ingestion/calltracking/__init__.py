"""Call tracking (Ringostat or CallRail): every call, answered or missed, with its source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import dlt
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource

from ingestion.calltracking import helpers, settings
from ingestion.common.config import (
    advance_window,
    business_today,
    business_zone,
    config_value,
    load_window,
    secrets,
)
from ingestion.common.config import (
    is_configured as _is_configured,
)
from ingestion.common.http import ApiClient, Pacer

NAME = "calltracking"


def _provider() -> str:
    return str(config_value(NAME, "provider", "")).strip().lower()


def required_settings() -> tuple[str, ...]:
    if _provider() == "callrail":
        return ("provider", "account_id", "api_key|auth_key")
    return ("provider", "auth_key|api_key")


def is_configured() -> bool:
    return _provider() in settings.DEFAULT_BASE_URLS and _is_configured(NAME, *required_settings())


def default_base_url() -> str | None:
    """The configured provider's API (None: no provider we speak)."""
    return settings.DEFAULT_BASE_URLS.get(_provider())


@dlt.source(name=NAME)
def source(
    provider: str = dlt.config.value,
    auth_key: TSecretStrValue | None = None,  # secret-typed: dlt keeps no copy in its run trace
    api_key: TSecretStrValue | None = None,
    project_id: str | None = None,
    account_id: str | None = None,
    base_url: str | None = None,
    timezone: str | None = None,  # Ringostat's project's; the business's (THROUGHLINE_TIMEZONE) unless set
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = settings.DEFAULT_LOOKBACK_DAYS,
    requests_per_second: float = settings.RINGOSTAT_REQUESTS_PER_SECOND,
) -> DltResource:
    provider = provider.lower()
    if provider not in settings.DEFAULT_BASE_URLS:
        raise ValueError(f"calltracking: provider must be 'ringostat' or 'callrail', not {provider!r}")
    key = auth_key or api_key
    secrets(key)
    if requests_per_second <= 0:
        raise ValueError(f"calltracking: requests_per_second must be above 0, not {requests_per_second}")
    if provider == "ringostat":
        headers = {"Auth-key": str(key)}
    else:
        headers = {"Authorization": f'Token token="{key}"'}
    client = ApiClient(NAME, base_url or settings.DEFAULT_BASE_URLS[provider], headers=headers)
    window = {"start_date": start_date, "end_date": end_date, "lookback_days": lookback_days,
              "through_today": True}

    @dlt.resource(name="calls", primary_key="call_id", write_disposition="merge",
                  columns=settings.CALLS_COLUMNS)
    def calls() -> Iterator[list[dict[str, Any]]]:
        state = dlt.current.resource_state()
        first, last = load_window(state, **window)
        if provider == "ringostat":
            pacer = Pacer(burst=1, rate=requests_per_second)
            zone = ZoneInfo(timezone) if timezone else business_zone()
            yield from helpers.ringostat_calls(client, pacer, project_id, first, last, zone)
        else:
            yield from helpers.callrail_calls(client, str(account_id), first, last, business_today())
        advance_window(state, last)

    return calls
