"""The synthetic business as tables (one pandas DataFrame each), saved and loaded as Parquet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

TABLES = (
    "ad_accounts",
    "campaigns",
    "ad_groups",
    "ads",
    "keywords",
    "ad_stats",
    "ad_stats_initial",
    "keyword_stats",
    "sessions",
    "form_submits",
    "managers",
    "statuses",
    "contacts",
    "leads",
    "lead_status_history",
    "deals",
    "deal_stage_history",
    "calls",
    "tracking_numbers",
    "manual_costs",
    "budget_plan",
    "fx_rates",
    "ground_truth",
)


@dataclass
class Business:
    """Every table of docs/DATA_CONTRACTS.md section 1 for one generated company."""

    ad_accounts: pd.DataFrame
    campaigns: pd.DataFrame
    ad_groups: pd.DataFrame
    ads: pd.DataFrame
    keywords: pd.DataFrame
    ad_stats: pd.DataFrame
    ad_stats_initial: pd.DataFrame
    keyword_stats: pd.DataFrame
    sessions: pd.DataFrame
    form_submits: pd.DataFrame
    managers: pd.DataFrame
    statuses: pd.DataFrame
    contacts: pd.DataFrame
    leads: pd.DataFrame
    lead_status_history: pd.DataFrame
    deals: pd.DataFrame
    deal_stage_history: pd.DataFrame
    calls: pd.DataFrame
    tracking_numbers: pd.DataFrame
    manual_costs: pd.DataFrame
    budget_plan: pd.DataFrame
    fx_rates: pd.DataFrame
    ground_truth: pd.DataFrame
    start_date: date
    end_date: date  # exclusive: the business spans [start_date, end_date)

    @property
    def restated_days(self) -> list[date]:
        return sorted(pd.to_datetime(self.ad_stats_initial["date"]).dt.date.unique())

    def save(self, folder: Path) -> Path:
        target = Path(folder) / "business"
        target.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            getattr(self, name).to_parquet(target / f"{name}.parquet", index=False)
        (target / "span.txt").write_text(f"{self.start_date}\n{self.end_date}\n")
        return target

    def rows(self) -> int:
        return sum(len(getattr(self, name)) for name in TABLES)


def load_business(folder: Path) -> Business:
    source = Path(folder) / "business"
    start, end = (source / "span.txt").read_text().split()
    frames = {name: pd.read_parquet(source / f"{name}.parquet") for name in TABLES}
    return Business(
        **frames, start_date=date.fromisoformat(start), end_date=date.fromisoformat(end)
    )


def without_nan(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose missing text values are None (JSON null), never NaN."""
    out = frame.copy()
    for column in out.select_dtypes(include="object").columns:
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out
