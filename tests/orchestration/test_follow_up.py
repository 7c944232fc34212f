"""A failed source load does not stop the reports: what it held up is built in a follow-up run on
that source's previous data, while the run still reports the failure (orchestration.follow_up)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetSpec,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    build_run_status_sensor_context,
    define_asset_job,
    multi_asset,
)
from demo_support import demo_env

from orchestration.follow_up import FOLLOW_UP_TAG, held_up_by_failed_loads

META = AssetKey(["meta_ads", "ad_insights"])
GOOGLE = AssetKey(["google_ads", "campaign_stats"])
RATES = AssetKey(["fx_rates", "rates"])


def _source(step: str, key: AssetKey, *, fails: bool = False, blocked: bool = False):
    """A stand-in for a source's load step (named as the real one): it fails, or loads and its
    blocking check fails, or loads."""
    checks = [AssetCheckSpec("complete", asset=key, blocking=True)] if blocked else []

    @multi_asset(name=step, specs=[AssetSpec(key)], check_specs=checks)
    def _load():
        if fails:
            raise RuntimeError("the API refused the token")
        yield MaterializeResult(asset_key=key)
        if blocked:
            yield AssetCheckResult(asset_key=key, check_name="complete", passed=False,
                                   severity=AssetCheckSeverity.ERROR)

    return _load


def _models(name: str, specs: list[AssetSpec], *, fails: bool = False):
    @multi_asset(name=name, specs=specs, can_subset=True)
    def _build(context):
        if fails:
            raise RuntimeError("a model failed")
        for key in context.selected_asset_keys:
            yield MaterializeResult(asset_key=key)

    return _build


def _run(*, model_fails: bool = False) -> tuple[DagsterInstance, str, list[AssetKey], object]:
    spend = _models("spend_models", [
        AssetSpec(["staging", "google"], deps=[GOOGLE]),
        AssetSpec(["staging", "meta"], deps=[META]),
        AssetSpec(["marts", "spend"], deps=[["staging", "google"], ["staging", "meta"]]),
    ])
    priced = _models("rates_models", [
        AssetSpec(["staging", "rates"], deps=[RATES]),
        AssetSpec(["marts", "priced"], deps=[["staging", "rates"]]),
    ], fails=model_fails)
    sources = [_source("meta_ads_raw", META, fails=True), _source("google_ads_raw", GOOGLE),
               _source("fx_rates_raw", RATES, blocked=not model_fails)]
    job = Definitions(assets=[*sources, spend, priced], jobs=[define_asset_job("daily_refresh")]).resolve_job_def(
        "daily_refresh")
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    graph = job.asset_layer.asset_graph
    return instance, result.run_id, sorted(graph.materializable_asset_keys), graph


def test_what_a_failed_load_held_up_is_followed_up_except_behind_a_failed_blocking_check() -> None:
    instance, run_id, planned, graph = _run()
    held_up = held_up_by_failed_loads(instance, run_id, planned, graph)
    # the models on the failed source and everything beside them; not the raw tables, and not
    # what a failed blocking check stopped (the rates' models, and what reads them)
    assert [key.to_user_string() for key in held_up] == ["marts/spend", "staging/google", "staging/meta"]


def test_no_follow_up_when_a_step_besides_the_loads_failed() -> None:
    instance, run_id, planned, graph = _run(model_fails=True)
    assert held_up_by_failed_loads(instance, run_id, planned, graph) == []


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Parameter `repository_def`:dagster.BetaWarning")  # building the sensor's context
def test_a_revoked_ad_token_still_lets_the_other_sources_reach_the_spend(
    sandbox_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.definitions import defs
    from orchestration.runner import materialize_all
    from orchestration.sensors import rebuild_after_failed_loads

    env = {**demo_env(tmp_path, sandbox_env), "SOURCES__META_ADS__ACCESS_TOKEN": "EAAB-revoked-token"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    instance = DagsterInstance.ephemeral()
    # Google Ads, Meta, manual costs and the rates, up to the ad spend in one currency
    summary = materialize_all(select="+key:intermediate/int_ad_spend", progress=False, instance=instance)

    assert set(summary.failed_steps) == {"meta_ads_raw"}
    assert "meta_ads/ad_insights" not in summary.materialized
    assert summary.follow_up_run_id is not None
    assert {"staging/stg_meta_ads__ad_insights", "intermediate/int_ad_spend"} <= set(summary.followed_up)
    assert set(summary.selected) - {"meta_ads/ad_insights"} <= set(summary.materialized)
    assert not summary.success  # the failed load still fails `throughline run`
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as warehouse:
        loaded = warehouse.execute("select sum(cost) from raw_google_ads.campaign_stats").fetchone()[0]
        spend = dict(warehouse.execute(
            "select platform, sum(cost)::double from intermediate.int_ad_spend group by platform").fetchall())
    assert loaded > 0
    assert spend["google_ads"] == pytest.approx(float(loaded))
    assert "meta_ads" not in spend  # Meta never loaded: none of its spend

    # the scheduled run's sensor asks for the same follow-up
    failure = next(record.event_log_entry.dagster_event for record in instance.get_records_for_run(
        summary.run_id, of_type=DagsterEventType.RUN_FAILURE).records)
    context = build_run_status_sensor_context(
        sensor_name="rebuild_after_failed_loads",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(summary.run_id),
        repository_def=defs.get_repository_def(),
    ).for_run_failure()
    request = rebuild_after_failed_loads(context)
    assert sorted(key.to_user_string() for key in request.asset_selection) == sorted(summary.followed_up)
    assert request.tags[FOLLOW_UP_TAG] == summary.run_id
