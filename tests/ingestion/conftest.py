"""Each connector test loads into its own DuckDB file with its own dlt state."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ingestion.pipeline import run_source
from throughline.warehouse import Warehouse


@pytest.fixture(autouse=True)
def only_the_tests_own_source_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autouse, so it runs before the fixtures that set a test's sources: settings exported in the
    shell (a developer's .env) or left by another test must not reach a connector under test."""
    for name in [name for name in os.environ if name.startswith("SOURCES__")]:
        monkeypatch.delenv(name)


@pytest.fixture()
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    monkeypatch.setenv("THROUGHLINE_DATA_DIR", str(tmp_path / "data"))
    return Warehouse.from_url(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")


@pytest.fixture()
def load(warehouse: Warehouse) -> Callable[[str], object]:
    def _load(name: str) -> object:
        return run_source(name, warehouse)

    return _load


@pytest.fixture()
def query(warehouse: Warehouse) -> Callable[[str], list[tuple]]:
    def _query(sql: str) -> list[tuple]:
        conn = warehouse.connect(read_only=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    return _query

