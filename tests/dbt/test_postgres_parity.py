"""The same dbt project on PostgreSQL gives the same marts as on DuckDB (to the cent)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable

import pandas as pd
import psycopg
import pytest

from expectations.suites import MART_SUITES
from tests.conftest import new_database
from tests.dbt import golden
from throughline.markov import write_removal_effects
from throughline.publish import read_mart_types
from throughline.transform import build
from throughline.warehouse import Warehouse

MARTS = [
    "mart_channel_performance",
    "mart_channel_scorecard",
    "mart_campaign_performance",
    "mart_touch_paths",
    "mart_attribution_comparison",
    "mart_manager_performance",
    "mart_call_quality",
    "mart_budget_pacing",
    "mart_cohorts",
    "fct_attribution",
]
# Columns that depend on the moment of the build, not on the data.
VOLATILE = {"last_loaded_at", "rebuilt_at"}


def _pg_type(series: pd.Series) -> str:
    sample = series.dropna()
    first = sample.iloc[0] if len(sample) else None
    if pd.api.types.is_bool_dtype(series) or isinstance(first, bool):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "timestamptz"
    if isinstance(first, dt.date):
        return "date"
    return "text"


def load_raw_postgres(dsn: str, tables: dict[str, pd.DataFrame]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name, frame in tables.items():
            schema = name.split(".")[0]
            conn.execute(f"create schema if not exists {schema}")
            columns = ", ".join(f'"{c}" {_pg_type(frame[c])}' for c in frame.columns)
            conn.execute(f"create table if not exists {name} ({columns})")
            conn.execute(f"truncate {name}")  # a reload keeps the views dbt built on it
            with conn.cursor().copy(f"copy {name} from stdin") as copy:
                for row in frame.itertuples(index=False):
                    copy.write_row([None if pd.isna(v) else v for v in row])


def _normalise(value: object) -> object:
    if isinstance(value, (float, decimal.Decimal)):
        return round(float(value), 4)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def rows(connect: Callable[[], object], table: str) -> list[tuple]:
    conn = connect()
    try:
        cursor = conn.execute(f"select * from marts.{table}")
        names = [d[0] for d in cursor.description]
        keep = [i for i, n in enumerate(names) if n not in VOLATILE]
        data = [tuple(_normalise(r[i]) for i in keep) for r in cursor.fetchall()]
    finally:
        conn.close()
    return sorted(data, key=lambda r: tuple((v is None, str(v)) for v in r))


def golden_on_postgres(postgres_dsn: str, database: str) -> str:
    """The DSN of a new database holding the golden raw tables."""
    dsn = new_database(postgres_dsn, database)
    load_raw_postgres(dsn, golden.raw_tables())
    return dsn


def assert_same_marts(postgres: Warehouse, duckdb: Warehouse) -> None:
    for mart in MARTS:
        expected = rows(duckdb.connect, mart)
        actual = rows(postgres.connect, mart)
        assert len(actual) == len(expected), mart
        assert actual == expected, mart


@pytest.fixture(scope="module")
def golden_postgres(postgres_dsn: str) -> Warehouse:
    """The golden business built on PostgreSQL."""
    postgres = Warehouse.from_url(golden_on_postgres(postgres_dsn, "golden"))
    build(postgres)
    return postgres


@pytest.mark.postgres
def test_postgres_marts_equal_duckdb(golden_postgres: Warehouse, golden_warehouse: Warehouse) -> None:
    assert_same_marts(golden_postgres, golden_warehouse)
    # the Great Expectations suites of the marts read them with SQL PostgreSQL takes too
    for suite in MART_SUITES:
        assert len(golden_postgres.read_frame(suite.sql())) == len(golden_warehouse.read_frame(suite.sql())), suite.name


@pytest.mark.postgres
def test_postgres_marts_publish_the_types_duckdbs_do(golden_postgres: Warehouse, golden_warehouse: Warehouse) -> None:
    """A count summed on PostgreSQL is an unconstrained numeric (sum of bigint): published and
    exported from a PostgreSQL warehouse, sessions became decimals ("3194.0" in the CSV)."""
    postgres, duckdb = read_mart_types(golden_postgres), read_mart_types(golden_warehouse)
    assert set(postgres) == set(duckdb)
    differing = {(mart, column): (kind, duckdb[mart].get(column))
                 for mart, columns in postgres.items() for column, kind in columns.items()
                 if kind != duckdb[mart].get(column)}
    assert differing == {}


@pytest.mark.postgres
def test_the_markov_step_alone_reruns_on_postgres(golden_postgres: Warehouse, golden_warehouse: Warehouse) -> None:
    """Dagster may run the Markov step without the dbt steps around it (a selection, a retry):
    the removal effects are rewritten under the Markov credits view that reads them (PostgreSQL
    will not drop a table a view reads), and the credits follow."""
    effects = write_removal_effects(golden_postgres)
    assert effects == write_removal_effects(golden_warehouse)
    assert rows(golden_postgres.connect, "fct_attribution") == rows(golden_warehouse.connect, "fct_attribution")


@pytest.mark.postgres
def test_postgres_daily_run_equals_duckdb_full_build(postgres_dsn: str, build_warehouse) -> None:
    """The incremental models' SQL on PostgreSQL: a daily run after restated CRM records gives
    the marts DuckDB builds from scratch on the same data."""
    dsn = golden_on_postgres(postgres_dsn, "golden_daily")
    postgres = Warehouse.from_url(dsn)
    build(postgres, full_refresh=True)
    restated = golden.restated_crm(golden.raw_tables())
    load_raw_postgres(dsn, restated)
    build(postgres)
    assert_same_marts(postgres, build_warehouse({**golden.raw_tables(), **restated}, "restated"))


@pytest.mark.postgres
def test_odd_utms_give_the_same_channels_on_postgres(postgres_dsn: str, build_warehouse) -> None:
    """A no-break space after a source (google%C2%A0, as a form may send it) and a line break in
    a campaign: DuckDB's trim() strips the one and its regex `.` must match the other, as
    PostgreSQL's does; both find Paid Search and the same marts."""
    tables = golden.raw_tables()
    odd = golden.lead("L11", "2026-09-06T13:00:00", phone="+380671111199", utm=("google%C2%A0", "cpc", "spring%0Asale"))
    tables["raw_bitrix24.leads"] = pd.concat([tables["raw_bitrix24.leads"], pd.DataFrame([odd])], ignore_index=True)
    dsn = new_database(postgres_dsn, "golden_odd_utms")
    load_raw_postgres(dsn, tables)
    postgres = Warehouse.from_url(dsn)
    build(postgres)
    duckdb = build_warehouse(tables, "odd_utms")
    channel = ("select utm_source, channel from intermediate.int_traffic_channels "
               "where utm_campaign = 'spring' || chr(10) || 'sale'")
    assert postgres.read_frame(channel).values.tolist() == [["google", "Paid Search"]]
    assert duckdb.read_frame(channel).values.tolist() == [["google", "Paid Search"]]
    assert_same_marts(postgres, duckdb)
