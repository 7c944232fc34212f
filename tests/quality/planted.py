"""A small warehouse shaped like the marts, with clean tracking that scenarios then break.

Clean world, over the 14 days up to now: three campaigns spending 1000 / 500 / 800 a day, each
carried by 20 paid sessions a day; 10 Bitrix24 leads a day (2 untagged, 2 matched to no
visitor); managers Olena (misses 1 of her 4 inbound calls a day) and Taras (misses none);
every source loaded 2 hours ago. Each day's visits start after UTC midnight (the latest
today at 00:57), leads at 00:00-00:54, calls at 01:00-01:18.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pandas as pd

DAYS = 14
CAMPAIGNS = [  # platform, campaign_id, name, utm_campaign, channel, daily spend
    ("google_ads", "111", "Brand Search", "brand_search", "Paid Search", 1000.0),
    ("google_ads", "222", "Generic Search", "generic_search", "Paid Search", 500.0),
    ("meta_ads", "333", "Leads Kyiv", "leads_kyiv", "Paid Social", 800.0),
]
MANAGERS = {"1": "Olena", "2": "Taras"}
SOURCES = ("bitrix24", "google_ads", "meta_ads", "ga4", "calltracking")


def midday_today() -> datetime:
    """Noon UTC today: a `now` at which UTC and the business's time zone (Kyiv) agree on the
    date and every planted moment is past. For tests that hand the checks their `now`: around
    Kyiv midnight the real clock puts the business on the next day, and the world's today (a
    UTC day) would be judged as yesterday."""
    return datetime.combine(datetime.now(UTC).date(), time(12), tzinfo=UTC)


def _moment(now: datetime, days_back: int, hours: float) -> datetime:
    """`hours` after UTC midnight, `days_back` days before today: every day has fixed rows."""
    midnight = datetime.combine(now.date() - timedelta(days=days_back), time(0), tzinfo=UTC)
    return midnight + timedelta(hours=hours)


@dataclass
class World:
    now: datetime
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    loaded_at: dict[str, datetime] = field(default_factory=dict)  # source -> last dlt load

    def write(self, path: Path) -> str:
        """Write every frame as `<schema>.<table>`; returns the THROUGHLINE_WAREHOUSE URL."""
        path.unlink(missing_ok=True)
        con = duckdb.connect(str(path))
        for name, frame in self.frames.items():
            schema, table = name.split(".")
            con.execute(f"create schema if not exists {schema}")
            con.register("frame", frame)
            con.execute(f"create or replace table {name} as select * from frame")
            con.unregister("frame")
        con.close()
        return f"duckdb:///{path}"


def _spend(now: datetime) -> pd.DataFrame:
    rows = [
        (_moment(now, k, 1).date(), platform, cid, name, channel, spend, spend, 100, 10)
        for k in range(DAYS)
        for platform, cid, name, _, channel, spend in CAMPAIGNS
    ]
    columns = ["spend_date", "platform", "campaign_id", "campaign_name", "channel", "cost"]
    return pd.DataFrame(rows, columns=[*columns, "spend", "impressions", "clicks"])


def _sessions(now: datetime) -> pd.DataFrame:
    rows = [
        (f"s{k}-{utm}-{i}", _moment(now, k, i * 0.05), "cpc", utm, channel)
        for k in range(DAYS)
        for _, _, _, utm, channel, _ in CAMPAIGNS
        for i in range(20)
    ]
    rows += [
        (f"o{k}-{i}", _moment(now, k, i * 0.05), "organic", None, "Organic Search")
        for k in range(DAYS)
        for i in range(10)
    ]
    frame = pd.DataFrame(rows, columns=["session_id", "started_at", "utm_medium", "utm_campaign", "channel"])
    frame["session_date"] = frame["started_at"].map(lambda moment: moment.date())
    return frame


def _leads(now: datetime) -> pd.DataFrame:
    rows = []
    for k in range(DAYS):
        for i in range(10):
            created = _moment(now, k, i * 0.1)
            untagged = i < 2
            rows.append(
                (
                    k * 100 + i,
                    "bitrix24",
                    created,
                    created.date(),
                    str(1 + i % 2),
                    None if untagged else "google",
                    None if untagged else "brand_search",
                    untagged,
                    "unmatched" if i in (2, 3) else "client_id",
                )
            )
    columns = ["lead_id", "crm_source", "created_at", "lead_date", "manager_id", "utm_source"]
    return pd.DataFrame(rows, columns=[*columns, "utm_campaign", "is_untagged", "match_method"])


def _calls(now: datetime) -> pd.DataFrame:
    rows = []
    for k in range(DAYS):
        for manager in MANAGERS:
            for i in range(4):
                missed = manager == "1" and i == 0
                started = _moment(now, k, 1 + i * 0.1)
                rows.append(
                    (
                        f"c{k}-{manager}-{i}",
                        started,
                        started.date(),
                        "inbound",
                        manager,
                        missed,
                        20.0 if missed else None,
                        10,
                        0 if missed else 60,
                        70,
                    )
                )
    columns = ["call_id", "started_at", "call_date", "direction", "manager_id", "is_missed"]
    extra = ["callback_minutes", "wait_seconds", "talk_seconds", "duration_seconds"]
    return pd.DataFrame(rows, columns=[*columns, *extra])


def data_health(world: World) -> pd.DataFrame:
    """mart_data_health as dbt would derive it from the planted leads (plus loads per source)."""
    leads = world.frames["marts.fct_leads"]
    daily = leads.groupby("lead_date").agg(
        rows_loaded=("lead_id", "size"),
        leads_without_source=("is_untagged", "sum"),
        leads_matched_by_client_id=("match_method", lambda m: int((m == "client_id").sum())),
        leads_matched_by_phone=("match_method", lambda m: int((m == "phone").sum())),
        leads_matched_by_utm=("match_method", lambda m: int((m == "utm").sum())),
        leads_unmatched=("match_method", lambda m: int((m == "unmatched").sum())),
    )
    daily = daily.reset_index().rename(columns={"lead_date": "date"})
    daily["source"] = "bitrix24"
    others = pd.DataFrame(
        [(d, s, 1, 0, 0) for d in daily["date"] for s in SOURCES if s != "bitrix24"],
        columns=["date", "source", "rows_loaded", "leads_without_source", "leads_unmatched"],
    )
    frame = pd.concat([daily, others], ignore_index=True)
    for column in ("leads_matched_by_client_id", "leads_matched_by_phone", "leads_matched_by_utm"):
        frame[column] = frame[column].fillna(0).astype(int)
    for column in ("spend_without_sessions", "sessions_unknown_campaign", "duplicate_leads"):
        frame[column] = 0
    frame["last_loaded_at"] = frame["source"].map(world.loaded_at)
    return frame


def session_counts(world: World) -> pd.DataFrame:
    """int_session_counts as dbt would derive it from the planted sessions."""
    sessions = world.frames["marts.fct_sessions"]
    keys = ["session_date", "channel", "utm_medium", "utm_campaign"]
    counts = sessions.groupby(keys, dropna=False).size().rename("sessions").reset_index()
    # a paid channel on a paid medium (a YouTube video's own link is Video, but unpaid)
    counts["is_paid_traffic"] = (counts["channel"].isin(["Paid Search", "Paid Social", "Video"])
                                 & counts["utm_medium"].notna()
                                 & ~counts["utm_medium"].isin(["organic", "referral", "social"]))
    return counts


def refresh(world: World) -> World:
    """Recompute the derived tables after a scenario changed the facts."""
    world.frames["marts.mart_data_health"] = data_health(world)
    world.frames["intermediate.int_session_counts"] = session_counts(world)
    return world


def clean_world(now: datetime) -> World:
    world = World(now, loaded_at={s: now - timedelta(hours=2) for s in SOURCES})
    world.frames = {
        "marts.fct_ad_spend": _spend(now),
        "marts.fct_sessions": _sessions(now),
        "intermediate.int_campaign_matches": pd.DataFrame(
            [(utm, channel, platform, cid, True) for platform, cid, _, utm, channel, _ in CAMPAIGNS],
            columns=["utm_campaign", "channel", "platform", "campaign_id", "is_chosen"],
        ),
        "marts.fct_leads": _leads(now),
        "marts.fct_calls": _calls(now),
        "marts.dim_manager": pd.DataFrame(
            [("bitrix24", manager_id, name) for manager_id, name in MANAGERS.items()],
            columns=["crm_source", "manager_id", "manager_name"],
        ),
        "raw_crm_file.leads": pd.DataFrame(
            {
                "lead_id": [str(i) for i in range(20)],
                "created_at": [_moment(now, i % DAYS, 1) for i in range(20)],
                "status": ["new"] * 20,
            }
        ),
    }
    return refresh(world)


def _pg_type(values: pd.Series) -> str:
    sample = values.dropna()
    first = sample.iloc[0] if len(sample) else ""
    if isinstance(first, bool):
        return "boolean"
    if isinstance(first, int):
        return "bigint"
    if isinstance(first, float):
        return "numeric(18, 4)"  # as dbt writes money on PostgreSQL: read back as Decimal
    if isinstance(first, datetime):
        return "timestamptz"
    return "date" if isinstance(first, date) else "text"


def write_postgres(world: World, dsn: str) -> str:
    """The same world in a PostgreSQL database (the second warehouse target)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        for name, frame in world.frames.items():
            conn.execute(f"create schema if not exists {name.split('.')[0]}")
            conn.execute(f"drop table if exists {name}")
            rows = frame.astype(object).where(frame.notna(), None)
            columns = ", ".join(f"{c} {_pg_type(rows[c])}" for c in frame.columns)
            conn.execute(f"create table {name} ({columns})")
            marks = ", ".join(["%s"] * len(frame.columns))
            with conn.cursor() as cursor:
                cursor.executemany(
                    f"insert into {name} values ({marks})", rows.itertuples(index=False)
                )
    return dsn
