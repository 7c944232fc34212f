"""Clean frames shaped like the marts, which the suite tests then break."""

from __future__ import annotations

from typing import Any


def performance(**grain: list[Any]) -> dict[str, list[Any]]:
    """Two rows of a performance mart: one with spend and results, one with nothing."""
    zero = [0, 0]
    return {
        **grain,
        "attribution_model": ["linear", "linear"],
        "spend": [100.0, 0.0],
        "impressions": [1000, 0],
        "clicks": [20, 0],
        "sessions": [10, 0],
        "leads": [4.0, 0.0],
        "qualified_leads": [2.0, 0.0],
        "deals_won": [1.0, 0.0],
        "new_customers": [1.0, 0.0],
        "revenue": [300.0, 0.0],
        "cpl": [25.0, None],
        "cost_per_qualified_lead": [50.0, None],
        "cac": [100.0, None],
        "roas": [3.0, None],
        "romi_pct": [200.0, None],
        "session_to_lead_rate": [0.4, None],
        "lead_to_deal_rate": [0.25, None],
        "calls": zero,
    }
