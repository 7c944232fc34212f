"""The ingest stage times every source, the CRM-file connector included (on a CSV export of the
sandbox's CRM, loaded beside the measured warehouse so that it keeps one CRM); the product's run
after it builds, checks and exports everything without loading the sources again."""

import os

import duckdb
import pandas as pd
import pytest

from bench import stages
from bench.measure import run_stage
from ingestion.pipeline import SOURCE_NAMES


def test_every_source_is_timed_and_the_measured_warehouse_keeps_one_crm(tmp_path) -> None:
    work = str(tmp_path)
    assert run_stage("generate", stages.generate, work, 20, 30).ok
    result = run_stage("ingest", stages.ingest, work, 1, 1)
    assert result.ok, result.error

    exported = sum(len(pd.read_csv(path)) for path in (tmp_path / "crm_export").glob("*.csv"))
    assert result.figures["crm_file_rows"] == exported > 0
    for source in SOURCE_NAMES:
        assert result.figures[f"{source}_rows"] > 0, source
        assert result.figures[f"{source}_rows_per_s"] > 0, source
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        schemas = {schema for (schema,) in conn.execute(
            "select distinct table_schema from information_schema.tables").fetchall()}
    finally:
        conn.close()
    assert "raw_bitrix24" in schemas and "raw_crm_file" not in schemas

    loads = _loads(tmp_path)
    product = run_stage("throughline run", stages.product_run, work)
    assert product.ok, product.error
    assert product.figures["total_s"] > 0
    assert _loads(tmp_path) == loads  # no source loaded again
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        sessions = conn.execute("select count(*) from marts.fct_sessions").fetchone()[0]
        loaded = conn.execute("select count(*) from raw_ga4.events").fetchone()[0]
    finally:
        conn.close()
    assert 0 < sessions < loaded
    exports = tmp_path / "data" / "exports"
    assert (exports / "mart_channel_performance.parquet").stat().st_size > 0
    assert (tmp_path / "data" / "reports" / "owner_report.html").stat().st_size > 0


def _loads(work) -> int:
    conn = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    try:
        return conn.execute(
            "select count(*) from (select load_id from raw_ga4._dlt_loads union all "
            "select load_id from raw_bitrix24._dlt_loads)").fetchone()[0]
    finally:
        conn.close()


def test_a_failing_cli_run_is_reported_with_its_output(tmp_path) -> None:
    # a warehouse of its own: the checkout's default one may hold the demo (`make demo` first)
    env = {**os.environ, "THROUGHLINE_DATA_DIR": str(tmp_path / "data"),
           "THROUGHLINE_WAREHOUSE": f"duckdb:///{tmp_path / 'warehouse.duckdb'}"}
    with pytest.raises(RuntimeError, match=r"(?s)throughline run --select key:no/such_asset exited 1.*no/such_asset"):
        stages._throughline(["run", "--select", "key:no/such_asset"], env)


def test_raw_checks_read_every_row_then_only_the_later_loads(tmp_path) -> None:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("create schema raw_bitrix24")
    conn.execute("create table raw_bitrix24.leads (id text, status_semantic_id text, date_create text, "
                 "_dlt_load_id text)")
    conn.execute("insert into raw_bitrix24.leads values ('1', 'P', '2026-01-05T10:00:00+02:00', "
                 "'1796000000.5'), ('2', 'S', '2026-01-06T10:00:00+02:00', '1796000000.5'), "
                 "('3', 'F', '2026-01-07T10:00:00+02:00', '1796000100.25')")
    conn.close()
    first = run_stage("raw-table checks", stages.raw_checks, str(tmp_path), False)
    assert first.ok, first.error
    assert (first.figures["rows_read"], first.figures["suites_failed"]) == (3, 0)

    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("update raw_bitrix24.leads set id = '1' where id = '2'")  # checked before: not read
    conn.execute("insert into raw_bitrix24.leads values ('4', 'P', '2026-01-08T10:00:00+02:00', "
                 "'1796086400.0'), ('5', 'X', '2026-01-08T11:00:00+02:00', '1796086400.0')")
    conn.close()
    day = run_stage("raw-table checks", stages.raw_checks, str(tmp_path), True)
    assert day.ok, day.error
    assert (day.figures["rows_read"], day.figures["suites_failed"]) == (2, 1)  # status 'X'
