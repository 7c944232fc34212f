"""Build the dbt project over hand-made raw tables in a throwaway DuckDB file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.dbt import golden
from throughline.transform import build
from throughline.warehouse import Warehouse


def load_raw(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    conn = duckdb.connect(str(path))
    try:
        for name, frame in tables.items():
            schema = name.split(".")[0]
            conn.execute(f"create schema if not exists {schema}")
            conn.register("frame", frame)
            conn.execute(f"create or replace table {name} as select * from frame")
            conn.unregister("frame")
    finally:
        conn.close()


@pytest.fixture(scope="session")
def build_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Warehouse]:
    def _build(tables: dict[str, pd.DataFrame], name: str = "w") -> Warehouse:
        path = tmp_path_factory.mktemp(name) / "warehouse.duckdb"
        load_raw(path, tables)
        warehouse = Warehouse.from_url(f"duckdb:///{path}")
        build(warehouse)
        return warehouse

    return _build


@pytest.fixture(scope="session")
def golden_warehouse(build_warehouse: Callable[..., Warehouse]) -> Warehouse:
    return build_warehouse(golden.raw_tables(), "golden")


def query_of(warehouse: Warehouse) -> Callable[[str], list[tuple]]:
    """A function running SQL on `warehouse` and returning its rows."""
    def _query(sql: str) -> list[tuple]:
        # dbt-duckdb keeps its read-write connection open in this process: use the same mode.
        conn = warehouse.connect()
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    return _query


@pytest.fixture(scope="session")
def query(golden_warehouse: Warehouse) -> Callable[[str], list[tuple]]:
    return query_of(golden_warehouse)
