"""Run-failure alerts (alerts on failed checks live with the data-quality sensors in quality.py).

A failed run sends one alert through the notifier (`throughline.alerts`, THROUGHLINE_ALERT_URLS):
which job, the run's link, which steps failed and why.
"""

from __future__ import annotations

from dagster import (
    DagsterEventType,
    DagsterInstance,
    DefaultSensorStatus,
    RunFailureSensorContext,
    run_failure_sensor,
)

from orchestration.runner import step_error
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
        problem=f"The run of job {job_name} failed: what depends on the failed steps is stale.",
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


sensors = [run_failure_alert]
