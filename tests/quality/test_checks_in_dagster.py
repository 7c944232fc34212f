"""The checks as Dagster asset checks: severities, metadata, blocking, and never a false pass."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from dagster import AssetCheckSeverity, AssetKey

from expectations.suites import ALL_SUITES
from orchestration.quality import build_quality_checks, gx_check, health_check, quality_checks
from tests.quality.dagster_support import DOWNSTREAM, evaluations, materialized, run_checks
from tests.quality.planted import World, refresh
from throughline.health import HEALTH_CHECKS

SUITES = {spec.name: spec for spec in ALL_SUITES}
HEALTH = {check.name: check for check in HEALTH_CHECKS}
CRM_FILE_LEADS = SUITES["crm_file_leads"]


def _meta(evaluation, name: str) -> object:
    value = evaluation.metadata[name]
    return getattr(value, "value", value)


def test_clean_world_passes_every_health_check_and_the_crm_suite(world: World, publish) -> None:
    publish(world)
    checks = [health_check(c) for c in HEALTH_CHECKS] + [gx_check(CRM_FILE_LEADS)]
    result = run_checks(checks)
    assert result.success
    results = evaluations(result)
    assert len(results) == len(HEALTH_CHECKS) + 1
    assert all(e.passed for e in results.values()), {n: e.metadata for n, e in results.items()}
    assert DOWNSTREAM in materialized(result)


def test_malformed_crm_export_fails_at_error_and_blocks_downstream(world: World, publish) -> None:
    leads = world.frames["raw_crm_file.leads"]
    leads.loc[1, "lead_id"] = "0"  # the same lead twice
    leads.loc[2, "lead_id"] = None  # a row without its key
    leads.loc[3, "created_at"] = world.now + timedelta(days=400)  # a date from next year
    publish(world)
    result = run_checks([gx_check(CRM_FILE_LEADS)])
    evaluation = evaluations(result)["great_expectations"]
    assert not evaluation.passed
    assert evaluation.severity == AssetCheckSeverity.ERROR
    failures = _meta(evaluation, "failures")
    assert (
        "expect_column_values_to_be_unique on lead_id failed (2 rows), e.g. ['0', '0']" in failures
    )
    assert "expect_column_values_to_not_be_null on lead_id failed (1 rows)" in failures
    assert "expect_column_values_to_be_between on created_at failed (1 rows)" in failures
    assert DOWNSTREAM not in materialized(result)
    assert AssetKey(["crm_file", "leads"]) in materialized(result)


def test_crm_stopping_blocks_the_reports_downstream(world: World, publish) -> None:
    leads = world.frames["marts.fct_leads"]
    world.frames["marts.fct_leads"] = leads[leads["lead_date"] < world.now.date() - timedelta(1)]
    publish(refresh(world))
    result = run_checks([health_check(HEALTH["hours_since_last_lead"])])
    evaluation = evaluations(result)["hours_since_last_lead"]
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR
    assert _meta(evaluation, "threshold") == 24.0
    assert _meta(evaluation, "where").startswith("bitrix24: last lead ")
    assert "CRM integration may be broken" in _meta(evaluation, "problem")
    assert DOWNSTREAM not in materialized(result)


def test_a_warn_check_alerts_but_does_not_block(world: World, publish) -> None:
    calls = world.frames["marts.fct_calls"]
    calls.loc[calls["manager_id"] == "2", "is_missed"] = True
    publish(world)
    result = run_checks([health_check(HEALTH["missed_calls"])])
    evaluation = evaluations(result)["missed_calls"]
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN
    assert _meta(evaluation, "figure") == 1.0
    assert _meta(evaluation, "where") == (
        "manager Taras: missed 28 of 28 calls (100%); all inbound calls: missed 35 of 56 calls (62%)")
    assert DOWNSTREAM in materialized(result)


@pytest.mark.parametrize("check_name", ["great_expectations", "missed_calls"])
def test_a_table_that_cannot_be_read_fails_the_check(
    check_name: str, world: World, publish
) -> None:
    del world.frames["marts.fct_calls"], world.frames["raw_crm_file.leads"]
    publish(world)
    check = gx_check(CRM_FILE_LEADS) if check_name == "great_expectations" else None
    check = check or health_check(HEALTH["missed_calls"])
    evaluation = evaluations(run_checks([check]))[check_name]
    assert not evaluation.passed
    assert "could not be read" in _meta(evaluation, "problem")


def test_an_optional_table_not_loaded_passes_with_a_note(world: World, publish) -> None:
    """The CRM export has no managers file: nothing to check, neither a failure nor a warning."""
    assert "raw_crm_file.managers" not in world.frames
    publish(world)
    evaluation = evaluations(run_checks([gx_check(SUITES["crm_file_managers"])]))[
        "great_expectations"
    ]
    assert evaluation.passed
    assert _meta(evaluation, "note") == (
        "raw_crm_file.managers not loaded (optional table): nothing to check"
    )


def test_an_optional_table_that_is_loaded_is_checked(world: World, publish) -> None:
    world.frames["raw_crm_file.managers"] = pd.DataFrame({"manager_id": ["m1", "m1"]})
    publish(world)
    evaluation = evaluations(run_checks([gx_check(SUITES["crm_file_managers"])]))[
        "great_expectations"
    ]
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN
    assert "expect_column_values_to_be_unique on manager_id" in _meta(evaluation, "failures")


def test_definitions_only_check_assets_that_exist() -> None:
    keys = {AssetKey(["marts", "fct_calls"]), AssetKey(["crm_file", "leads"])}
    checks = build_quality_checks(keys)
    names = {(k.asset_key, k.name) for c in checks for k in c.check_keys}
    assert names == {
        (AssetKey(["marts", "fct_calls"]), "great_expectations"),
        (AssetKey(["marts", "fct_calls"]), "missed_calls"),
        (AssetKey(["marts", "fct_calls"]), "slow_callbacks"),
        (AssetKey(["crm_file", "leads"]), "great_expectations"),
    }
    assert len(build_quality_checks()) == len(ALL_SUITES) + len(HEALTH_CHECKS)
    assert isinstance(quality_checks, list)


def test_frame_times_are_compared_in_utc(world: World, publish) -> None:
    leads = world.frames["raw_crm_file.leads"]
    leads["created_at"] = pd.to_datetime(leads["created_at"]).dt.tz_convert("Asia/Tokyo")
    publish(world)
    assert evaluations(run_checks([gx_check(CRM_FILE_LEADS)]))["great_expectations"].passed
