"""The one Dagster code location: API → raw → dbt → Markov → checks → BI publication and report."""

from __future__ import annotations

import logging

from dagster import AssetChecksDefinition, AssetsDefinition, Definitions, in_process_executor

from ingestion.pipeline import source_module
from orchestration.assets.ingestion import available_sources, ingestion_assets
from orchestration.assets.markov import markov_removal_effects
from orchestration.assets.transform import transform_assets
from orchestration.jobs import jobs
from orchestration.quality import quality_checks, quality_sensors
from orchestration.resources import build_resources
from orchestration.schedules import schedules
from orchestration.sensors import sensors
from orchestration.serving import serving_assets


def _markov_assets() -> list[AssetsDefinition]:
    """The Markov step exists where the dbt project declares the table it writes."""
    return [markov_removal_effects] if len(transform_assets) > 1 else []


def active_checks(checks: list[AssetChecksDefinition]) -> list[AssetChecksDefinition]:
    """Checks on the raw tables of a source that is not configured are left out with it: its
    tables stay empty on purpose, which must neither fail nor block the other sources' reports."""
    skipped = {name for name in available_sources() if not source_module(name).is_configured()}
    if skipped:
        logging.getLogger("throughline.orchestration").info(
            "checks of unconfigured sources left out: %s", ", ".join(sorted(skipped))
        )
    return [
        check
        for check in checks
        if not any(key.asset_key.path[0] in skipped for key in check.check_keys)
    ]


defs = Definitions(
    assets=[*ingestion_assets, *transform_assets, *_markov_assets(), *serving_assets],
    asset_checks=active_checks(quality_checks),
    jobs=jobs,
    schedules=schedules,
    sensors=[*sensors, *quality_sensors],
    resources=build_resources(),
    # One process per run: steps share the warehouse one at a time anyway, and a step does not
    # pay for a fresh interpreter loading dbt, dlt and GX.
    executor=in_process_executor,
)
