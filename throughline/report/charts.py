"""Small inline-SVG charts: the report must open offline, with no script or font to fetch."""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from itertools import groupby
from typing import Any

import pandas as pd

Format = Callable[..., str]  # (value, digits) -> the number as the report's language writes it

PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d",
           "#ea580c", "#475569", "#0d9488", "#a16207"]
WIDTH, HEIGHT, LEFT, BOTTOM = 760, 300, 70, 60
ROUND_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 10)


def nice_top(highest: float) -> float:
    """The axis top: four equal steps of a round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 7.5 times a
    power of ten) reaching `highest`, so every gridline's label is its exact value (a top of 13
    labelled its 3.25 gridline "3")."""
    if highest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(highest / 4))
    return 4 * next(power * m for m in ROUND_STEPS if 4 * power * m >= highest * (1 - 1e-12))


def _decimals(value: float) -> int:
    """Decimals that write a gridline's value exactly (up to 3)."""
    return next((digits for digits in (0, 1, 2) if abs(value - round(value, digits)) < 1e-9), 3)


def _y(value: float, top: float) -> float:
    return HEIGHT - BOTTOM - (HEIGHT - BOTTOM - 20) * value / top


def _axis(top: float, fmt: Format) -> str:
    ticks = []
    for i in range(5):
        value = top * i / 4
        y = HEIGHT - BOTTOM - (HEIGHT - BOTTOM - 20) * i / 4
        ticks.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#6b7280">{fmt(value, _decimals(value))}</text>')
    return "".join(ticks)


def _legend(names: list[str]) -> str:
    items = []
    for i, name in enumerate(names):
        x = LEFT + (i % 5) * 135
        y = HEIGHT - BOTTOM + 40 + (i // 5) * 14
        colour = PALETTE[i % len(PALETTE)]
        items.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y}" font-size="11">{escape(str(name))}</text>')
    return "".join(items)


def _svg(parts: list[str], legend_items: int) -> str:
    """Wrap the chart; the canvas grows downwards when the legend needs more than two rows."""
    height = HEIGHT + max(0, (legend_items - 1) // 5 - 1) * 14
    size = f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
    return f'<svg class="chart" {size}>{"".join(parts)}</svg>'


def grouped_bars(categories: list[str], series: dict[str, list[float]], fmt: Format) -> str:
    if not categories:
        return '<svg class="chart" width="760" height="40"><text x="10" y="25">—</text></svg>'
    top = nice_top(max(max(values) for values in series.values()))
    slot = (WIDTH - LEFT - 10) / len(categories)
    bar = slot * 0.8 / len(series)
    parts = [_axis(top, fmt)]
    for s, (name, values) in enumerate(series.items()):
        for c, value in enumerate(values):
            height = (HEIGHT - BOTTOM - 20) * value / top
            x = LEFT + c * slot + slot * 0.1 + s * bar
            parts.append(f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" width="{bar:.1f}" '
                         f'height="{height:.1f}" fill="{PALETTE[s]}">'
                         f'<title>{escape(name)}: {fmt(value)}</title></rect>')
    for c, category in enumerate(categories):
        x = LEFT + c * slot + slot / 2
        # a name of two words or more on two lines: the Ukrainian channel names are long
        first, _, rest = str(category).partition(" ")
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" font-size="10">'
                     f'{escape(first[:14])}<tspan x="{x:.1f}" dy="12">{escape(rest[:14])}</tspan></text>')
    parts.append(_legend(list(series)))
    return _svg(parts, len(series))


def segments(frame: pd.DataFrame, x: str, group: str, y: str) -> dict[str, list[list[tuple[Any, float]]]]:
    """Each `group`'s runs of consecutive `x` (every x in `frame`, in order) where `y` is known: a
    NaN or a missing x breaks the line, rather than joining the values either side of it. A group
    with no value has no line."""
    xs = sorted(frame[x].unique())
    drawn = {}
    for name, rows in frame.groupby(group):
        values = rows.set_index(x)[y].astype(float).reindex(xs)
        runs = [list(run) for known, run in groupby(values.items(), key=lambda point: not pd.isna(point[1])) if known]
        if runs:
            drawn[str(name)] = runs
    return drawn


def lines(frame: pd.DataFrame, x: str, group: str, y: str, fmt: Format) -> str:
    drawn = segments(frame, x, group, y)
    if not drawn:
        return '<svg class="chart" width="760" height="40"><text x="10" y="25">—</text></svg>'
    xs = sorted(frame[x].unique())
    top = nice_top(max(value for runs in drawn.values() for run in runs for _, value in run))
    step = (WIDTH - LEFT - 20) / max(1, len(xs) - 1)
    parts = [_axis(top, fmt)]
    for i, (name, runs) in enumerate(drawn.items()):
        colour, title = PALETTE[i % len(PALETTE)], f"<title>{escape(name)}</title>"
        for run in runs:
            points = [(LEFT + xs.index(k) * step, _y(value, top)) for k, value in run]
            if len(points) == 1:  # a value between two gaps: a dot (a line through one point shows nothing)
                parts.append(f'<circle cx="{points[0][0]:.1f}" cy="{points[0][1]:.1f}" r="3" fill="{colour}">'
                             f'{title}</circle>')
            else:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                             + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + f'">{title}</polyline>')
    for k in xs[:: max(1, len(xs) // 8)]:
        parts.append(f'<text x="{LEFT + xs.index(k) * step:.1f}" y="{HEIGHT - BOTTOM + 14}" '
                     f'text-anchor="middle" font-size="10">{pd.Timestamp(k):%d.%m}</text>')
    parts.append(_legend(list(drawn)))
    return _svg(parts, len(drawn))
