"""Everything materialised in-process over the sandbox: the marts equal the generator's truth,
and every quality check attached passes on the clean business."""

import os
from decimal import Decimal

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

MODELS = ("first_touch", "last_touch", "linear", "markov")


def _query(demo, sql: str) -> pd.DataFrame:
    with demo.warehouse.lock(exclusive=False):
        connection = demo.warehouse.connect(read_only=True)
        try:
            return connection.sql(sql).df()
        finally:
            connection.close()


def _truth(demo, metric: str) -> pd.DataFrame:
    truth = demo.business.ground_truth
    return truth[truth["metric"] == metric]


def _uah(demo, frame: pd.DataFrame) -> float:
    """Amounts in their currency on their date, converted at that day's NBU rate (UAH = 1)."""
    rates = demo.business.fx_rates[["date", "currency", "rate"]].copy()
    rates["date"] = pd.to_datetime(rates["date"]).dt.date
    frame = frame.assign(date=pd.to_datetime(frame["date"]).dt.date)
    merged = frame.merge(rates, on=["date", "currency"], how="left")
    merged.loc[merged["currency"] == "UAH", "rate"] = 1.0
    assert merged["rate"].notna().all(), "a ground-truth amount has no FX rate"
    return float((merged["value"] * merged["rate"]).sum())


def test_the_whole_graph_succeeds(demo) -> None:
    summary = demo.summary
    assert summary.failed_steps == {}
    assert summary.not_materialized == []
    assert summary.success, summary
    # The sandbox's CRM is Bitrix24: the CRM-file source stays unconfigured and is skipped.
    assert {label.split("/")[0] for label in summary.skipped} == {"crm_file"}


def test_a_clean_generated_business_passes_every_error_check(demo) -> None:
    from throughline.health import HEALTH_CHECKS

    summary = demo.summary
    assert summary.failed_checks == [], summary.failed_checks
    assert not [c for c in summary.warned_checks if c.endswith("great_expectations")]
    assert summary.passed_checks >= len(HEALTH_CHECKS)


def test_cutting_the_crm_feed_fails_the_lead_check(demo, tmp_path) -> None:
    """The last three days of leads vanish (on a copy of the demo's warehouse): the blocking
    lead check fails."""
    from tests.conftest import copy_warehouse
    from throughline.health import HEALTH_CHECKS, HealthSettings, utc_now

    warehouse = copy_warehouse(demo.warehouse, tmp_path)
    conn = warehouse.connect()
    try:
        latest = conn.execute("select max(lead_date) from marts.fct_leads").fetchone()[0]
        # the table under the fct_leads view
        conn.execute(f"delete from intermediate.int_leads where lead_date >= date '{latest}' - 2")
    finally:
        conn.close()
    check = next(c for c in HEALTH_CHECKS if c.name == "hours_since_last_lead")
    result = check.evaluate(warehouse.read_frame, HealthSettings(), utc_now())
    assert not result.passed and check.severity == "ERROR" and check.blocking
    assert result.figure > 24.0
    assert result.subjects[0].startswith("bitrix24: last lead ")


def test_sessions_equal_ground_truth_under_every_model(demo) -> None:
    expected = _truth(demo, "sessions")["value"].sum()
    totals = _query(
        demo,
        """
        select attribution_model, sum(sessions) as sessions
        from marts.mart_channel_performance group by 1
    """,
    )
    assert set(MODELS) <= set(totals["attribution_model"])
    for row in totals.itertuples():
        assert row.sessions == expected, row.attribution_model


def test_leads_and_revenue_are_conserved_by_every_model(demo) -> None:
    leads = _truth(demo, "leads")["value"].sum()
    revenue = _uah(demo, _truth(demo, "revenue"))
    totals = _query(
        demo,
        """
        select attribution_model, sum(leads) as leads, sum(revenue) as revenue
        from marts.mart_channel_performance group by 1
    """,
    )
    for row in totals.itertuples():
        assert float(row.leads) == pytest.approx(leads, abs=1e-6), row.attribution_model
        assert float(row.revenue) == pytest.approx(revenue, abs=0.05), row.attribution_model


def test_ad_spend_per_platform_in_reporting_currency(demo) -> None:
    truth = _truth(demo, "spend")
    spend = _query(
        demo,
        """
        select platform, sum(spend) as spend
        from marts.mart_campaign_performance
        where attribution_model = 'last_touch' and platform in ('google_ads', 'meta_ads')
        group by 1
    """,
    ).set_index("platform")["spend"]
    for platform in ("google_ads", "meta_ads"):
        expected = _uah(demo, truth[truth["platform"] == platform])
        assert expected > 0
        assert float(Decimal(str(spend[platform]))) == pytest.approx(expected, abs=0.05)


def test_markov_effects_and_bi_outputs_exist(demo) -> None:
    effects = _query(demo, "select * from attribution.markov_removal_effects")
    assert len(effects) > 0
    materialized = set(demo.summary.materialized)
    assert "attribution/markov_removal_effects" in materialized
    assert any(label.startswith("serving/") for label in materialized) or any(
        "report" in label for label in materialized
    )


