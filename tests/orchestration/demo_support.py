"""Helpers shared by the orchestration tests (imported by conftest and the test modules)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Demo:
    """A small synthetic business served by the sandbox, materialised once through Dagster."""

    business: Any
    env: dict[str, str]
    warehouse: Any
    summary: Any
    root: Path


DEMO_DAYS = 10
DEMO_VISITORS_PER_DAY = 30


def demo_env(root: Path, source_env: dict[str, str]) -> dict[str, str]:
    return {
        **source_env,
        "THROUGHLINE_WAREHOUSE": f"duckdb:///{root / 'warehouse.duckdb'}",
        "THROUGHLINE_DATA_DIR": str(root / "data"),
        "THROUGHLINE_ENV": "ci",
    }
