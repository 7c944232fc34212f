"""Numbers as each report language writes them: thousands apart by a narrow space, decimals after
a point in English and a comma in Ukrainian (a comma between thousands reads as a decimal there)."""

from __future__ import annotations

from typing import Any

import pandas as pd

DECIMAL_MARK = {"en": ".", "uk": ","}


def number(value: Any, digits: int = 0, lang: str = "en") -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value):,.{digits}f}".replace(",", "\u202f").replace(".", DECIMAL_MARK[lang])


def percent(value: Any, scale: float = 1.0, lang: str = "en") -> str:
    """A share for people: 0.25 with scale 100 is "25%"; a missing share is a dash, not "—%"."""
    if value is None or pd.isna(value):
        return "—"
    return f"{number(float(value) * scale, lang=lang)}%"


def plural(forms: str | tuple[str, ...], n: int, lang: str) -> str:
    """The wording for a count: English (one, other), Ukrainian (one, few, many: 1, 2-4, 5+ and
    the teens); a plain string has one form for every count."""
    if isinstance(forms, str):
        return forms
    if lang == "uk":
        if n % 10 == 1 and n % 100 != 11:
            return forms[0]
        return forms[1] if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else forms[2]
    return forms[0] if n == 1 else forms[1]
