"""Scale-up by replication (bench scale L): every visitor-driven figure of the marts is exactly
`copies` times the original under every attribution model; ad spend is unchanged."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from bench.replicate import replicate_raw
from ingestion.pipeline import run_all_sources
from ingestion.sandbox.generator import BusinessParams, generate_business
from ingestion.sandbox.server import Sandbox
from throughline.transform import build
from throughline.warehouse import Warehouse

pytestmark = pytest.mark.slow

COPIES = 3
COMPARISON = """select channel, attribution_model, leads, new_customers, revenue, spend
                from marts.mart_attribution_comparison"""


def comparison(warehouse: Warehouse) -> pd.DataFrame:
    conn = warehouse.connect()
    try:
        frame = conn.sql(COMPARISON).df().set_index(["channel", "attribution_model"]).sort_index()
        return frame.astype(float)
    finally:
        conn.close()


def test_replicated_warehouse_multiplies_every_attributed_figure(tmp_path) -> None:
    business = generate_business(BusinessParams(
        seed=3, start_date=date.today() - timedelta(days=20), days=20, visitors_per_day=30))
    base = Warehouse.from_url(f"duckdb:///{tmp_path / 'base' / 'throughline.duckdb'}")
    scaled = Warehouse.from_url(f"duckdb:///{tmp_path / 'scaled' / 'throughline.duckdb'}")
    (tmp_path / "base").mkdir()
    (tmp_path / "scaled").mkdir()
    with pytest.MonkeyPatch.context() as patch, Sandbox(business, files_dir=tmp_path / "files") as sandbox:
        patch.setenv("THROUGHLINE_DATA_DIR", str(tmp_path / "data"))
        for key, value in sandbox.source_env().items():
            patch.setenv(key, value)
        run_all_sources(base)
    rows = replicate_raw(tmp_path / "base" / "throughline.duckdb", tmp_path / "scaled" / "throughline.duckdb", COPIES)
    assert rows["raw_ga4.events"] > 0 and rows["raw_bitrix24.leads"] > 0
    build(base)
    build(scaled)
    original, replicated = comparison(base), comparison(scaled)
    assert original["leads"].sum() > 0 and original["revenue"].sum() > 0
    assert list(replicated.index) == list(original.index)
    for column in ("leads", "new_customers", "revenue"):
        pd.testing.assert_series_equal(replicated[column], original[column] * COPIES, rtol=1e-9, obj=column)
    pd.testing.assert_series_equal(replicated["spend"], original["spend"], obj="spend")
