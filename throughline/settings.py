"""Product settings read from THROUGHLINE_* environment variables (one place, typed)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The attribution models every performance mart carries, in the order they are listed (the six
# rule-based ones, then Markov; dbt macro rule_based_models).
ATTRIBUTION_MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay",
                      "markov")
DEFAULT_WAREHOUSE = "duckdb:///data/throughline.duckdb"
DEFAULT_DAGSTER_URL = "http://127.0.0.1:3000"
# THROUGHLINE_ENV: how often loads are retried and how strict the settings are (orchestration.resources)
ENVIRONMENTS = ("local", "ci", "prod")


@dataclass(frozen=True)
class Settings:
    warehouse_url: str = DEFAULT_WAREHOUSE
    bi_dsn: str | None = None
    reporting_currency: str = "UAH"
    timezone: str = "Europe/Kyiv"
    alert_urls: tuple[str, ...] = ()
    environment: str = "local"  # one of ENVIRONMENTS
    dagster_url: str = DEFAULT_DAGSTER_URL  # links in alerts point at runs in this Dagster UI
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "data")

    def __post_init__(self) -> None:
        if self.environment not in ENVIRONMENTS:
            raise ValueError(f"THROUGHLINE_ENV={self.environment!r} is not one of {', '.join(ENVIRONMENTS)}")

    def today(self, now: datetime | None = None) -> date:
        """The business's date at `now` (default: now), not the server's: a server on UTC is still
        on the day before for the first hours of a Kyiv day."""
        zone = ZoneInfo(self.timezone)
        return (now or datetime.now(zone)).astimezone(zone).date()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        alerts = env.get("THROUGHLINE_ALERT_URLS", "")
        timezone = env.get("THROUGHLINE_TIMEZONE", "Europe/Kyiv")
        try:
            ZoneInfo(timezone)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(
                f"THROUGHLINE_TIMEZONE={timezone!r} is not a time zone name: use one such as Europe/Kyiv"
            ) from None
        for name in ("THROUGHLINE_WAREHOUSE", "THROUGHLINE_BI_DSN"):
            _check_port(name, env.get(name, ""))
        return cls(
            warehouse_url=env.get("THROUGHLINE_WAREHOUSE", DEFAULT_WAREHOUSE),
            bi_dsn=env.get("THROUGHLINE_BI_DSN") or None,
            reporting_currency=env.get("THROUGHLINE_REPORTING_CURRENCY", "UAH").upper(),
            timezone=timezone,
            alert_urls=tuple(u.strip() for u in alerts.replace("\n", ",").split(",") if u.strip()),
            environment=env.get("THROUGHLINE_ENV", "local"),
            dagster_url=env.get("THROUGHLINE_DAGSTER_URL", DEFAULT_DAGSTER_URL).rstrip("/"),
            data_dir=Path(env.get("THROUGHLINE_DATA_DIR", str(PROJECT_ROOT / "data"))),
        )


def _check_port(name: str, url: str) -> None:
    """A database URL whose port is not a number, named without the URL (it may hold a password)."""
    parsed = urlparse(url)
    try:
        _ = parsed.port  # urllib checks the port only when asked for it
    except ValueError:
        raise ValueError(f"{name}: the port after host {parsed.hostname!r} is not a number "
                         "(postgresql://user:password@host:port/database)") from None


# A var dbt_project.yml takes from the environment: {{ env_var('NAME', 'default') }}
ENV_VAR = re.compile(r"""^\{\{\s*env_var\('(\w+)',\s*'([^']*)'\)\s*(\|\s*upper\s*)?\}\}$""")


def analysis_vars(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The analysis settings (gross margin, ROMI thresholds, ...) as dbt sees them, its
    environment overrides included, for the Python steps that must apply the same ones."""
    env = os.environ if env is None else env
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    values = {}
    for name, value in (project.get("vars") or {}).items():
        match = ENV_VAR.match(value) if isinstance(value, str) else None
        if match:
            value = env.get(match.group(1), match.group(2))
            value = value.upper() if match.group(3) else yaml.safe_load(value)
        values[name] = value
    return values
