"""dbt models as assets (dbt tests as asset checks), split around the Python Markov step."""

import logging
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, AssetSpec, Output
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
from throughline.unchanged_views import (
    AFTER_MARKOV_STEP,
    MARKOV_INPUTS_STEP,
    record_built,
    selector_if_unchanged,
)

log = logging.getLogger("throughline.orchestration")

WRITER_POOL = "warehouse"
# The dbt source the Markov asset writes; models reading it run after the Python step.
MARKOV_SOURCE = "attribution"
# A run with this tag set to "true" rebuilds the incremental models from all history.
FULL_REFRESH_TAG = "throughline/full_refresh"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
UNCHANGED_NOTE = ("not visited: the project, its settings and the warehouse's tables are as when "
                  "this step last built it")
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


def _build(name: str, select: str, exclude: str | None, step: str | None = None) -> AssetsDefinition:
    """The dbt step `name`; `step` names it for throughline.unchanged_views (None: never left out)."""
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
        full_refresh = context.run.tags.get(FULL_REFRESH_TAG) == "true"
        if full_refresh:
            args.append("--full-refresh")
        # Only a run of the whole step (the daily one) leaves out its unchanged views and seeds.
        whole_step = step is not None and not full_refresh and not context.assets_def.is_subset
        target = warehouse.point_dbt_at_it()
        with target.lock():
            selector = selector_if_unchanged(target, step) if whole_step else None
            if selector:  # dbt takes the selector over the --select dagster-dbt adds
                args += ["--selector", selector]
            invocation = dbt.cli(args, context=context)
            events = invocation.stream()
            yield from with_unchanged_outputs(context, events) if selector else events
            if whole_step and not selector:
                record_built(target, step, context.run_id)
            keep_parse_state(invocation.target_path)
            prune_invocation_folders(invocation.target_path, name)

    return _models


def left_out_of_dbt(context: AssetExecutionContext) -> set[AssetKey]:
    """The step's views and seeds (what the selectors of throughline.unchanged_views leave out)."""
    manifest = load_manifest()
    keys = set()
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "seed" or (
                node["resource_type"] == "model" and node["config"].get("materialized") == "view"):
            keys.add(translator.get_asset_spec(manifest, unique_id, dbt_project).key)
    return keys & context.selected_asset_keys


def with_unchanged_outputs(context: AssetExecutionContext, events: Iterator[Any]) -> Iterator[Any]:
    """dbt's events, and the views and seeds it left out because nothing they are made from
    changed, reported as dbt reports a view it finds unchanged, so that what reads them runs. Each
    comes as soon as what it reads within the step has: Dagster takes a step's assets only in
    dependency order."""
    pending = left_out_of_dbt(context)
    done: set[AssetKey] = set()

    def ready() -> Iterator[Output]:
        while found := {key for key in pending
                        if context.assets_def.asset_deps.get(key, set()) & context.selected_asset_keys <= done}:
            for key in sorted(found, key=lambda key: key.to_user_string()):
                pending.discard(key)
                done.add(key)
                yield Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key),
                             metadata={"status": "unchanged", "dbt": UNCHANGED_NOTE})

    yield from ready()
    for event in events:
        yield event
        if isinstance(event, Output):
            done.add(context.assets_def.keys_by_output_name[event.output_name])
            yield from ready()


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
        _build("dbt_models", MARKOV_INPUTS, None, MARKOV_INPUTS_STEP),
        _build("dbt_models_after_markov", "fqn:*", MARKOV_INPUTS, AFTER_MARKOV_STEP),
    ]


transform_assets: list[AssetsDefinition] = build_transform_assets()
