"""The one Dagster code location: API → raw → dbt → Markov → checks → BI publication and report."""

from __future__ import annotations

from dagster import AssetsDefinition, Definitions

from orchestration.assets.ingestion import ingestion_assets
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


defs = Definitions(
    assets=[*ingestion_assets, *transform_assets, *_markov_assets(), *serving_assets],
    asset_checks=quality_checks,
    jobs=jobs,
    schedules=schedules,
    sensors=[*sensors, *quality_sensors],
    resources=build_resources(),
)
