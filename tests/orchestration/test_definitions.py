"""The code location loads, every dbt source is fed by an asset, and the graph is one lineage."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, Definitions

from orchestration.definitions import defs

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).parent / "asset_keys.txt"

# The raw tables docs/DATA_CONTRACTS.md promises, per source (section 2).
CONTRACT_RAW_TABLES = {
    "google_ads": {"campaign_stats", "ad_group_stats", "ad_stats", "keyword_stats"},
    "meta_ads": {"ad_insights", "ads"},
    "ga4": {"events", "daily_traffic"},
    "bitrix24": {
        "leads",
        "deals",
        "contacts",
        "statuses",
        "users",
        "lead_stage_history",
        "deal_stage_history",
    },
    "crm_file": {"leads", "deals", "rejected_rows"},
    "calltracking": {"calls"},
    "manual_costs": {"costs", "budget_plan", "rejected_rows"},
    "fx_rates": {"rates"},
}
MARTS = {
    "mart_channel_performance",
    "mart_channel_scorecard",
    "mart_campaign_performance",
    "mart_touch_paths",
    "mart_attribution_comparison",
    "mart_manager_performance",
    "mart_call_quality",
    "mart_budget_pacing",
    "mart_cohorts",
    "mart_data_health",
}


def _graph():
    return defs.resolve_asset_graph()


def _keys() -> list[str]:
    return sorted(key.to_user_string() for key in _graph().materializable_asset_keys)


def test_definitions_load_in_process() -> None:
    Definitions.validate_loadable(defs)


def test_definitions_validate_in_a_subprocess_without_any_source_configured(
    dagster_home: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__")}
    env.update({"DAGSTER_HOME": str(dagster_home), "THROUGHLINE_ENV": "ci"})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_asset_keys_match_the_snapshot() -> None:
    """Renaming or losing an asset is a visible change: regenerate with UPDATE_SNAPSHOTS=1."""
    keys = "\n".join(_keys()) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(keys)
    assert keys == SNAPSHOT.read_text()


def test_dlt_assets_carry_the_contract_raw_tables_grouped_by_source() -> None:
    graph = _graph()
    for source, tables in CONTRACT_RAW_TABLES.items():
        for table in tables:
            node = graph.get(AssetKey([source, table]))
            assert node.is_materializable, f"{source}.{table} is not loaded by any asset"
            assert node.group_name == source


def test_every_dbt_source_is_produced_by_an_asset() -> None:
    graph = _graph()
    unconnected = sorted(
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if not graph.get(key).is_materializable
    )
    assert unconnected == [], f"dbt sources no asset produces: {unconnected}"


def test_models_are_grouped_by_layer_and_keyed_layer_model() -> None:
    graph = _graph()
    marts = {key.path[-1] for key in graph.materializable_asset_keys if key.path[0] == "marts"}
    assert MARTS <= marts
    for key in graph.materializable_asset_keys:
        if key.path[0] in ("staging", "intermediate", "marts"):
            assert graph.get(key).group_name in ("staging", "intermediate", "marts")
            assert graph.get(key).group_name == key.path[0] or key.path[0] == "attribution"


def test_every_api_reaches_every_mart_it_feeds_and_the_marts_reach_bi() -> None:
    graph = _graph()
    downstream = {source: _downstream(graph, source) for source in CONTRACT_RAW_TABLES}
    channel = AssetKey(["marts", "mart_channel_performance"])
    for source in ("google_ads", "meta_ads", "ga4", "bitrix24", "manual_costs", "fx_rates"):
        assert channel in downstream[source], f"{source} does not reach {channel.to_user_string()}"
    assert AssetKey(["marts", "mart_call_quality"]) in downstream["calltracking"]
    assert AssetKey(["marts", "mart_manager_performance"]) in downstream["crm_file"]
    markov = AssetKey(["attribution", "markov_removal_effects"])
    assert markov in downstream["ga4"] and markov in downstream["bitrix24"]
    every_mart = set().union(*downstream.values())
    assert {AssetKey(["marts", mart]) for mart in MARTS} <= every_mart
    serving = {
        key for key in graph.materializable_asset_keys if graph.get(key).group_name == "serving"
    }
    assert serving, "no BI publication / report asset in the graph"
    assert serving <= downstream["google_ads"]


def _downstream(graph, source: str) -> set[AssetKey]:
    from dagster import AssetSelection

    return AssetSelection.groups(source).downstream().resolve(graph)


@pytest.mark.parametrize("group", sorted(CONTRACT_RAW_TABLES))
def test_raw_assets_have_descriptions_owners_and_freshness(group: str) -> None:
    graph = _graph()
    for key in graph.materializable_asset_keys:
        node = graph.get(key)
        if node.group_name == group:
            assert node.description and node.owners
            assert node.freshness_policy is not None


def test_the_markov_step_waits_only_for_the_models_it_reads() -> None:
    """The first dbt step builds int_markov_transitions and what is under it; every other model
    (those reading the removal effects, and those that do not feed the Markov step) runs after."""
    from dagster import AssetSelection

    from orchestration.assets.transform import transform_assets

    graph = _graph()
    steps = {assets.node_def.name: set(assets.keys) for assets in transform_assets}
    before, after = steps["dbt_models"], steps["dbt_models_after_markov"]
    transitions = AssetKey(["intermediate", "int_markov_transitions"])
    markov = AssetKey(["attribution", "markov_removal_effects"])
    models = before | after
    assert not before & after
    assert before == AssetSelection.assets(transitions).upstream().resolve(graph) & models
    assert AssetSelection.assets(markov).downstream().resolve(graph) & models <= after
    assert AssetKey(["marts", "fct_leads"]) in after  # it does not feed the Markov step


def test_every_blocking_check_of_the_marts_layer_holds_up_what_is_published() -> None:
    """Dagster skips only what is downstream of a failed blocking check: a check on a fact or
    dimension nothing publishes from (attribution weights summing to one on fct_attribution, one
    row per session on fct_sessions) held up nothing, and the marts built on the same figures
    were published."""
    from dagster import AssetSelection

    graph = defs.resolve_asset_graph()
    published = {AssetKey(["serving", name]) for name in ("bi_publication", "marts_export", "owner_report")}
    checked = {graph.get_check_spec(key).asset_key for key in graph.asset_check_keys
               if graph.get_check_spec(key).blocking and key.asset_key.path[0] == "marts"}
    assert {AssetKey(["marts", "fct_attribution"]), AssetKey(["marts", "fct_sessions"])} <= checked
    for asset in checked:
        assert published <= AssetSelection.assets(asset).downstream().resolve(graph), asset
