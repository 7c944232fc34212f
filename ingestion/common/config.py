"""Reading a source's settings from dlt's configuration (config.toml, secrets.toml, env)."""

from __future__ import annotations

import calendar
import json
import logging
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dlt

from ingestion.common.redaction import register_secret
from throughline.settings import Settings

log = logging.getLogger("throughline.ingestion")


def config_value(source: str, key: str, default: Any = None) -> Any:
    """`sources.<source>.<key>` from dlt config or secrets (env: SOURCES__<SOURCE>__<KEY>)."""
    path = f"sources.{source}.{key}"
    # secrets first: dlt's run trace keeps a copy of each value read as config, none of a secret
    value = dlt.secrets.get(path)
    if value is None:
        value = dlt.config.get(path)
    return default if value is None or value == "" else value


def missing_settings(source: str, *required: str) -> list[str]:
    """The required keys not set (a key written `a|b` is satisfied by either), named as the
    environment variables that set them."""
    return [
        " or ".join(f"SOURCES__{source.upper()}__{option.upper()}" for option in key.split("|"))
        for key in required
        if all(config_value(source, option) is None for option in key.split("|"))
    ]


def is_configured(source: str, *required: str) -> bool:
    """Every required key is set (a key written `a|b` is satisfied by either)."""
    return not missing_settings(source, *required)


def as_list(value: Any) -> list[str]:
    """A JSON/TOML list, or a comma-separated string, as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = json.loads(text)
        else:
            value = text.split(",")
    return [str(item).strip() for item in value if str(item).strip()]


def secrets(*values: Any) -> None:
    for value in values:
        register_secret(value)


def load_window(
    state: dict[str, Any],
    *,
    start_date: str | date | None,
    end_date: str | date | None,
    lookback_days: int,
    backfill: bool = False,
    default_days: int = 90,
    through_today: bool = False,
    today: date | None = None,
) -> tuple[date, date]:
    """The days to (re)load. A backfill loads exactly start_date..end_date. Otherwise from the last
    loaded day less the restatement window (`lookback_days`), not before start_date; a first load
    from start_date, or `default_days` back; up to end_date, else yesterday (today with
    `through_today`). Days are the business's (business_today). dlt hands a source the configured
    START_DATE whenever a run does not pass its own, so start_date alone never makes a backfill.
    The caller stores `last_day` in the state only after every page of the window arrived."""
    if backfill:
        if not (start_date and end_date):
            raise ValueError("a backfill needs its first and last day")
        return _as_date(start_date), _as_date(end_date)
    today = today or business_today()
    end = _as_date(end_date) if end_date else today - timedelta(days=0 if through_today else 1)
    last_loaded = state.get("last_day")
    if last_loaded:
        first = _as_date(last_loaded) - timedelta(days=lookback_days)
        return (max(first, _as_date(start_date)) if start_date else first), end
    return (_as_date(start_date) if start_date else today - timedelta(days=default_days)), end


def kept_from(source: str, first: date, today: date, months: int) -> date:
    """`first`, or the first day an API that deletes data older than `months` still keeps (plus a
    day, so that its time zone and the business's cannot put the start a day too early): asking
    for older days is an error there, which would stop the whole load."""
    elapsed = today.year * 12 + today.month - 1 - months
    year, month = divmod(elapsed, 12)
    oldest = date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1])) + timedelta(days=1)
    if first >= oldest:
        return first
    log.warning("%s: the API keeps %d months of data: loading from %s, not %s", source, months, oldest, first)
    return oldest


def business_today() -> date:
    """Today in the business's time zone (THROUGHLINE_TIMEZONE), not the server's."""
    return Settings.from_env().today()


def business_zone() -> ZoneInfo:
    """The business's time zone (THROUGHLINE_TIMEZONE): a clock time given without an offset is its."""
    return ZoneInfo(Settings.from_env().timezone)


def advance_window(state: dict[str, Any], end: date) -> None:
    previous = state.get("last_day")
    if previous is None or _as_date(previous) < end:
        state["last_day"] = end.isoformat()


def account_states(state: dict[str, Any], accounts: list[str]) -> dict[str, dict[str, Any]]:
    """Each ad account's own window state inside a resource's state (`load_window` and
    `advance_window` take it), so that an account added later loads its whole history, not only
    the others' restatement window. A state written before accounts had their own (one `last_day`
    for the resource) passes it to every account configured now: they were loaded together."""
    if "accounts" not in state:
        inherited = {"last_day": state["last_day"]} if "last_day" in state else {}
        state["accounts"] = {account: dict(inherited) for account in accounts}
    return {account: state["accounts"].setdefault(account, {}) for account in accounts}


def days(first: date, last: date, step: int = 1) -> list[tuple[date, date]]:
    """Consecutive windows of at most `step` days covering first..last inclusive."""
    windows = []
    current = first
    while current <= last:
        stop = min(last, current + timedelta(days=step - 1))
        windows.append((current, stop))
        current = stop + timedelta(days=1)
    return windows


def joined_spans(*spans: tuple[date, date]) -> list[tuple[date, date]]:
    """The days of `spans` (first, last inclusive; none when last is before first) as the fewest
    spans of consecutive days, in order: overlapping or adjacent spans are joined."""
    joined: list[tuple[date, date]] = []
    for first, last in sorted(span for span in spans if span[0] <= span[1]):
        if joined and first <= joined[-1][1] + timedelta(days=1):
            joined[-1] = (joined[-1][0], max(joined[-1][1], last))
        else:
            joined.append((first, last))
    return joined


def _as_date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
