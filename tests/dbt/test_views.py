"""Views are recreated only when their compiled SQL or the columns under them changed
(macros/view_materialization.sql)."""

from __future__ import annotations

import pytest

from tests.dbt import golden
from tests.dbt.conftest import load_raw
from throughline.transform import build, dbt_command, run_dbt
from throughline.warehouse import Warehouse

pytestmark = pytest.mark.slow


def view_ids(warehouse: Warehouse) -> dict[str, int]:
    frame = warehouse.read_frame(
        "select schema_name || '.' || view_name as name, view_oid from duckdb_views() "
        "where schema_name in ('staging', 'intermediate', 'marts')")
    return dict(zip(frame["name"], frame["view_oid"], strict=True))


def test_a_view_is_recreated_only_when_its_sql_changed(tmp_path) -> None:
    """The call tracker is connected after the first build: its staging view, compiled over a
    missing table, must be recompiled over the real one; every other view stays as it was."""
    tables = golden.raw_tables()
    calls = tables.pop("raw_calltracking.calls")
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, tables)
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, tests=False)
    first = view_ids(warehouse)
    build(warehouse, tests=False)
    unchanged = view_ids(warehouse)
    load_raw(path, {"raw_calltracking.calls": calls})
    build(warehouse, tests=False)
    connected = view_ids(warehouse)

    assert unchanged == first
    assert connected["staging.stg_calltracking__calls"] != first["staging.stg_calltracking__calls"]
    assert {name: oid for name, oid in connected.items() if name != "staging.stg_calltracking__calls"} == {
        name: oid for name, oid in first.items() if name != "staging.stg_calltracking__calls"}
    assert warehouse.read_frame("select count(*) as n from marts.fct_calls")["n"].iloc[0] == len(calls)


def test_a_view_is_recreated_when_the_columns_under_it_changed(tmp_path) -> None:
    """An upgrade turns int_deals.amount into a double while fct_deals' SQL stays the same:
    DuckDB refuses a view whose columns' types moved under it, so the view is recreated."""
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, golden.raw_tables())
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, tests=False)
    conn = warehouse.connect()
    try:
        conn.execute("create or replace table intermediate.int_deals as "
                     "select * replace (cast(amount as double) as amount) from intermediate.int_deals")
    finally:
        conn.close()
    run_dbt(dbt_command("build", select="fct_deals", tests=False), warehouse)

    deals = warehouse.read_frame("select deal_id, amount from marts.fct_deals order by deal_id")
    assert str(deals["amount"].dtype) == "float64"
    assert deals["amount"].tolist() == [100.0, 500.0, 1000.0]
