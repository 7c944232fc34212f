"""Run-failure and freshness alerts (alerts on failed checks live with the data-quality sensors
in quality.py), each through the notifier (`throughline.alerts`, THROUGHLINE_ALERT_URLS).

A failed run sends one alert: which job, the run's link, which steps failed and why; when only
source loads failed, a follow-up run builds what they held up (orchestration.follow_up). A source
whose raw tables go stale under their freshness policies (the Dagster daemon judges them) sends
one alert when it turns stale or staler, and one when it is fresh again: a schedule that stopped
running fails no run and no check, so only this notices.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from orchestration.assets.ingestion import freshness_hours, ingestion_assets
from orchestration.follow_up import follow_up_tags, held_up_by_failed_loads
from orchestration.jobs import crm_hourly_job, daily_refresh_job
from orchestration.runner import selected_keys, step_error
from throughline.alerts import Alert, Notifier

MAX_ERROR_CHARS = 500


def failed_steps(instance: DagsterInstance, run_id: str) -> dict[str, str]:
    """Each failed step of the run with the first characters of its error's root cause."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_FAILURE).records
    events = [record.event_log_entry.dagster_event for record in records]
    return {event.step_key: step_error(event)[:MAX_ERROR_CHARS] for event in events if event}


def failure_alert(job_name: str, run_id: str, steps: dict[str, str]) -> Alert:
    """The alert for a failed run: the job, the run's link and each failed step's cause."""
    return Alert(
        check="run failed",
        asset=f"job {job_name}",
        problem=f"The run of job {job_name} failed: what depends on the failed steps is stale "
        "(after a failed source load, the reports are rebuilt on that source's last good load).",
        subjects=tuple(f"step {step}: {error}" for step, error in steps.items()),
        run_id=run_id,
    )


@run_failure_sensor(
    name="run_failure_alert",
    monitor_all_code_locations=False,
    default_status=DefaultSensorStatus.RUNNING,
    description="Alerts THROUGHLINE_ALERT_URLS with the failed job, run and steps.",
)
def run_failure_alert(context: RunFailureSensorContext) -> None:
    run = context.dagster_run
    alert = failure_alert(run.job_name, run.run_id, failed_steps(context.instance, run.run_id))
    notifier = Notifier.from_settings()
    if not notifier.send(alert):
        context.log.warning(
            "run failure not sent (THROUGHLINE_ALERT_URLS): %s", alert.body(notifier.dagster_url)
        )


@run_failure_sensor(
    name="rebuild_after_failed_loads",
    monitored_jobs=[daily_refresh_job, crm_hourly_job],
    request_jobs=[daily_refresh_job, crm_hourly_job],
    default_status=DefaultSensorStatus.RUNNING,
    description="After a scheduled run in which only source loads failed, builds what they held up: "
    "the reports on those sources' last loaded data and every other source's new data.",
)
def rebuild_after_failed_loads(context: RunFailureSensorContext) -> RunRequest | SkipReason:
    run = context.dagster_run
    job = context.repository_def.get_job(run.job_name)
    planned = run.asset_selection or selected_keys(job, None)
    held_up = held_up_by_failed_loads(context.instance, run.run_id, planned, job.asset_layer.asset_graph)
    if not held_up:
        return SkipReason(f"run {run.run_id}: no step but source loads failed, or nothing was held up")
    return RunRequest(
        run_key=f"after-failed-loads-{run.run_id}",
        job_name=run.job_name,
        asset_selection=held_up,
        tags=follow_up_tags(run.run_id, run.tags),
    )


STALE = {"WARN": 1, "FAIL": 2}  # freshness states that alert, by how stale


def freshness_alerts(
    instance: DagsterInstance, keys: Sequence[AssetKey], alerted: Mapping[str, str], now: datetime
) -> tuple[dict[str, str], list[Alert]]:
    """Per source, the alerts its raw tables' freshness calls for, given the state each source
    was last alerted in (`alerted`: source -> WARN/FAIL); returns the new states and alerts."""
    records = instance.get_freshness_state_records(list(keys))
    states = {key: record.freshness_state.value for key, record in records.items()
              if record.freshness_state.value in STALE}
    loads = instance.get_latest_materialization_events(list(states)) if states else {}
    stale: dict[str, list[tuple[str, float | None, str]]] = {}  # source -> (table, hours, state)
    for key, state in states.items():
        stale.setdefault(key.path[0], []).append(
            (key.to_user_string(), _hours_since_load(loads.get(key), now), state)
        )
    worst = {source: max((state for *_, state in tables), key=STALE.get) for source, tables in stale.items()}
    alerts = []
    for source in sorted(set(worst) | set(alerted)):
        state, before = worst.get(source), alerted.get(source)
        if state and STALE[state] > STALE.get(before or "", 0):  # turned stale, or WARN -> FAIL
            alerts.append(_freshness_alert(source, stale[source]))
        elif before and not state:
            alerts.append(_freshness_alert(source, ()))
    return worst, alerts


def _hours_since_load(event: Any, now: datetime) -> float | None:
    if event is None:
        return None
    return (now - datetime.fromtimestamp(event.timestamp, UTC)).total_seconds() / 3600


def _freshness_alert(source: str, stale_tables: Sequence[tuple[str, float | None, str]]) -> Alert:
    """The alert on a source's stale tables, or its recovery when there are none."""
    warn = freshness_hours(source)
    stale_tables = sorted(stale_tables, key=lambda t: -(float("inf") if t[1] is None else t[1]))
    hours = [h for _, h, _ in stale_tables]
    figure = "never loaded" if None in hours else f"{max(hours):.0f} h without a load" if hours else ""
    return Alert(
        check="freshness",
        asset=f"raw tables of {source}",
        problem=f"{source} has not been loaded on schedule: its loads fail or the schedule stopped, "
        "and every report built on it is out of date.",
        figure=figure,
        threshold=f"warn after {warn} h, fail after {warn * 2} h",
        subjects=tuple(
            f"{table}: {'never loaded' if h is None else f'last loaded {h:.0f} h ago'} ({state})"
            for table, h, state in stale_tables
        ),
        recovered=not stale_tables,
    )


def _raw_table_keys() -> list[AssetKey]:
    return [key for assets in ingestion_assets for key in assets.keys]


@sensor(
    name="freshness_alert",
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.RUNNING,
    description="Alerts THROUGHLINE_ALERT_URLS when a source's raw tables go stale, once when fresh.",
)
def freshness_alert(context: SensorEvaluationContext) -> SkipReason:
    alerted = json.loads(context.cursor) if context.cursor else {}
    states, alerts = freshness_alerts(context.instance, _raw_table_keys(), alerted, datetime.now(UTC))
    sent = Notifier.from_settings().send_all(alerts, context.log)
    context.update_cursor(json.dumps(states, sort_keys=True))
    return SkipReason(f"{sent} freshness alert(s) sent")


sensors = [run_failure_alert, rebuild_after_failed_loads, freshness_alert]
