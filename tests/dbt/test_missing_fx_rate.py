"""A missing exchange rate stops the build and names the currency and the date."""

import pytest

from tests.dbt import golden
from tests.dbt.conftest import load_raw
from throughline.transform import TransformError, build
from throughline.warehouse import Warehouse


def test_missing_rate_names_currency_and_date(tmp_path) -> None:
    tables = golden.raw_tables()
    rates = tables["raw_fx_rates.rates"]
    tables["raw_fx_rates.rates"] = rates[
        ~((rates.currency == "USD") & (rates.rate_date.astype(str) == "2026-09-02"))
    ]
    path = tmp_path / "w.duckdb"
    load_raw(path, tables)
    with pytest.raises(TransformError, match="USD on 2026-09-02"):
        build(Warehouse.from_url(f"duckdb:///{path}"))
