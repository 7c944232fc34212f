"""A failed source load does not stop the reports: what it held up is built in a follow-up run.

Dagster skips every step downstream of a failed one, and every dbt model hangs off every source,
so one expired ad token would leave all the marts a day old. After a run in which only source
loads failed, the assets it planned and did not build run again without the sources: the failed
source's reports keep the data of its last good load (the data-health mart and the freshness
alerts show it stale), and every other source's new data reaches the marts. `throughline run`
does this in-process; the sensor `rebuild_after_failed_loads` does it for scheduled runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from dagster import AssetKey, AssetSelection, DagsterEventType, DagsterInstance

from orchestration.assets.ingestion import ingestion_assets
from orchestration.assets.transform import FULL_REFRESH_TAG

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph

# Tags a follow-up run with the run whose failed loads it works around.
FOLLOW_UP_TAG = "throughline/after_failed_loads_of"

LOAD_STEPS = frozenset(assets.node_def.name for assets in ingestion_assets)
RAW_KEYS = frozenset(key for assets in ingestion_assets for key in assets.keys)
_EVENTS = {
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_CHECK_EVALUATION,
}


def held_up_by_failed_loads(
    instance: DagsterInstance, run_id: str, planned: Iterable[AssetKey], graph: BaseAssetGraph
) -> list[AssetKey]:
    """What the run planned and did not build because source loads failed: the follow-up run's
    selection. Empty when no load failed, or when another step failed too (a model or a check
    that failed must be looked into, not run again). Raw tables are not loaded again (each load
    has had its retries), and what is downstream of a failed blocking check stays stopped."""
    failed_steps: set[str] = set()
    built: set[AssetKey] = set()
    blocked: set[AssetKey] = set()
    for record in instance.get_records_for_run(run_id, of_type=_EVENTS).records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_FAILURE:
            failed_steps.add(event.step_key)
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            built.add(event.asset_key)
        else:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity.value == "ERROR":
                blocked.add(evaluation.asset_key)
    if not failed_steps or not failed_steps <= LOAD_STEPS:
        return []
    stopped = AssetSelection.assets(*blocked).downstream().resolve(graph) if blocked else set()
    return sorted(key for key in planned if key not in built and key not in RAW_KEYS and key not in stopped)


def follow_up_tags(run_id: str, run_tags: Mapping[str, str]) -> dict[str, str]:
    """The follow-up's tags: which run it follows, and a full refresh if that run was one (no
    partition range: no raw table is loaded again)."""
    tags = {FOLLOW_UP_TAG: run_id}
    if run_tags.get(FULL_REFRESH_TAG) == "true":
        tags[FULL_REFRESH_TAG] = "true"
    return tags