def test_the_runs_bi_outputs_keep_the_marts_types(demo) -> None:
    """The daily run's publication and exports (Dagster's serving assets) give dashboards the
    warehouse's types: dates as dates, money as exact decimals, counts as integers."""
    import psycopg
    import pyarrow as pa
    import pyarrow.parquet as pq

    with psycopg.connect(demo.env["THROUGHLINE_BI_DSN"]) as conn:
        types = dict(conn.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'bi' and table_name = 'mart_channel_performance'").fetchall())
    assert (types["date"], types["spend"], types["sessions"]) == ("date", "numeric", "bigint")
    exports = os.path.join(demo.env["THROUGHLINE_DATA_DIR"], "exports")
    schema = pq.read_schema(os.path.join(exports, "mart_channel_performance.parquet"))
    assert (schema.field("date").type, schema.field("sessions").type) == (pa.date32(), pa.int64())


def test_a_full_refresh_run_rebuilds_the_incremental_facts(demo) -> None:
    """A daily run leaves the sessions before the reprocess window (and, with no new data, every
    session) as they were; the full-refresh tag rebuilds every row."""
    from orchestration.assets.transform import FULL_REFRESH_TAG
    from orchestration.runner import materialize_all

    table = "intermediate.int_sessions_sourced"

    def rows_stamped_since(stamp) -> tuple[int, int]:
        counts = _query(demo, f"select count(*) filter (where rebuilt_at > cast('{stamp}' as timestamp)) as stamped, "
                              f"count(*) as rows from {table}").iloc[0]
        return int(counts["stamped"]), int(counts["rows"])

    newest = f"select max(rebuilt_at) as stamp from {table}"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in demo.env.items():
            patch.setenv(name, value)
        patch.delenv("DAGSTER_HOME", raising=False)
        before_daily = _query(demo, newest).iloc[0]["stamp"]
        assert materialize_all(select=f"key:{table.replace('.', '/')}", progress=False).success
        daily_stamped, rows = rows_stamped_since(before_daily)
        before_refresh = _query(demo, newest).iloc[0]["stamp"]
        refreshed = materialize_all(select=f"key:{table.replace('.', '/')}", progress=False,
                                    tags={FULL_REFRESH_TAG: "true"})
        assert refreshed.success
        refresh_stamped, refreshed_rows = rows_stamped_since(before_refresh)
    assert daily_stamped < rows
    assert refresh_stamped == refreshed_rows == rows > 0


def test_the_run_command_keeps_tool_output_in_a_log_file(demo) -> None:
    from typer.testing import CliRunner

    from throughline.cli import app

    with pytest.MonkeyPatch.context() as patch:
        for name, value in demo.env.items():
            patch.setenv(name, value)
        patch.delenv("DAGSTER_HOME", raising=False)
        result = CliRunner().invoke(app, ["run", "--select", "key:seeds/channel_rules"])
    assert result.exit_code == 0, result.output
    assert "Detailed log of the tools" in result.output
    assert "Running with dbt" not in result.output  # dbt's own lines went to the log file
    logs = list((demo.root / "data" / "logs").glob("run-*.log"))
    assert logs and "channel_rules" in logs[0].read_text()


def test_the_second_dbt_invocation_of_a_run_reuses_the_first_ones_parse(demo) -> None:
    """The warehouse path is part of dbt's profile: without the parse state handed on, every dbt
    invocation for a warehouse other than the one `make dbt-parse` saw re-parses the project."""
    from orchestration.project import DBT_PROJECT_DIR

    run = demo.summary.run_id[:7]
    targets = DBT_PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")
    (after_markov,) = targets.glob(f"dbt_models_after_markov-{run}-*")
    log = (after_markov / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled" in log


def test_daily_dbt_steps_leave_out_unchanged_views_and_what_reads_them_still_runs(demo) -> None:
    """Nothing the views and seeds are made from changed since the demo's run built them: the dbt
    steps leave them out (throughline.unchanged_views), Dagster reports them unchanged, the tests on
    them still run, and the export reading the marts runs."""
    from dagster import AssetCheckKey, AssetKey, DagsterInstance

    from orchestration.runner import materialize_all

    select = "group:seeds or group:staging or group:intermediate or group:marts or key:serving/marts_export"
    instance = DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in demo.env.items():
            patch.setenv(name, value)
        patch.delenv("DAGSTER_HOME", raising=False)
        summary = materialize_all(select=select, progress=False, instance=instance)

    def status(*key: str) -> str:
        (record,) = instance.fetch_materializations(AssetKey(list(key)), limit=1).records
        assert record.run_id == summary.run_id
        return record.asset_materialization.metadata["status"].value

    assert summary.success, summary
    assert summary.not_materialized == []
    assert "serving/marts_export" in summary.materialized
    for view in (("marts", "fct_sessions"), ("staging", "stg_ga4__events"), ("seeds", "channel_rules")):
        assert status(*view) == "unchanged"
    assert status("intermediate", "int_sessions") != "unchanged"
    unique_sessions = AssetCheckKey(AssetKey(["marts", "fct_sessions"]),
                                    "unique_combination_of_columns_fct_sessions_session_id")
    (checked,) = instance.event_log_storage.get_asset_check_execution_history(unique_sessions, limit=1)
    assert checked.run_id == summary.run_id and checked.status.value == "SUCCEEDED"
