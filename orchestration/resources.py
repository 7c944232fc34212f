"""Resources chosen by one environment switch (THROUGHLINE_ENV: local / ci / prod).

Every environment reads the warehouse from THROUGHLINE_WAREHOUSE (DuckDB file by default, or
PostgreSQL); the switch sets how hard ingestion retries a flaky API and insists that production
names its warehouse explicitly.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from dagster import Backoff, ConfigurableResource, Jitter, RetryPolicy
from dagster_dbt import DbtCliResource
from dagster_dlt import DagsterDltResource

from orchestration.project import dbt_project
from throughline.settings import Settings
from throughline.warehouse import Warehouse


@dataclass(frozen=True)
class EnvironmentProfile:
    ingestion_retries: int
    retry_delay_seconds: float
    require_explicit_warehouse: bool


PROFILES: dict[str, EnvironmentProfile] = {
    "local": EnvironmentProfile(
        ingestion_retries=2, retry_delay_seconds=5, require_explicit_warehouse=False
    ),
    "ci": EnvironmentProfile(
        ingestion_retries=1, retry_delay_seconds=1, require_explicit_warehouse=False
    ),
    "prod": EnvironmentProfile(
        ingestion_retries=4, retry_delay_seconds=30, require_explicit_warehouse=True
    ),
}


def environment_profile(settings: Settings | None = None) -> EnvironmentProfile:
    return PROFILES[(settings or Settings.from_env()).environment]  # Settings checks it is one


def ingestion_retry_policy(settings: Settings | None = None) -> RetryPolicy:
    """Retries with exponential backoff for API loads (on top of the HTTP client's own retries)."""
    profile = environment_profile(settings)
    return RetryPolicy(
        max_retries=profile.ingestion_retries,
        delay=profile.retry_delay_seconds,
        backoff=Backoff.EXPONENTIAL,
        jitter=Jitter.PLUS_MINUS,
    )


class WarehouseResource(ConfigurableResource):
    """The warehouse every step writes to, read at run time: a run follows current settings."""

    url: str | None = None

    def get(self) -> Warehouse:
        settings = Settings.from_env()
        if self.url:
            return Warehouse.from_url(self.url)
        if environment_profile(settings).require_explicit_warehouse and not os.environ.get(
            "THROUGHLINE_WAREHOUSE"
        ):
            raise ValueError(
                "THROUGHLINE_ENV=prod needs THROUGHLINE_WAREHOUSE set explicitly "
                "(duckdb:///path/file.duckdb or postgresql://...)"
            )
        return Warehouse.from_settings(settings)

    def point_dbt_at_it(self) -> Warehouse:
        """Export the variables `dbt_project/profiles.yml` reads, so dbt targets this warehouse."""
        warehouse = self.get()
        os.environ.update(warehouse.dbt_env())
        return warehouse


def dbt_executable() -> str:
    """The dbt of this Python environment, so runs work without an activated virtualenv."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def build_resources() -> dict[str, object]:
    resources: dict[str, object] = {"dlt": DagsterDltResource(), "warehouse": WarehouseResource()}
    if dbt_project is not None:
        resources["dbt"] = DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
    return resources
