"""Schedules in the business time zone (THROUGHLINE_TIMEZONE, default Europe/Kyiv)."""

from __future__ import annotations

import os
from datetime import date, timedelta

from dagster import RunRequest, ScheduleDefinition, ScheduleEvaluationContext, schedule

from orchestration.jobs import crm_hourly_job, daily_refresh_job
from orchestration.partitions import partitions_start, restatement_tags
from throughline.settings import Settings

DAILY_CRON = "0 6 * * *"
HOURLY_CRON = "15 * * * *"
# Ad platforms restate recent days: the daily run covers this many days of partitions (each
# source reloads its own lookback_days of them).
DEFAULT_RESTATEMENT_DAYS = 28

TIMEZONE = Settings.from_env().timezone


def restatement_days() -> int:
    return int(os.environ.get("THROUGHLINE_RESTATEMENT_DAYS", DEFAULT_RESTATEMENT_DAYS))


def daily_window(today: date, days: int) -> tuple[date, date]:
    """The day partitions the daily run reloads: the last `days` days up to today, inclusive."""
    first = max(today - timedelta(days=days), date.fromisoformat(partitions_start()))
    return first, today


@schedule(
    job=daily_refresh_job,
    cron_schedule=DAILY_CRON,
    execution_timezone=TIMEZONE,
    description="Every morning: reload each source's restatement window (ad spend 28 days, GA4 3), all other "
    "sources, rebuild every model, publish to BI and write the owner's report.",
)
def daily_refresh_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    today = Settings.from_env().today(context.scheduled_execution_time)
    first, last = daily_window(today, restatement_days())
    return RunRequest(run_key=f"daily-{today.isoformat()}", tags=restatement_tags(first, last))


crm_hourly_schedule = ScheduleDefinition(
    name="crm_hourly_refresh_schedule",
    job=crm_hourly_job,
    cron_schedule=HOURLY_CRON,
    execution_timezone=TIMEZONE,
    description="Every hour: new leads, deals and calls, and the marts built on them.",
)

schedules = [daily_refresh_schedule, crm_hourly_schedule]
