"""One dlt multi-asset per source: raw tables keyed like the dbt sources, `[source, table]`."""

import inspect
import logging
from collections.abc import Iterator, Mapping
from datetime import timedelta
from types import ModuleType
from typing import Any, get_origin

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    Failure,
    FreshnessPolicy,
    MaterializeResult,
    multi_asset,
)
from dagster_dlt import DagsterDltResource, DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.common.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigurationException,
)
from dlt.extract.source import DltSource

from ingestion.common.http import SourceError
from ingestion.common.redaction import redact
from ingestion.pipeline import SOURCE_NAMES, make_pipeline, source_module
from orchestration.partitions import DAILY_SOURCES, OWN_WINDOW_TAG, daily_partitions
from orchestration.project import source_tables
from orchestration.resources import WarehouseResource, ingestion_retry_policy

log = logging.getLogger("throughline.orchestration")

OWNER = "team:data-engineering"
LOADS_TABLE = "_dlt_loads"
WRITER_POOL = "warehouse"

SOURCE_DESCRIPTIONS: Mapping[str, str] = {
    "google_ads": "Google Ads: spend, impressions and clicks per campaign, ad and keyword per day.",
    "meta_ads": "Meta (Facebook/Instagram) ads: spend, reach, clicks and leads per ad per day.",
    "ga4": "Google Analytics 4: website sessions with their traffic source, and form submissions.",
    "bitrix24": "Bitrix24 CRM: leads, deals, contacts, managers and every stage change.",
    "crm_file": "CRM export file (CSV/XLSX) for businesses without a CRM API.",
    "calltracking": "Call tracking (Ringostat or CallRail): every call, its source and manager.",
    "manual_costs": "Manual costs (SEO, webinars, influencers, agencies) and the budget plan.",
    "fx_rates": "National Bank of Ukraine daily exchange rates: every amount in one currency.",
}

# How stale a raw table may get before Dagster flags it: CRM and calls hourly, the rest daily.
FRESHNESS_HOURS: Mapping[str, int] = {
    "bitrix24": 3,
    "crm_file": 3,
    "calltracking": 3,
}
DEFAULT_FRESHNESS_HOURS = 26


def freshness_hours(source: str) -> int:
    """Hours without a load after which the source's raw tables are stale (a warning; twice as
    long fails)."""
    return FRESHNESS_HOURS.get(source, DEFAULT_FRESHNESS_HOURS)


def freshness_policy(source: str) -> FreshnessPolicy:
    hours = freshness_hours(source)
    return FreshnessPolicy.time_window(
        fail_window=timedelta(hours=hours * 2), warn_window=timedelta(hours=hours)
    )


def raw_table_spec(source: str, table: str) -> AssetSpec:
    """A raw table `[source, table]`: the dbt source key, grouped by source."""
    return AssetSpec(
        key=AssetKey([source, table]),
        group_name=source,
        description=f"`raw_{source}.{table}`: {SOURCE_DESCRIPTIONS[source]}",
        owners=[OWNER],
        kinds={"dlt", "python"},
        freshness_policy=freshness_policy(source),
    )


class ThroughlineDltTranslator(DagsterDltTranslator):
    """Keys raw tables `[source, table]` (the dbt source keys) and groups them by source."""

    def __init__(self, source: str) -> None:
        self.source = source

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        table = data.resource.table_name
        table = table if isinstance(table, str) else data.resource.name
        return raw_table_spec(self.source, table)


def loads_spec(source: str) -> AssetSpec:
    """dlt's own `_dlt_loads` table, written with every load (the data-health mart reads it)."""
    return raw_table_spec(source, LOADS_TABLE).replace_attributes(
        description=f"`raw_{source}._dlt_loads`: when each load into raw_{source} ran, its status.",
    )


def _placeholder(annotation: Any) -> Any:
    origin = get_origin(annotation) or annotation
    if origin in (list, tuple, set) or (
        isinstance(origin, type) and issubclass(origin, (list, tuple))
    ):
        return []
    if origin is int:
        return 0
    return "not-configured"


def declared_source(module: ModuleType) -> DltSource:
    """The source as Dagster sees it at load time: its resources, not its data.

    An unconfigured source cannot resolve its settings; it is declared with placeholder values
    only to list its tables (its asset skips at run time while `is_configured()` is false).
    """
    try:
        return module.source()
    except ConfigFieldMissingException as missing:
        fields = missing.config.get_resolvable_fields()
        return module.source(**{name: _placeholder(fields.get(name)) for name in missing.fields})


