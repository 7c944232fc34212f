"""The owner's business settings (gross margin, ROMI thresholds) come from the environment like
every other setting, reach the marts and the report alike, and a wrong one stops the run naming it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from tests.dbt import golden
from tests.dbt.conftest import query_of
from throughline.settings import analysis_vars
from throughline.transform import TransformError, build
from throughline.warehouse import Warehouse


def test_margin_and_thresholds_from_the_environment(
    build_warehouse: Callable[..., Warehouse], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THROUGHLINE_GROSS_MARGIN", "0.6")
    monkeypatch.setenv("THROUGHLINE_ROMI_STOP_BELOW", "-50")
    monkeypatch.setenv("THROUGHLINE_ROMI_SCALE_ABOVE", "200")
    query = query_of(build_warehouse(golden.raw_tables(), "margin"))
    # the golden month's Paid Search under first touch: 4,200 revenue on 1,000 spend is
    # (4200 x 0.6 - 1000) / 1000 = 152 % (320 % at margin 1), under the 200 % to scale: optimize
    assert query(
        "select romi_pct, decision from marts.mart_channel_scorecard where period_grain = 'month' "
        "and channel = 'Paid Search' and attribution_model = 'first_touch' and spend > 0"
    ) == [(Decimal("152.00"), "optimize")]
    rows = query("select spend, revenue, romi_pct, decision from marts.mart_channel_scorecard where spend > 0")
    for spend, revenue, romi_pct, decision in rows:
        expected = (float(revenue) * 0.6 - float(spend)) / float(spend) * 100
        assert float(romi_pct) == pytest.approx(expected, abs=0.006)
        assert decision == ("stop" if expected < -50 else "scale" if expected > 200 else "optimize")
    assert analysis_vars()["gross_margin"] == 0.6  # the report applies the same margin


@pytest.mark.parametrize(("name", "value", "message"), [
    ("THROUGHLINE_GROSS_MARGIN", "35%", "THROUGHLINE_GROSS_MARGIN=35% (dbt var gross_margin) is not a number"),
    ("THROUGHLINE_GROSS_MARGIN", "35", "must be a share of revenue above 0 and at most 1"),
    ("THROUGHLINE_ROMI_STOP_BELOW", "150", "THROUGHLINE_ROMI_STOP_BELOW=150 is above THROUGHLINE_ROMI_SCALE_ABOVE=100"),
])
def test_a_wrong_setting_stops_the_run_naming_it(
    tmp_path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(TransformError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build(Warehouse.from_url(f"duckdb:///{tmp_path / 'w.duckdb'}"), tests=False)
