"""Data-quality asset checks (GX suites, marketing health) and the check-failure alert sensor.

`quality_checks` go into Definitions(asset_checks=...), `quality_sensors` into sensors=...
Run failures are alerted by `orchestration.sensors.run_failure_alert`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    DagsterEventType,
    DefaultSensorStatus,
    EventRecordsFilter,
    SensorEvaluationContext,
    SkipReason,
    asset_check,
    sensor,
)
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from expectations.runner import validate
from expectations.suites import ALL_SUITES, SuiteSpec
from expectations.suites.common import newest_load
from ingestion.common.redaction import redact
from ingestion.pipeline import configured_sources
from throughline.alerts import Alert, Notifier, with_unit
from throughline.health import HEALTH_CHECKS, HealthCheck, HealthSettings, utc_now
from throughline.warehouse import Warehouse

GX_CHECK_NAME = "great_expectations"
# Metadata of a raw-table check: the newest dlt load it read, in which warehouse.
CHECKED_THROUGH_LOAD = "checked_through_load"
CHECKED_WAREHOUSE = "warehouse"
EVENTS_PER_TICK = 1000


def _severity(blocking: bool) -> AssetCheckSeverity:
    return AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN


def _unreadable(severity: AssetCheckSeverity, what: str, error: Exception) -> AssetCheckResult:
    """A check whose data could not be read fails: it is never reported as passed."""
    message = redact(f"{what} could not be read: {type(error).__name__}: {error}")
    return AssetCheckResult(passed=False, severity=severity, metadata={"problem": message})


def _missing_table(error: Exception) -> bool:
    import duckdb
    import psycopg

    return isinstance(error, (duckdb.CatalogException, psycopg.errors.UndefinedTable))


def _checked_through_load(instance: Any, spec: SuiteSpec, warehouse: Warehouse) -> str | None:
    """The newest dlt load the latest passing run of this raw-table check read in `warehouse`:
    the rows up to it passed, so only later loads need reading. None: read the whole table."""
    if not spec.reads_by_load:
        return None
    history = instance.event_log_storage.get_asset_check_execution_history(
        AssetCheckKey(AssetKey(list(spec.asset_key)), GX_CHECK_NAME),
        limit=1,
        status={AssetCheckExecutionRecordStatus.SUCCEEDED},
    )
    evaluation = history[0].event.asset_check_evaluation if history and history[0].event else None
    if evaluation is None:
        return None
    metadata = {name: getattr(value, "value", value) for name, value in evaluation.metadata.items()}
    if metadata.get(CHECKED_WAREHOUSE) != warehouse.describe():
        return None
    return metadata.get(CHECKED_THROUGH_LOAD) or None


def _loads_read(
    spec: SuiteSpec, frame: Any, checked_through: str | None, warehouse: Warehouse
) -> dict[str, str]:
    """Check metadata of a raw table read by load: which rows, and the newest load read."""
    if not spec.reads_by_load:
        return {}
    loads = {"rows_read": f"loaded after load {checked_through}" if checked_through else "all"}
    newest = newest_load(frame) or checked_through
    if newest:
        loads |= {CHECKED_THROUGH_LOAD: newest, CHECKED_WAREHOUSE: warehouse.describe()}
    return loads


def gx_check(spec: SuiteSpec) -> AssetChecksDefinition:
    """The suite as an asset check. A raw table read whole is read from the loads after those its
    last passing run read: each load is checked as it lands, and rows that failed are read again
    until a run passes."""
    severity = _severity(spec.blocking)

    @asset_check(
        asset=AssetKey(list(spec.asset_key)),
        name=GX_CHECK_NAME,
        blocking=spec.blocking,
        description=f"Great Expectations suite {spec.name} on {spec.table()}.",
    )
    def _check(context) -> AssetCheckResult:  # no hint: Dagster rejects a postponed (string) one
        warehouse = Warehouse.from_settings()
        checked_through = _checked_through_load(context.instance, spec, warehouse)
        try:
            frame = warehouse.read_frame(spec.sql(loaded_after=checked_through))
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            if _missing_table(error):
                if spec.optional:
                    # the connector leaves this table out when its part is not configured
                    note = f"{spec.table()} not loaded (optional table): nothing to check"
                    return AssetCheckResult(
                        passed=True, severity=severity, metadata={"problem": "none", "note": note}
                    )
                # no row has arrived yet (e.g. a day without data): the reports are not wrong,
                # they are empty there, which freshness and health checks flag; warn only
                return _unreadable(AssetCheckSeverity.WARN, spec.table(), error)
            return _unreadable(severity, spec.table(), error)
        loads = _loads_read(spec, frame, checked_through, warehouse)
        if checked_through and frame.empty:
            note = f"no rows loaded into {spec.table()} since load {checked_through}, which passed"
            metadata = {"problem": "none", "note": note, **loads}
            return AssetCheckResult(passed=True, severity=severity, metadata=metadata)
        outcome = validate(spec, frame)
        metadata = {"problem": f"Data check failed on {spec.table()}", **outcome.metadata(), **loads}
        if outcome.success:
            metadata["problem"] = "none"
        return AssetCheckResult(passed=outcome.success, severity=severity, metadata=metadata)

    return _check


def health_check(check: HealthCheck) -> AssetChecksDefinition:
    severity = AssetCheckSeverity(check.severity)

    @asset_check(
        asset=AssetKey(list(check.asset_key)),
        name=check.name,
        blocking=check.blocking,
        description=check.problem,
    )
    def _check() -> AssetCheckResult:
        warehouse = Warehouse.from_settings()
        try:
            settings = replace(HealthSettings.from_env(), sources=frozenset(configured_sources()))
            result = check.evaluate(warehouse.read_frame, settings, utc_now())
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            return _unreadable(severity, "/".join(check.asset_key), error)
        metadata = {**result.metadata(check.problem, check.unit), "description": check.problem}
        return AssetCheckResult(passed=result.passed, severity=severity, metadata=metadata)

    return _check


def build_quality_checks(
    asset_keys: Iterable[AssetKey] | None = None,
) -> list[AssetChecksDefinition]:
    """Every suite and health check, limited to `asset_keys` when given (assets that exist)."""
    known = None if asset_keys is None else set(asset_keys)
    checks = [gx_check(spec) for spec in ALL_SUITES] + [health_check(c) for c in HEALTH_CHECKS]
    return [c for c in checks if known is None or {k.asset_key for k in c.check_keys} <= known]


def _defined_asset_keys() -> set[AssetKey]:
    from orchestration.assets.ingestion import ingestion_assets
    from orchestration.assets.transform import transform_assets

    return {key for assets in [*ingestion_assets, *transform_assets] for key in assets.keys}


# ---- alerts on checks that start failing, and one note when they recover ----------------


@dataclass
class AlertState:
    """The sensor cursor: the last event read and the checks currently failing (since when)."""

    last_storage_id: int = 0
    failing: dict[str, str] | None = None

    @classmethod
    def load(cls, cursor: str | None) -> AlertState:
        if not cursor:
            return cls(0, {})
        data = json.loads(cursor)
        return cls(int(data["last_storage_id"]), dict(data["failing"]))

    def dump(self) -> str:
        return json.dumps({"last_storage_id": self.last_storage_id, "failing": self.failing or {}})


DBT_FAILED_ROWS = "dagster_dbt/failed_row_count"


def _text(metadata: dict[str, Any], name: str) -> str:
    value = metadata.get(name)
    text = "" if value is None else str(getattr(value, "value", value))
    return "" if text in ("-", "none", "None") else text


def check_alert(evaluation: AssetCheckEvaluation, run_id: str, since: str) -> Alert:
    metadata = dict(evaluation.metadata)
    where = _text(metadata, "where") or _text(metadata, "failures")
    unit = _text(metadata, "unit")
    # a dbt data test's result carries only how many rows break it (none may)
    failed_rows = _text(metadata, DBT_FAILED_ROWS)
    dbt_problem = f"The data test found {failed_rows} row(s) that break it." if failed_rows else ""
    return Alert(
        check=evaluation.check_name,
        asset=evaluation.asset_key.to_user_string(),
        problem=(_text(metadata, "problem") or _text(metadata, "description") or dbt_problem
                 or ("" if evaluation.passed else "The check failed.")),
        figure=with_unit(_text(metadata, "figure"), unit) or (f"{failed_rows} rows" if failed_rows else ""),
        threshold=with_unit(_text(metadata, "threshold"), unit) or ("0 rows" if failed_rows else ""),
        subjects=tuple(s for s in where.replace("\n", "; ").split("; ") if s),
        since=_text(metadata, "since") or since,
        run_id=run_id,
        recovered=evaluation.passed,
    )


def _transitions(
    records: Iterable[Any], failing: dict[str, str]
) -> Iterator[tuple[int, Alert | None]]:
    """Each record's storage id, with an alert where its check changed state (else None)."""
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        key = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.passed == (key not in failing):
            yield record.storage_id, None  # still passing, or still failing (already alerted)
        elif evaluation.passed:
            yield record.storage_id, check_alert(evaluation, record.run_id, failing.pop(key))
        else:
            since = _text(dict(evaluation.metadata), "since")
            failing[key] = since or str(utc_now().replace(microsecond=0))
            yield record.storage_id, check_alert(evaluation, record.run_id, failing[key])


