"""Exports round-trip: Parquet and CSV read back give the mart's rows."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import copy_warehouse
from throughline.export import csv_safe, export_marts
from throughline.publish import CONTRACT_MARTS, ContactDataError, read_marts
from throughline.settings import Settings


def test_exports_round_trip(settings_env, served_warehouse) -> None:
    files = export_marts(settings_env / "exports", Settings.from_env())
    assert len(files) == 2 * len(CONTRACT_MARTS)
    marts = read_marts(served_warehouse)
    for mart in CONTRACT_MARTS:
        expected = marts[mart]
        table = pq.read_table(settings_env / "exports" / f"{mart}.parquet")
        parquet = table.to_pandas()
        dates = [c for c in parquet.columns if c in ("date", "month", "period_start", "cohort_month")]
        parquet[dates] = parquet[dates].apply(pd.to_datetime).astype(expected[dates].dtypes)
        money = [field.name for field in table.schema if pa.types.is_decimal(field.type)]
        parquet[money] = parquet[money].astype(float)
        pd.testing.assert_frame_equal(parquet, expected, check_dtype=False)
        csv = pd.read_csv(settings_env / "exports" / f"{mart}.csv")
        assert len(csv) == len(expected) and list(csv.columns) == list(expected.columns)
    assert not list((settings_env / "exports").glob(".*partial"))


def test_parquet_keeps_the_marts_types(settings_env, served_warehouse) -> None:
    """Power BI reads a Parquet file's own types: dates as dates, counts as integers, also for a
    mart with no rows (the golden business has no budget plan), as the Dagster asset writes them."""
    export_marts(settings_env / "exports", Settings.from_env(), served_warehouse)

    def schema(mart: str) -> pa.Schema:
        return pq.read_schema(settings_env / "exports" / f"{mart}.parquet")

    assert schema("mart_channel_performance").field("date").type == pa.date32()
    assert schema("mart_channel_performance").field("sessions").type == pa.int64()
    assert schema("mart_call_quality").field("answered").type == pa.int64()
    assert schema("mart_budget_pacing").field("month").type == pa.date32()
    # money as the warehouse's decimals, not floats
    assert schema("mart_channel_performance").field("spend").type == pa.decimal128(20, 6)
    assert schema("mart_channel_performance").field("revenue").type == pa.decimal128(20, 6)
    assert schema("mart_budget_pacing").field("planned_spend").type == pa.decimal128(20, 6)
    spend = pq.read_table(settings_env / "exports" / "mart_channel_performance.parquet").column("spend")
    expected = served_warehouse.read_frame("select spend from marts.mart_channel_performance")["spend"]
    assert pa.compute.sum(spend).as_py() == Decimal(str(round(expected.sum(), 6)))
    csv = pd.read_csv(settings_env / "exports" / "mart_channel_performance.csv", dtype=str)
    assert csv["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_a_mart_refused_for_contact_data_leaves_the_last_export_whole(settings_env, served_warehouse,
                                                                      tmp_path) -> None:
    """Every mart is checked before any file is written: a refused one used to leave the marts
    before it freshly exported and the rest from the run before."""
    out = settings_env / "exports"
    export_marts(out, Settings.from_env(), served_warehouse)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    (tmp_path / "leaked").mkdir()
    leaked = copy_warehouse(served_warehouse, tmp_path / "leaked")
    conn = leaked.connect()
    try:
        conn.execute("delete from marts.mart_channel_performance")  # a mart exported before the refused one
        conn.execute("update marts.mart_call_quality set manager_id = 'reception@studio.example.ua'")
    finally:
        conn.close()
    with pytest.raises(ContactDataError, match="mart_call_quality.manager_id"):
        export_marts(out, Settings.from_env(), leaked)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_a_visitors_formula_is_text_in_the_csv() -> None:
    """Any visitor can set utm_campaign: `=HYPERLINK(...)` reached mart_campaign_performance.csv
    as it came, and a spreadsheet opening the file ran it. Text a spreadsheet takes for a formula
    is led by a quote; other text and numbers (negative ROMI too) are as they were."""
    frame = pd.DataFrame({"utm_campaign": ['=HYPERLINK("http://x.example","click")', "spring_sale", "@SUM(A1)", None],
                          "romi_pct": [-100.0, 25.5, 0.0, None]})
    safe = csv_safe(frame)
    assert safe["utm_campaign"].tolist() == ['\'=HYPERLINK("http://x.example","click")', "spring_sale", "'@SUM(A1)",
                                             None]
    assert safe["romi_pct"].tolist()[:3] == [-100.0, 25.5, 0.0]
