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
        pd.testing.assert_frame_equal(parquet, expected, check_dtype=False)
        csv = pd.read_csv(settings_env / "exports" / f"{mart}.csv")
        assert len(csv) == len(expected) and list(csv.columns) == list(expected.columns)
    assert not list((settings_env / "exports").glob(".*partial"))
