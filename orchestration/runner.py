"""`throughline run`: materialise the asset graph (or a selection) in-process, with progress."""

from __future__ import annotations

import os
import threading
import time
import uuid
import warnings
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dagster import (
    AssetKey,
    AssetSelection,
    BetaWarning,
    DagsterError,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    EventLogEntry,
    JobDefinition,
)
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingestion.common.redaction import redact
from orchestration.follow_up import follow_up_tags, held_up_by_failed_loads
from orchestration.jobs import daily_refresh_job

if TYPE_CHECKING:
    from throughline.alerts import Notifier

POLL_SECONDS = 0.5
EXAMPLES = (
    "try e.g. 'group:google_ads', 'group:google_ads+' (and everything downstream), "
    "'key:marts/*' or 'key:marts/mart_channel_performance'"
)


@dataclass
class RunSummary:
    """What one run did: assets materialised or not, failed steps and their errors, checks; and
    the follow-up run that built what failed source loads held up (orchestration.follow_up)."""

    run_id: str
    selected: list[str]
    materialized: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed_steps: dict[str, str] = field(default_factory=dict)
    failed_checks: list[str] = field(default_factory=list)
    warned_checks: list[str] = field(default_factory=list)
    passed_checks: int = 0
    seconds: float = 0.0
    run_succeeded: bool = False
    follow_up_run_id: str | None = None
    followed_up: list[str] = field(default_factory=list)

    @property
    def not_materialized(self) -> list[str]:
        return sorted(set(self.selected) - set(self.materialized))

    @property
    def success(self) -> bool:
        return self.run_succeeded and not self.failed_steps and not self.failed_checks


MAX_ERROR_CHARS = 1000  # a traceback-sized message is cut


def step_error(event: DagsterEvent) -> str:
    """The root cause of a step failure (Dagster wraps the user's exception), secrets removed."""
    error = event.step_failure_data.error if event.step_failure_data else None
    while error is not None and error.cause is not None:
        error = error.cause
    return redact(error.message.strip()) if error else "failed"


def _label(key: AssetKey) -> str:
    return key.to_user_string()


class _EventTally:
    """Folds the run's event log into a RunSummary as events arrive."""

    def __init__(self, summary: RunSummary) -> None:
        self.summary = summary

    def add(self, entry: EventLogEntry) -> str | None:
        event = entry.dagster_event
        if event is None:
            return None
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            label = _label(event.asset_key)
            status = event.materialization.metadata.get("status")
            if status is not None and str(status.value).startswith("skipped"):
                self.summary.skipped.append(label)
            if label not in self.summary.materialized:  # once per partition
                self.summary.materialized.append(label)
            return f"done {_label(event.asset_key)}"
        if event.event_type == DagsterEventType.STEP_FAILURE:
            self.summary.failed_steps[event.step_key] = step_error(event)
            return f"failed {event.step_key}"
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            self._check(event.event_specific_data)
        return None

    def _check(self, evaluation: object) -> None:
        name = f"{_label(evaluation.asset_key)}: {evaluation.check_name}"
        if evaluation.passed:
            self.summary.passed_checks += 1
        elif evaluation.severity.value == "ERROR":
            self.summary.failed_checks.append(name)
        else:
            self.summary.warned_checks.append(name)


def _instance() -> DagsterInstance:
    """The Dagster instance of DAGSTER_HOME when set (runs show in the UI), else in memory."""
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def selected_keys(job: JobDefinition, select: str | None) -> list[AssetKey]:
    graph = job.asset_layer.asset_graph
    if not select:
        return sorted(graph.materializable_asset_keys)
    try:
        with warnings.catch_warnings():  # Dagster's own parser of group: warns that it is in beta
            warnings.simplefilter("ignore", BetaWarning)
            keys = AssetSelection.from_string(select).resolve(graph)
    except (DagsterError, NotImplementedError) as error:  # invalid syntax, or a clause such as status:
        raise ValueError(
            f"--select {select!r} is not an asset selection ({error}); {EXAMPLES}"
        ) from None
    if not keys:
        raise ValueError(f"--select {select!r} matches no asset; {EXAMPLES}")
    return sorted(keys)


def _stream(
    instance: DagsterInstance,
    run_id: str,
    worker: threading.Thread,
    tally: _EventTally,
    progress: Progress | None,
) -> None:
    cursor: str | None = None
    while True:
        finished = not worker.is_alive()
        connection = instance.get_records_for_run(run_id, cursor=cursor)
        cursor = connection.cursor
        for record in connection.records:
            line = tally.add(record.event_log_entry)
            if progress is not None and line:
                progress.update(
                    progress.task_ids[0], completed=len(set(tally.summary.materialized)), description=line
                )
        if finished and not connection.has_more:
            return
        if not connection.has_more:
            time.sleep(POLL_SECONDS)


def _execute(
    job: JobDefinition,
    keys: list[AssetKey],
    run_id: str,
    tags: Mapping[str, str],
    instance: DagsterInstance,
    tally: _EventTally,
    progress: Progress | None,
) -> bool:
    """One in-process run of `keys`, its events folded into the tally as they arrive; whether it
    succeeded."""
    # The progress display replaces Dagster's per-event console log; warnings still show.
    log_level = "WARNING" if progress is not None else "INFO"
    outcome: dict[str, bool] = {}

    def execute() -> None:
        result = job.execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            instance=instance,
            asset_selection=keys,
            run_id=run_id,
            raise_on_error=False,
            tags=dict(tags),
        )
        outcome["success"] = result.success

    worker = threading.Thread(target=execute, name="throughline-run", daemon=True)
    worker.start()
    _stream(instance, run_id, worker, tally, progress)
    worker.join()
    return outcome.get("success", False)