def evaluate_check_alerts(
    instance: Any, cursor: str | None, notifier: Notifier, log: Any
) -> tuple[str, int]:
    """Alert each check that starts failing and each one that recovers; returns (cursor, sent).

    The first tick (no cursor) reads the history silently and alerts only the checks failing
    at its end, so turning the sensor on does not replay old alerts.
    """
    state = AlertState.load(cursor)
    failing = dict(state.failing or {})
    records = instance.get_event_records(
        EventRecordsFilter(
            event_type=DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=state.last_storage_id
        ),
        limit=EVENTS_PER_TICK,
        ascending=True,
    )
    alerts: dict[str, Alert] = {}
    for storage_id, alert in _transitions(records, failing):
        state.last_storage_id = storage_id
        if alert is not None:
            alerts[f"{alert.asset}:{alert.check}:{storage_id}"] = alert
    if not cursor:
        alerts = {f"{a.asset}:{a.check}": a for a in alerts.values()}  # the latest per check
        alerts = {k: a for k, a in alerts.items() if k in failing}
    sent = notifier.send_all(alerts.values(), log)
    state.failing = failing
    return state.dump(), sent


@sensor(
    name="check_failure_alert",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Alerts THROUGHLINE_ALERT_URLS when a data check starts failing, once when it passes again."
    ),
)
def check_failure_alert(context: SensorEvaluationContext) -> SkipReason:
    cursor, sent = evaluate_check_alerts(
        context.instance, context.cursor, Notifier.from_settings(), context.log
    )
    context.update_cursor(cursor)
    return SkipReason(f"{sent} alert(s) sent")


quality_checks: list[AssetChecksDefinition] = build_quality_checks(_defined_asset_keys())
quality_sensors = [check_failure_alert]