def declared_specs(name: str, module: ModuleType) -> list[AssetSpec]:
    """The raw tables of a source: from its dlt resources, or, when the source cannot even be
    declared without its settings, from the tables the dbt project declares for it."""
    translator = ThroughlineDltTranslator(name)
    try:
        resources = declared_source(module).selected_resources.values()
    except (ConfigurationException, ValueError) as error:
        log.info("%s: tables taken from the dbt sources (%s)", name, redact(str(error)))
        tables = [table for table in source_tables(name) if table != LOADS_TABLE]
        return [raw_table_spec(name, table) for table in tables]
    return [
        translator.get_asset_spec(DltResourceTranslatorData(resource=resource, pipeline=None))
        for resource in resources
    ]


def partition_kwargs(context: AssetExecutionContext, source: Any) -> dict[str, Any]:
    """The first and last day (inclusive) of the partitions this run covers (ISO dates), loaded
    exactly: a backfill. The daily run gives only the last: the source reloads its own window up
    to it."""
    if context.has_partition_key_range:
        first, last = context.partition_key_range.start, context.partition_key_range.end
    elif context.has_partition_key:
        first = last = context.partition_key
    else:
        return {}
    accepted = inspect.signature(source).parameters
    missing = {"start_date", "end_date", "backfill"} - set(accepted)
    if missing:
        raise TypeError(
            f"{source.__module__}.source() must accept {', '.join(sorted(missing))} "
            "to load a date range (daily partitions)"
        )
    if context.run.tags.get(OWN_WINDOW_TAG) == "own":
        return {"end_date": last}
    return {"start_date": first, "end_date": last, "backfill": True}


# A client error the API will answer the same way however often it is asked (not a timeout or a
# rate limit): bad credentials, a missing permission or account, a request it does not accept.
TRANSIENT_CLIENT_ERRORS = frozenset({408, 429})


def refusal(error: BaseException | None) -> SourceError | None:
    """The API's refusal behind a failed load (an HTTP 4xx that retrying cannot change), if any.
    The outermost SourceError decides: one raised while an earlier one was handled (Meta's range
    asked again in halves after "reduce the amount of data") carries that one only as context."""
    while error is not None and not isinstance(error, SourceError):
        error = error.__cause__ or error.__context__
    if error is None or error.retry_later or error.status is None:
        return None
    return error if 400 <= error.status < 500 and error.status not in TRANSIENT_CLIENT_ERRORS else None


def _skipped(context: AssetExecutionContext, name: str) -> Iterator[MaterializeResult]:
    message = (
        f"{name}: not configured, skipped (set its SOURCES__{name.upper()}__* settings; "
        "see .env.example)"
    )
    context.log.info(message)
    for key in context.selected_asset_keys:
        yield MaterializeResult(asset_key=key, metadata={"status": "skipped: not configured"})


def build_source_assets(name: str) -> AssetsDefinition:
    module = source_module(name)
    translator = ThroughlineDltTranslator(name)
    partitioned = name in DAILY_SOURCES
    specs = declared_specs(name, module)
    loads = loads_spec(name)

    @multi_asset(
        name=f"{name}_raw",
        specs=[*specs, loads],
        can_subset=True,
        partitions_def=daily_partitions if partitioned else None,
        backfill_policy=BackfillPolicy.single_run() if partitioned else None,
        retry_policy=ingestion_retry_policy(),
        pool=WRITER_POOL,
        op_tags={"throughline/source": name},
    )
    def _load(
        context: AssetExecutionContext, dlt: DagsterDltResource, warehouse: WarehouseResource
    ) -> Iterator[Any]:
        if not module.is_configured():
            yield from _skipped(context, name)
            return
        target = warehouse.get()
        source = module.source(**(partition_kwargs(context, module.source) if partitioned else {}))
        try:
            with target.lock():
                yield from dlt.run(
                    context=context,
                    dlt_source=source,
                    dlt_pipeline=make_pipeline(name, target),
                    dagster_dlt_translator=translator,
                )
        except Exception as error:
            refused = refusal(error)
            if refused is None:
                raise
            # credentials, a permission or a request the API refuses: retrying cannot help
            raise Failure(description=str(refused), allow_retries=False) from error
        if loads.key in context.selected_asset_keys:
            yield MaterializeResult(asset_key=loads.key)

    return _load


def available_sources() -> list[str]:
    """Sources whose package is present (all of them in a complete checkout)."""
    present = []
    for name in SOURCE_NAMES:
        try:
            source_module(name)
        except ModuleNotFoundError as error:
            if error.name != f"ingestion.{name}":
                raise
            log.warning("source package ingestion.%s is missing; its assets are not defined", name)
            continue
        present.append(name)
    return present


ingestion_assets: list[AssetsDefinition] = [
    build_source_assets(name) for name in available_sources()
]
