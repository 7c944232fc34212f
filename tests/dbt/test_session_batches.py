"""A full build turns GA4 events into sessions in batches of visitors (to stay within memory):
the batches give exactly the sessions of one pass, on a first build and on a full refresh, and a
daily run after them adds no batch twice."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.dbt import golden
from tests.dbt.conftest import load_raw
from throughline.transform import dbt_command, run_dbt
from throughline.warehouse import Warehouse

BATCHED = {"events_per_build_batch": 4}  # the golden scenario's events, a few per batch


def sessions(warehouse: Warehouse) -> pd.DataFrame:
    frame = warehouse.read_frame("select * from intermediate.int_sessions_sourced").drop(columns=["rebuilt_at"])
    return frame.sort_values("session_id").reset_index(drop=True)


def build_sessions(warehouse: Warehouse, **options) -> None:
    """The sessions model and what it reads: nothing else touches the batches."""
    run_dbt(dbt_command("build", select="+int_sessions_sourced", tests=False, artifacts=False, **options), warehouse)


def fresh_warehouse(root: Path, name: str) -> Warehouse:
    path = root / name / "warehouse.duckdb"
    path.parent.mkdir()
    load_raw(path, golden.raw_tables())
    return Warehouse.from_url(f"duckdb:///{path}")


def test_batches_give_the_sessions_of_one_pass(tmp_path: Path) -> None:
    one_pass = fresh_warehouse(tmp_path, "one_pass")
    build_sessions(one_pass)
    expected = sessions(one_pass)
    events = one_pass.read_frame("select count(*) as n from raw_ga4.events")["n"][0]
    assert events > 2 * BATCHED["events_per_build_batch"]  # several batches, not one

    batched = fresh_warehouse(tmp_path, "batched")
    build_sessions(batched, dbt_vars=BATCHED)  # first build: the table does not exist yet
    pd.testing.assert_frame_equal(sessions(batched), expected)

    build_sessions(batched, full_refresh=True, dbt_vars=BATCHED)
    pd.testing.assert_frame_equal(sessions(batched), expected)

    build_sessions(batched, dbt_vars=BATCHED)  # a daily run: incremental, no batch again
    pd.testing.assert_frame_equal(sessions(batched), expected)
