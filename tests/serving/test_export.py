"""Exports round-trip: Parquet and CSV read back give the mart's rows."""

from __future__ import annotations

import pandas as pd

from throughline.export import export_marts
from throughline.publish import CONTRACT_MARTS, read_marts
from throughline.settings import Settings


def test_exports_round_trip(settings_env, served_warehouse) -> None:
    files = export_marts(settings_env / "exports", Settings.from_env())
    assert len(files) == 2 * len(CONTRACT_MARTS)
    marts = read_marts(served_warehouse)
    for mart in CONTRACT_MARTS:
        expected = marts[mart]
        parquet = pd.read_parquet(settings_env / "exports" / f"{mart}.parquet")
        dates = [c for c in parquet.columns if c in ("date", "month", "period_start", "cohort_month")]
        parquet[dates] = parquet[dates].apply(pd.to_datetime).astype(expected[dates].dtypes)
        pd.testing.assert_frame_equal(parquet, expected, check_dtype=False)
        csv = pd.read_csv(settings_env / "exports" / f"{mart}.csv")
        assert len(csv) == len(expected) and list(csv.columns) == list(expected.columns)
    assert not list((settings_env / "exports").glob(".*partial"))


def test_parquet_keeps_the_marts_types(settings_env, served_warehouse) -> None:
    """Power BI reads a Parquet file's own types: dates as dates, counts as integers, also for a
    mart with no rows (the golden business has no budget plan), as the Dagster asset writes them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    export_marts(settings_env / "exports", Settings.from_env(), served_warehouse)

    def schema(mart: str) -> pa.Schema:
        return pq.read_schema(settings_env / "exports" / f"{mart}.parquet")

    assert schema("mart_channel_performance").field("date").type == pa.date32()
    assert schema("mart_channel_performance").field("sessions").type == pa.int64()
    assert schema("mart_call_quality").field("answered").type == pa.int64()
    assert schema("mart_budget_pacing").field("month").type == pa.date32()
    csv = pd.read_csv(settings_env / "exports" / "mart_channel_performance.csv", dtype=str)
    assert csv["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
