"""The report's charts label each gridline with its exact value."""

from __future__ import annotations

import re

import pytest

from throughline.report.charts import grouped_bars, lines, segments


def fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def axis_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" font-size="11" fill="#6b7280">([^<]*)<', svg)


@pytest.mark.parametrize(("highest", "labels"), [
    (13, ["0", "4", "8", "12", "16"]),  # was 0, 3, 6, 10, 13 at gridlines 3.25, 6.5, 9.75
    (10, ["0", "2.5", "5", "7.5", "10"]),
    (524_505, ["0", "150,000", "300,000", "450,000", "600,000"]),  # was 131,126, 262,253, ...
    (0.3, ["0", "0.075", "0.15", "0.225", "0.3"]),
    (0, ["0", "0.25", "0.5", "0.75", "1"]),
])
def test_each_gridline_is_labelled_with_its_value(highest: float, labels: list[str]) -> None:
    assert axis_labels(grouped_bars(["week 1", "week 2"], {"Paid Search": [highest, highest / 2]}, fmt)) == labels


def test_a_line_breaks_where_its_value_is_unknown_or_missing() -> None:
    """A's week 2 is unknown (NaN) and B has no row for weeks 2 and 4: neither line joins the
    weeks either side; a week alone between two gaps is a dot."""
    import pandas as pd

    frame = pd.DataFrame({"week": [1, 2, 3, 4, 1, 3], "channel": ["A"] * 4 + ["B"] * 2,
                          "cac": [10, None, 20, 30, 5, 6]})
    assert segments(frame, "week", "channel", "cac") == {
        "A": [[(1, 10)], [(3, 20), (4, 30)]], "B": [[(1, 5)], [(3, 6)]]}
    svg = lines(frame, "week", "channel", "cac", fmt)
    assert (svg.count("<polyline"), svg.count("<circle")) == (1, 3)