def materialize_all(
    select: str | None = None,
    progress: bool = True,
    tags: Mapping[str, str] | None = None,
    instance: DagsterInstance | None = None,
    definitions: Definitions | None = None,
) -> RunSummary:
    """Run the selection (default: everything) in this process and summarise what happened. When
    only source loads failed, what they held up runs next, on those sources' previous data
    (orchestration.follow_up).

    `tags` may carry a partition range (see `orchestration.partitions.range_tags`): ad spend and
    GA4 then load exactly those days; without it every source loads per its own settings.
    """
    if definitions is None:
        from orchestration.definitions import defs as definitions

    job = definitions.resolve_job_def(daily_refresh_job.name)
    keys = selected_keys(job, select)
    instance = instance or _instance()
    summary = RunSummary(run_id=str(uuid.uuid4()), selected=[_label(key) for key in keys])
    tally = _EventTally(summary)
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    started = time.monotonic()
    with Progress(*columns, console=console, transient=True) if progress else nullcontext() as bar:
        if bar is not None:
            bar.add_task("materialising", total=len(keys))
        summary.run_succeeded = _execute(job, keys, summary.run_id, tags or {}, instance, tally, bar)
        held_up = held_up_by_failed_loads(instance, summary.run_id, keys, job.asset_layer.asset_graph)
        if held_up:
            summary.follow_up_run_id = str(uuid.uuid4())
            summary.followed_up = [_label(key) for key in held_up]
            follow_up_ok = _execute(job, held_up, summary.follow_up_run_id,
                                    follow_up_tags(summary.run_id, tags or {}), instance, tally, bar)
            summary.run_succeeded = summary.run_succeeded and follow_up_ok
    summary.seconds = time.monotonic() - started
    if instance.is_ephemeral:
        send_alerts_without_daemon(instance, summary, job.name)
    elif summary.failed_steps:
        # the daemon's run-failure sensor sees only the runs its code location launches, not one
        # run in this process (its check alerts come from the shared event log as usual)
        send_run_failure_alert(summary, job.name)
    if progress:
        console.print(summary_table(summary))
    return summary


def send_alerts_without_daemon(instance: DagsterInstance, summary: RunSummary, job_name: str) -> int:
    """A run in a throwaway instance (`throughline run` without DAGSTER_HOME, as from cron) has
    no Dagster daemon to run the alert sensors: send what they would, for each check failing at
    the end of the run and for the run if it failed. Returns the alerts delivered."""
    import logging

    from orchestration.quality import evaluate_check_alerts
    from throughline.alerts import Notifier

    notifier = Notifier.from_settings()
    if not notifier.urls:
        return 0
    _, sent = evaluate_check_alerts(instance, None, notifier, logging.getLogger("throughline.alerts"))
    return sent + send_run_failure_alert(summary, job_name, notifier)


def send_run_failure_alert(summary: RunSummary, job_name: str, notifier: Notifier | None = None) -> int:
    """The alert of a run whose steps failed: 1 when delivered, else 0."""
    from orchestration.sensors import failure_alert
    from throughline.alerts import Notifier

    if not summary.failed_steps:
        return 0
    notifier = notifier or Notifier.from_settings()
    return int(notifier.send(failure_alert(job_name, summary.run_id, summary.failed_steps)))


def _groups(labels: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label in labels:
        group = label.split("/")[0]
        counts[group] = counts.get(group, 0) + 1
    return counts


def summary_table(summary: RunSummary) -> Table:
    """Per layer/source: assets done and not done; then failed steps and failed checks by name."""
    verdict = "[green]succeeded[/]" if summary.success else "[red]failed[/]"
    table = Table(title=f"Run {summary.run_id[:8]} {verdict} in {summary.seconds:.0f}s")
    for column in ("area", "done", "not done"):
        table.add_column(column)
    done, missing = _groups(set(summary.materialized)), _groups(summary.not_materialized)
    for area in sorted(set(done) | set(missing)):
        table.add_row(
            area, str(done.get(area, 0)), f"[red]{missing[area]}[/]" if area in missing else "0"
        )
    if summary.skipped:
        table.add_row("[yellow]not configured[/]", "", ", ".join(sorted(summary.skipped)))
    table.add_row(
        "checks",
        f"{summary.passed_checks} passed",
        f"{len(summary.failed_checks)} failed, {len(summary.warned_checks)} "
        f"warning{'' if len(summary.warned_checks) == 1 else 's'}",
    )
    for step, error in summary.failed_steps.items():
        # whole: a source's error ends with its last attempt's error and what to check
        table.add_row(f"[red]failed step[/] {step}", "", error[:MAX_ERROR_CHARS])
    if summary.follow_up_run_id:
        table.add_row(
            "[yellow]built after the failed loads[/]",
            str(len(summary.followed_up)),
            f"run {summary.follow_up_run_id[:8]}: the reports use the failed sources' last loaded data",
        )
    for check in summary.failed_checks:
        table.add_row("[red]failed check[/]", "", check)
    for check in summary.warned_checks:
        table.add_row("[yellow]warning[/]", "", check)
    return table
