"""dbt models as assets (dbt tests as asset checks), split around the Python Markov step."""

import logging
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, AssetSpec
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.project import dbt_project, load_manifest
from orchestration.resources import WarehouseResource
from throughline.transform import MARKOV_INPUTS, NO_JSON_ARTIFACTS, NO_UNIT_TESTS

log = logging.getLogger("throughline.orchestration")

WRITER_POOL = "warehouse"
# The dbt source the Markov asset writes; models reading it run after the Python step.
MARKOV_SOURCE = "attribution"
# A run with this tag set to "true" rebuilds the incremental models from all history.
FULL_REFRESH_TAG = "throughline/full_refresh"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# dagster-dbt gives each invocation its own target folder (compiled SQL, dbt.log); a daily run
# adds two, so only the newest few of each dbt step are kept, for looking into a recent run.
KEPT_INVOCATION_FOLDERS = 10

LAYER_OWNERS: Mapping[str, str] = {
    "staging": "team:data-engineering",
    "intermediate": "team:data-engineering",
    "marts": "team:marketing-analytics",
    "seeds": "team:marketing-analytics",
}
LAYER_DESCRIPTIONS: Mapping[str, str] = {
    "staging": "Cleaned copy of one raw table: renamed, typed, times in UTC, UTMs normalised.",
    "intermediate": "A building block of the marts: spend in one currency, channels, paths.",
    "marts": "A table people and dashboards read.",
    "seeds": "An editable list kept in the project (channel rules, tracking numbers).",
}


def layer_of(props: Mapping[str, Any]) -> str:
    """`staging` / `intermediate` / `marts` from the model's folder; `seeds` for seeds."""
    if props["resource_type"] == "seed":
        return "seeds"
    folder = props["fqn"][1] if len(props["fqn"]) > 2 else "marts"
    return folder if folder in LAYER_OWNERS else "marts"


class ThroughlineDbtTranslator(DagsterDbtTranslator):
    """Sources keep `[source, table]` (the dlt keys); models are `[layer, model]`, by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([layer_of(dbt_resource_props), dbt_resource_props["name"]])

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec
        layer = layer_of(props)
        return spec.replace_attributes(
            group_name=layer,
            owners=spec.owners or [LAYER_OWNERS[layer]],
            description=spec.description or LAYER_DESCRIPTIONS[layer],
        )


translator = ThroughlineDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
)


def has_markov_source(manifest: Mapping[str, Any]) -> bool:
    return any(
        source["source_name"] == MARKOV_SOURCE for source in manifest.get("sources", {}).values()
    )


def _build(name: str, select: str, exclude: str | None) -> AssetsDefinition:
    @dbt_assets(
        manifest=load_manifest(),
        project=dbt_project,
        dagster_dbt_translator=translator,
        select=select,
        exclude=exclude,
        name=name,
        pool=WRITER_POOL,
    )
    def _models(
        context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[Any]:
        # No JSON artifacts (see throughline.transform.dbt_command): Dagster's event log keeps
        # each model's result, and an invocation's own folder no longer holds a manifest copy.
        # No unit tests (see throughline.transform.NO_UNIT_TESTS).
        args = ["build", NO_JSON_ARTIFACTS, *NO_UNIT_TESTS]
        if context.run.tags.get(FULL_REFRESH_TAG) == "true":
            args.append("--full-refresh")
        with warehouse.point_dbt_at_it().lock():
            invocation = dbt.cli(args, context=context)
            yield from invocation.stream()
            keep_parse_state(invocation.target_path)
            prune_invocation_folders(invocation.target_path, name)

    return _models


def keep_parse_state(invocation_target: Path) -> None:
    """dagster-dbt seeds each invocation's own target folder with the `partial_parse.msgpack` of
    the folder it sits in (`target/`, or `$DBT_TARGET_PATH`). Copying the invocation's parse state
    back lets the next invocation parse only what changed: dbt re-parses the whole project (seconds
    on a small machine) when its saved state was made for another profile, e.g. another warehouse
    path."""
    state = invocation_target / PARTIAL_PARSE_FILE
    if state.exists():
        shared = invocation_target.parent / PARTIAL_PARSE_FILE
        staged = shared.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(state, staged)
        os.replace(staged, shared)


def prune_invocation_folders(invocation_target: Path, step: str) -> None:
    """Delete the target folders of this dbt step's invocations but the newest
    KEPT_INVOCATION_FOLDERS (dagster-dbt names them `<step>-<run id>-<uuid>`)."""
    folders = [path for path in invocation_target.parent.glob(f"{step}-*-*") if path.is_dir()]
    folders.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in folders[KEPT_INVOCATION_FOLDERS:]:
        shutil.rmtree(stale, ignore_errors=True)


def build_transform_assets() -> list[AssetsDefinition]:
    if dbt_project is None:
        log.warning("dbt_project/dbt_project.yml is missing; no dbt assets are defined")
        return []
    if not has_markov_source(load_manifest()):
        return [_build("dbt_models", "fqn:*", None)]
    return [
        _build("dbt_models", MARKOV_INPUTS, None),
        _build("dbt_models_after_markov", "fqn:*", MARKOV_INPUTS),
    ]


transform_assets: list[AssetsDefinition] = build_transform_assets()
