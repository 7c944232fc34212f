"""Schedules, jobs and partitions: the run requests for a given time, the jobs' selections."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from dagster import AssetKey, AssetSelection, RunRequest, build_schedule_context

import orchestration
from orchestration.definitions import defs
from orchestration.jobs import crm_models
from orchestration.partitions import daily_partitions, range_tags
from orchestration.schedules import (
    TIMEZONE,
    crm_hourly_schedule,
    daily_refresh_schedule,
    daily_window,
)

KYIV = ZoneInfo("Europe/Kyiv")


def test_schedules_run_in_the_business_time_zone() -> None:
    assert TIMEZONE == "Europe/Kyiv"
    assert daily_refresh_schedule.execution_timezone == "Europe/Kyiv"
    assert crm_hourly_schedule.execution_timezone == "Europe/Kyiv"
    assert daily_refresh_schedule.cron_schedule == "0 6 * * *"
    assert crm_hourly_schedule.cron_schedule == "15 * * * *"


def test_daily_schedule_reloads_the_last_28_days_up_to_today() -> None:
    # 06:00 in Kyiv on 10 March is 04:00 UTC: the local date decides the window.
    when = datetime(2026, 3, 10, 4, 0, tzinfo=ZoneInfo("UTC"))
    context = build_schedule_context(scheduled_execution_time=when)
    request = daily_refresh_schedule.evaluate_tick(context).run_requests[0]
    assert isinstance(request, RunRequest)
    assert request.run_key == "daily-2026-03-10"
    assert request.tags["dagster/asset_partition_range_start"] == "2026-02-10"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-03-10"
    assert request.tags["throughline/window"] == "own"  # each source reloads its own lookback_days


def test_local_date_not_utc_date_names_the_run() -> None:
    # 23:30 UTC on 9 March is already 10 March in Kyiv.
    when = datetime(2026, 3, 9, 23, 30, tzinfo=ZoneInfo("UTC"))
    request = daily_refresh_schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=when)
    ).run_requests[0]
    assert request.run_key == "daily-2026-03-10"


def test_daily_window_never_starts_before_the_first_partition() -> None:
    assert daily_window(date(2024, 1, 5), 28) == (date(2024, 1, 1), date(2024, 1, 5))
    assert daily_window(date(2025, 6, 30), 28) == (date(2025, 6, 2), date(2025, 6, 30))


def test_hourly_schedule_requests_the_crm_job() -> None:
    when = datetime(2026, 3, 10, 11, 15, tzinfo=KYIV)
    result = crm_hourly_schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=when)
    )
    assert len(result.run_requests) == 1
    assert crm_hourly_schedule.job_name == "crm_hourly_refresh"


def test_partitions_are_local_days() -> None:
    assert daily_partitions.timezone == "Europe/Kyiv"
    window = daily_partitions.time_window_for_partition_key("2026-03-10")
    assert window.start == datetime(2026, 3, 10, tzinfo=KYIV)
    assert window.end == datetime(2026, 3, 11, tzinfo=KYIV)
    assert range_tags(date(2026, 3, 1), date(2026, 3, 3)) == {
        "dagster/asset_partition_range_start": "2026-03-01",
        "dagster/asset_partition_range_end": "2026-03-03",
    }


def test_crm_job_holds_crm_calls_and_their_models_not_ads() -> None:
    """The hourly job: CRM, calls, the day's exchange rates (a deal won today in dollars needs
    today's rate) and the models on CRM and calls, not the ad platforms or their spend models."""
    graph = defs.resolve_asset_graph()
    keys = crm_models.resolve(graph)
    groups = {graph.get(key).group_name for key in keys}
    assert groups <= {"bitrix24", "crm_file", "calltracking", "fx_rates", "staging", "intermediate", "marts"}
    ad_keys = AssetSelection.groups("google_ads", "meta_ads", "ga4").resolve(graph)
    assert not keys & ad_keys
    assert AssetKey(["fx_rates", "rates"]) in keys
    assert AssetKey(["intermediate", "int_deals"]) in keys
    assert AssetKey(["intermediate", "int_ad_spend"]) not in keys
    if AssetKey(["bitrix24", "leads"]) in graph.get_all_asset_keys():
        assert AssetKey(["bitrix24", "leads"]) in keys


def test_the_instance_queues_every_run_one_at_a_time() -> None:
    """Not only the two jobs' runs: a UI Materialize or an asset backfill writes the warehouse too
    and carries no job tag, so the limit is on all runs."""
    instance = yaml.safe_load((Path(orchestration.__file__).parent / "dagster_home" / "dagster.yaml").read_text())
    assert instance["concurrency"]["runs"] == {"max_concurrent_runs": 1}
    assert instance["telemetry"] == {"enabled": False}
