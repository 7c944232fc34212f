"""The ingest stage times every source, the CRM-file connector included (on a CSV export of the
sandbox's CRM, loaded beside the measured warehouse so that it keeps one CRM)."""

import duckdb
import pandas as pd

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
