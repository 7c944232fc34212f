"""A built warehouse (the hand-made golden business) for the serving tests."""

from __future__ import annotations

import pytest

from tests.dbt import golden
from tests.dbt.conftest import load_raw
from throughline.transform import build
from throughline.warehouse import Warehouse


@pytest.fixture(scope="session")
def served_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    path = tmp_path_factory.mktemp("serving") / "warehouse.duckdb"
    load_raw(path, golden.raw_tables())
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse)
    return warehouse


@pytest.fixture()
def settings_env(served_warehouse: Warehouse, tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{served_warehouse.path}")
    monkeypatch.setenv("THROUGHLINE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path
