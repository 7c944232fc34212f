"""`throughline demo`'s warehouse: one business at a time, and never a warehouse it did not fill."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dlt
import pytest

from tests.conftest import new_database
from throughline.demo import DemoBusiness, DemoWarehouseInUse, prepare_demo_warehouse
from throughline.warehouse import Warehouse

TODAY = DemoBusiness(seed=42, start_date=date(2026, 9, 4), days=90, visitors_per_day=300)
TOMORROW = DemoBusiness(seed=42, start_date=TODAY.start_date + timedelta(days=1), days=90, visitors_per_day=300)


def load_counter(warehouse: Warehouse, pipelines_dir: Path) -> list[int]:
    """An incremental dlt load, as the connectors do: each run loads the three numbers after the
    last it loaded (its state kept by dlt); returns every number the table holds."""

    @dlt.resource(name="numbers", write_disposition="append")
    def numbers():
        state = dlt.current.resource_state()
        first = state.get("next", 0)
        yield [{"n": n} for n in range(first, first + 3)]
        state["next"] = first + 3

    pipeline = dlt.pipeline(pipeline_name="demo_counter", destination=warehouse.dlt_destination(),
                            dataset_name="raw_counter", pipelines_dir=str(pipelines_dir))
    pipeline.run(numbers())
    conn = warehouse.connect()
    try:
        return [n for (n,) in conn.execute("select n from raw_counter.numbers order by n").fetchall()]
    finally:
        conn.close()


def held(warehouse: Warehouse) -> str:
    conn = warehouse.connect()
    try:
        return conn.execute("select business from throughline_demo.business").fetchall()[0][0]
    finally:
        conn.close()


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    if request.param == "duckdb":
        return Warehouse.from_url(f"duckdb:///{tmp_path / 'demo.duckdb'}")
    # a URL without a password (the test cluster trusts its clients): dlt loads all the same
    database = f"demo_{tmp_path.name.lower().replace('-', '_')}"[:60]
    return Warehouse.from_url(new_database(request.getfixturevalue("postgres_dsn"), database))


def test_the_same_business_loads_again_into_what_it_loaded(warehouse: Warehouse, tmp_path: Path) -> None:
    assert prepare_demo_warehouse(warehouse, TODAY) == "new"
    assert load_counter(warehouse, tmp_path / "pipelines") == [0, 1, 2]
    assert prepare_demo_warehouse(warehouse, TODAY) == "same"
    assert load_counter(warehouse, tmp_path / "pipelines") == [0, 1, 2, 3, 4, 5]
    assert held(warehouse) == TODAY.key()


def test_another_days_business_starts_the_warehouse_over(warehouse: Warehouse, tmp_path: Path) -> None:
    prepare_demo_warehouse(warehouse, TODAY)
    assert load_counter(warehouse, tmp_path / "pipelines") == [0, 1, 2]
    assert prepare_demo_warehouse(warehouse, TOMORROW) == "restarted"
    # the old business's rows are gone, and dlt's state with them: the load starts from scratch
    assert load_counter(warehouse, tmp_path / "pipelines") == [0, 1, 2]
    assert held(warehouse) == TOMORROW.key()
    assert TODAY.key() != TOMORROW.key()


def test_a_warehouse_with_other_data_is_refused_and_kept(warehouse: Warehouse, tmp_path: Path) -> None:
    assert load_counter(warehouse, tmp_path / "pipelines") == [0, 1, 2]  # a real source's load
    with pytest.raises(DemoWarehouseInUse, match=r"holds data the demo did not load \(raw_counter\)"):
        prepare_demo_warehouse(warehouse, TODAY)
    assert load_counter(warehouse, tmp_path / "pipelines") == [0, 1, 2, 3, 4, 5]


def test_a_warehouse_with_tables_of_its_own_is_refused_and_kept(warehouse: Warehouse, tmp_path: Path) -> None:
    """A warehouse holding the user's own tables, no dlt load among them: the demo took it, and a
    later day's demo starts over by deleting the warehouse, the user's tables with it."""
    conn = warehouse.connect()
    try:
        conn.execute("create schema if not exists analytics")
        conn.execute("create table analytics.customers (id integer)")
        conn.execute("insert into analytics.customers values (1), (2)")
        conn.commit()
    finally:
        conn.close()
    with pytest.raises(DemoWarehouseInUse, match=r"holds data the demo did not load \(analytics\)"):
        prepare_demo_warehouse(warehouse, TODAY)
    conn = warehouse.connect()
    try:
        assert conn.execute("select count(*) from analytics.customers").fetchall() == [(2,)]
    finally:
        conn.close()
