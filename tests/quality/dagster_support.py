"""Run quality checks in-process on stand-in assets (the planted tables are already there)."""

from __future__ import annotations

from collections.abc import Sequence

from dagster import (
    AssetChecksDefinition,
    AssetKey,
    AssetsDefinition,
    DagsterInstance,
    ExecuteInProcessResult,
    asset,
    materialize,
)

DOWNSTREAM = AssetKey(["marts", "report_reading_the_checked_tables"])


def stand_in(key: AssetKey) -> AssetsDefinition:
    @asset(key=key)
    def _table() -> None:
        """The table is planted by the test; materialising it only records the event."""

    return _table


def run_checks(
    checks: Sequence[AssetChecksDefinition], instance: DagsterInstance | None = None
) -> ExecuteInProcessResult:
    """Materialise each checked asset, its checks, and one asset downstream of all of them."""
    keys = sorted({k.asset_key for c in checks for k in c.check_keys}, key=str)

    @asset(key=DOWNSTREAM, deps=keys)
    def _downstream() -> None:
        """Stands for a mart or report that would be wrong if a blocking check failed."""

    return materialize(
        [*map(stand_in, keys), _downstream, *checks],
        instance=instance or DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def evaluations(result: ExecuteInProcessResult) -> dict[str, object]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def materialized(result: ExecuteInProcessResult) -> set[AssetKey]:
    return {event.asset_key for event in result.get_asset_materialization_events()}
