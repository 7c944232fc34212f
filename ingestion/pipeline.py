"""Run one dlt source into its `raw_<source>` dataset of the configured warehouse.

Each source package `ingestion/<name>/` exposes:
- `source()` — the `@dlt.source` (configuration from dlt config/secrets/env, no I/O in its body);
- `required_settings() -> tuple[str, ...]` — the keys it needs as configured now (`a|b`: either);
- `is_configured() -> bool` — whether they are present (and usable).
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

import dlt

from ingestion.common.redaction import install_log_redaction
from throughline.settings import Settings
from throughline.warehouse import Warehouse

log = logging.getLogger("throughline.ingestion")

SOURCE_NAMES: tuple[str, ...] = (
    "google_ads",
    "meta_ads",
    "ga4",
    "bitrix24",
    "crm_file",
    "calltracking",
    "manual_costs",
    "fx_rates",
)


def source_module(name: str) -> ModuleType:
    if name not in SOURCE_NAMES:
        raise ValueError(f"unknown source {name!r}; known sources: {', '.join(SOURCE_NAMES)}")
    return importlib.import_module(f"ingestion.{name}")


def configured_sources() -> list[str]:
    return [name for name in SOURCE_NAMES if source_module(name).is_configured()]


def make_pipeline(name: str, warehouse: Warehouse | None = None, settings: Settings | None = None) -> dlt.Pipeline:
    settings = settings or Settings.from_env()
    warehouse = warehouse or Warehouse.from_settings(settings)
    pipelines_dir = Path(settings.data_dir) / "dlt_pipelines"
    return dlt.pipeline(
        pipeline_name=f"throughline_{name}",
        destination=warehouse.dlt_destination(),
        dataset_name=f"raw_{name}",
        pipelines_dir=str(pipelines_dir),
    )


def run_source(name: str, warehouse: Warehouse | None = None, **source_kwargs: Any) -> Any:
    """Load one source; a source that is not configured is skipped with one log line."""
    install_log_redaction()
    module = source_module(name)
    if not module.is_configured():
        log.info("%s: not configured, skipped (see .env.example for its settings)", name)
        return None
    pipeline = make_pipeline(name, warehouse)
    return pipeline.run(module.source(**source_kwargs))


def run_all_sources(warehouse: Warehouse | None = None) -> None:
    """Load every source once, in order (the unconfigured ones are skipped)."""
    for name in SOURCE_NAMES:
        run_source(name, warehouse)
