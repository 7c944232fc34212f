"""Run-failure alerts (alerts on failed checks live with the data-quality sensors in quality.py).

A failed run sends one message to every URL in THROUGHLINE_ALERT_URLS (Slack, Telegram, e-mail,
any webhook: apprise URL syntax): which job, which run, which steps failed and why.
"""

from __future__ import annotations

from collections.abc import Sequence

import apprise
from dagster import (
    DagsterEventType,
    DagsterInstance,
    DefaultSensorStatus,
    RunFailureSensorContext,
    run_failure_sensor,
)

from ingestion.common.redaction import redact
from orchestration.runner import step_error
from throughline.settings import Settings

MAX_ERROR_CHARS = 500


def failed_steps(instance: DagsterInstance, run_id: str) -> dict[str, str]:
    """Each failed step of the run with the first characters of its error's root cause."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_FAILURE).records
    events = [record.event_log_entry.dagster_event for record in records]
    return {event.step_key: step_error(event)[:MAX_ERROR_CHARS] for event in events if event}


def failure_message(job_name: str, run_id: str, steps: dict[str, str]) -> str:
    """The alert text, with any credential an error message carried removed."""
    lines = [f"Throughline run failed: job {job_name}, run {run_id} (see Runs in the Dagster UI)."]
    lines += [f"- step {step}: {error}" for step, error in steps.items()]
    return redact("\n".join(lines))


def send_alert(urls: Sequence[str], title: str, body: str) -> bool:
    """Send one alert to every configured URL; False when there is none or none accepted it."""
    if not urls:
        return False
    notifier = apprise.Apprise()
    for url in urls:
        notifier.add(url)
    return bool(notifier.notify(title=title, body=body))


@run_failure_sensor(
    name="run_failure_alert",
    monitor_all_code_locations=False,
    default_status=DefaultSensorStatus.RUNNING,
    description="Alerts THROUGHLINE_ALERT_URLS with the failed job, run and steps.",
)
def run_failure_alert(context: RunFailureSensorContext) -> None:
    settings = Settings.from_env()
    run = context.dagster_run
    body = failure_message(run.job_name, run.run_id, failed_steps(context.instance, run.run_id))
    if not send_alert(settings.alert_urls, f"Throughline: {run.job_name} failed", body):
        context.log.warning("run failure not sent anywhere (THROUGHLINE_ALERT_URLS): %s", body)


sensors = [run_failure_alert]
