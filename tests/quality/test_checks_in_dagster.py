"""The checks as Dagster asset checks: severities, metadata, blocking, and never a false pass."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from dagster import AssetCheckSeverity, AssetKey, DagsterInstance

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


def test_forms_dropping_their_utms_block_the_reports_downstream(world: World, publish) -> None:
    """An ERROR health check blocks, as the contract has it: with every lead of the last two days
    untagged, the channel figures would be wrong, and what reads them waits for a fix."""
    leads = world.frames["marts.fct_leads"]
    leads.loc[leads["lead_date"] >= world.now.date() - timedelta(days=1), "is_untagged"] = True
    publish(refresh(world))
    result = run_checks([health_check(HEALTH["leads_without_source"])])
    evaluation = evaluations(result)["leads_without_source"]
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR
    assert _meta(evaluation, "figure") == 1.0
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


@pytest.mark.parametrize("table", ["crm_file.managers", "ga4.events"])
def test_an_optional_table_not_loaded_passes_with_a_note(table: str, world: World, publish) -> None:
    """The CRM export has no managers file; GA4 is read through the Data API only, without the
    BigQuery export's events: nothing to check, neither a failure nor a warning."""
    world.frames.pop(f"raw_{table}", None)
    publish(world)
    evaluation = evaluations(run_checks([gx_check(SUITES[table.replace(".", "_")])]))[
        "great_expectations"
    ]
    assert evaluation.passed
    assert _meta(evaluation, "note") == f"raw_{table} not loaded (optional table): nothing to check"


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


FIRST_LOAD, SECOND_LOAD, THIRD_LOAD, FOURTH_LOAD = (
    "1796000000.5", "1796003600.25", "1796007200.125", "1796010800.0")


def _loaded(frame: pd.DataFrame, load_id: str) -> pd.DataFrame:
    return frame.assign(_dlt_load_id=load_id)


def test_a_raw_check_reads_the_loads_after_the_last_that_passed(world: World, publish) -> None:
    """The CRM export's leads arrive in four loads, checked after each on one Dagster instance:
    a run reads only the rows later loads wrote; a failing load is read again until one passes."""
    instance = DagsterInstance.ephemeral()
    leads = _loaded(world.frames["raw_crm_file.leads"], FIRST_LOAD)  # 20 rows

    def check(frame: pd.DataFrame):
        world.frames["raw_crm_file.leads"] = frame
        publish(world)
        result = run_checks([gx_check(CRM_FILE_LEADS)], instance)
        return evaluations(result)["great_expectations"], materialized(result)

    first, _ = check(leads)
    assert first.passed and _meta(first, "rows") == 20 and _meta(first, "rows_read") == "all"
    assert _meta(first, "checked_through_load") == FIRST_LOAD

    # An already-checked row turns into a duplicate: not read again. Two new leads are.
    leads.loc[5, "lead_id"] = "4"
    new = _loaded(pd.DataFrame({"lead_id": ["20", "21"], "created_at": [world.now] * 2,
                                "status": ["new"] * 2}), SECOND_LOAD)
    second, _ = check(pd.concat([leads, new], ignore_index=True))
    assert second.passed and _meta(second, "rows") == 2
    assert _meta(second, "rows_read") == f"loaded after load {FIRST_LOAD}"
    assert _meta(second, "checked_through_load") == SECOND_LOAD

    # A lead from next year fails the third load, and again the next run: nothing passed since.
    bad = _loaded(pd.DataFrame({"lead_id": ["22"], "created_at": [world.now + timedelta(days=400)],
                                "status": ["new"]}), THIRD_LOAD)
    with_bad = pd.concat([leads, new, bad], ignore_index=True)
    for _ in range(2):
        failed, done = check(with_bad)
        assert not failed.passed and _meta(failed, "rows") == 1
        assert "expect_column_values_to_be_between on created_at failed (1 rows)" in _meta(
            failed, "failures")
        assert DOWNSTREAM not in done

    # The CRM corrects it (a later load rewrites the row): the loads after the second are read,
    # which now hold the rewritten row alone.
    fixed = _loaded(bad.assign(created_at=world.now), FOURTH_LOAD)
    passed, done = check(pd.concat([leads, new, fixed], ignore_index=True))
    assert passed.passed and _meta(passed, "rows") == 1 and DOWNSTREAM in done
    assert _meta(passed, "rows_read") == f"loaded after load {SECOND_LOAD}"

    idle, _ = check(pd.concat([leads, new, fixed], ignore_index=True))
    assert idle.passed and _meta(idle, "checked_through_load") == FOURTH_LOAD
    assert _meta(idle, "note") == (
        f"no rows loaded into raw_crm_file.leads since load {FOURTH_LOAD}, which passed")


def test_a_check_history_of_another_warehouse_is_not_used(
    world: World, publish, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = DagsterInstance.ephemeral()
    world.frames["raw_crm_file.leads"] = _loaded(world.frames["raw_crm_file.leads"], FIRST_LOAD)
    publish(world)
    assert evaluations(run_checks([gx_check(CRM_FILE_LEADS)], instance))["great_expectations"].passed
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", world.write(tmp_path / "other.duckdb"))
    other = evaluations(run_checks([gx_check(CRM_FILE_LEADS)], instance))["great_expectations"]
    assert other.passed and _meta(other, "rows") == 20 and _meta(other, "rows_read") == "all"
