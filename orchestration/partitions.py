"""Daily partitions of ad spend and GA4, in the business time zone, for backfills by day."""

from __future__ import annotations

import os
from datetime import date

from dagster import DailyPartitionsDefinition

from throughline.settings import Settings

# Sources whose raw tables are partitioned by day (a partition run loads exactly that day).
DAILY_SOURCES: frozenset[str] = frozenset({"google_ads", "meta_ads", "ga4"})
# The first day the partitions offer; THROUGHLINE_START_DATE moves it for a longer history.
DEFAULT_START_DATE = "2024-01-01"


def partitions_start() -> str:
    return os.environ.get("THROUGHLINE_START_DATE", DEFAULT_START_DATE)


daily_partitions = DailyPartitionsDefinition(
    start_date=partitions_start(),
    timezone=Settings.from_env().timezone,
    end_offset=1,  # today's partition exists: today's spend so far is worth loading
)


def range_tags(first: date, last: date) -> dict[str, str]:
    """Run tags that make one run cover the daily partitions first..last (single-run backfill)."""
    return {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }



# The scheduled daily run covers the restatement window's partitions, yet each source reloads only
# its own window up to the run's last day: from its last loaded day less its `lookback_days` (GA4's
# export 3 days, as the export restates, the ad platforms 28). A backfill loads exactly its days.
OWN_WINDOW_TAG = "throughline/window"


def restatement_tags(first: date, last: date) -> dict[str, str]:
    """Run tags of the daily run: partitions first..last, each source in its own window."""
    return {**range_tags(first, last), OWN_WINDOW_TAG: "own"}
