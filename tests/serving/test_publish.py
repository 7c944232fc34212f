"""Publishing to PostgreSQL schema `bi`: complete, read-only for bi_reader, atomic, no contacts."""

from __future__ import annotations

import threading

import pandas as pd
import psycopg
import pytest

from tests.conftest import in_database, new_database
from throughline.publish import (
    CONTRACT_MARTS,
    ContactDataError,
    check_no_contact_data,
    publish_marts,
    read_marts,
)
from throughline.settings import Settings

pytestmark = pytest.mark.postgres
READER_PASSWORD = "reader-pass-123"


@pytest.fixture()
def bi(postgres_dsn: str, served_warehouse, settings_env, monkeypatch: pytest.MonkeyPatch):
    dsn = new_database(postgres_dsn, "bi_test")
    with psycopg.connect(dsn, autocommit=True) as conn:  # raw data living next to bi
        conn.execute("create schema raw_bitrix24; create table raw_bitrix24.leads (phone text)")
        conn.execute("insert into raw_bitrix24.leads values ('+380671234567')")
    monkeypatch.setenv("THROUGHLINE_BI_DSN", dsn)
    monkeypatch.setenv("THROUGHLINE_BI_READER_PASSWORD", READER_PASSWORD)
    return dsn


def reader_dsn(dsn: str) -> str:
    return dsn.replace("postgresql://postgres@", f"postgresql://bi_reader:{READER_PASSWORD}@")


def test_reader_sees_every_mart_with_equal_counts_and_sums(bi: str, served_warehouse) -> None:
    publish_marts(Settings.from_env())
    marts = read_marts(served_warehouse)
    with psycopg.connect(reader_dsn(bi)) as conn:
        for mart in CONTRACT_MARTS:
            assert conn.execute(f"select count(*) from bi.{mart}").fetchone()[0] == len(marts[mart]), mart
        revenue = conn.execute("select sum(revenue) from bi.mart_channel_performance").fetchone()[0]
        assert float(revenue) == pytest.approx(float(marts["mart_channel_performance"]["revenue"].sum()))


def test_a_generated_reader_password_is_kept_for_this_user_only(
    bi: str, settings_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a server that never had bi_reader; another publication (the Dagster tests publish to the
    # database `postgres`) has granted it there too
    publish_marts(Settings.from_env())
    with psycopg.connect(in_database(bi, "postgres"), autocommit=True) as conn:
        conn.execute("create table if not exists public.published_elsewhere (a int)")
        conn.execute("grant select on public.published_elsewhere to bi_reader")
    with psycopg.connect(bi, autocommit=True) as conn:
        databases = [name for (name,) in conn.execute("select datname from pg_database where datallowconn")]
    for database in databases:
        with psycopg.connect(in_database(bi, database), autocommit=True) as conn:
            conn.execute("drop owned by bi_reader")
    with psycopg.connect(bi, autocommit=True) as conn:
        conn.execute("drop role bi_reader")
    monkeypatch.delenv("THROUGHLINE_BI_READER_PASSWORD")
    settings = Settings.from_env()
    result = publish_marts(settings)
    kept = settings.data_dir / "secrets" / "bi_reader_password"
    assert result.reader_password_file == kept
    assert kept.read_text().strip() == result.reader_password and len(result.reader_password) >= 24
    assert kept.stat().st_mode & 0o777 == 0o600
    assert str(kept) in result.describe()
    generated_dsn = bi.replace("postgresql://postgres@", f"postgresql://bi_reader:{result.reader_password}@")
    with psycopg.connect(generated_dsn) as conn:
        assert conn.execute("select count(*) from bi.mart_channel_performance").fetchone()[0] > 0
    monkeypatch.setenv("THROUGHLINE_BI_READER_PASSWORD", READER_PASSWORD)
    assert publish_marts(Settings.from_env()).reader_password is None  # chosen: nothing generated


def test_reader_cannot_read_raw_or_write(bi: str) -> None:
    publish_marts(Settings.from_env())
    with psycopg.connect(reader_dsn(bi), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from raw_bitrix24.leads")
    with psycopg.connect(reader_dsn(bi), autocommit=True) as conn:
        with pytest.raises((psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)):
            conn.execute("delete from bi.mart_channel_performance")
    with psycopg.connect(reader_dsn(bi), autocommit=True) as conn:
        with pytest.raises((psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)):
            conn.execute("create table public.x (a int)")


def test_a_reader_never_sees_a_partial_publication(bi: str) -> None:
    publish_marts(Settings.from_env())
    expected = None
    seen: list[int] = []
    errors: list[Exception] = []
    stop = threading.Event()

    def read_loop() -> None:
        with psycopg.connect(reader_dsn(bi), autocommit=True) as conn:
            while not stop.is_set():
                try:
                    seen.append(conn.execute("select count(*) from bi.mart_channel_performance").fetchone()[0])
                except psycopg.Error as error:  # a missing table would surface here
                    errors.append(error)
                    return

    with psycopg.connect(reader_dsn(bi)) as conn:
        expected = conn.execute("select count(*) from bi.mart_channel_performance").fetchone()[0]
    reader = threading.Thread(target=read_loop)
    reader.start()
    for _ in range(3):
        publish_marts(Settings.from_env())
    stop.set()
    reader.join(timeout=30)
    assert not errors
    assert len(seen) > 10 and set(seen) == {expected}


def test_no_value_in_bi_looks_like_a_phone_or_email(bi: str) -> None:
    publish_marts(Settings.from_env())
    with psycopg.connect(bi) as conn:
        rows = conn.execute("""
            select table_name, column_name from information_schema.columns
            where table_schema = 'bi' and data_type = 'text'""").fetchall()
        for table, column in rows:
            hits = conn.execute(
                f'select count(*) from bi."{table}" where "{column}" ~ %s or "{column}" ~ %s',
                (r"^\+?\d{10,15}$", r"@.+\."),
            ).fetchone()[0]
            assert hits == 0, f"{table}.{column}"


def test_contact_data_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ContactDataError, match="mart_x.caller_phone"):
        check_no_contact_data("mart_x", pd.DataFrame({"caller_phone": ["+380671234567"]}))
    with pytest.raises(ContactDataError, match="mart_x.note"):
        check_no_contact_data("mart_x", pd.DataFrame({"note": ["client@example.ua"]}))


def test_published_columns_keep_the_marts_types(bi: str) -> None:
    """BI tools read the warehouse's types: dates as dates, counts as integers, money as
    exact decimals, even for a mart with no rows (the golden business has no budget plan)."""
    publish_marts(Settings.from_env())
    with psycopg.connect(bi) as conn:
        types = dict(((table, column), kind) for table, column, kind in conn.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'bi'").fetchall())
    assert types[("mart_channel_performance", "date")] == "date"
    assert types[("mart_channel_performance", "spend")] == "numeric"
    assert types[("mart_channel_performance", "sessions")] == "bigint"
    assert types[("mart_call_quality", "answered")] == "bigint"
    assert types[("mart_budget_pacing", "month")] == "date"
    assert types[("mart_budget_pacing", "planned_spend")] == "numeric"
    assert types[("mart_data_health", "last_loaded_at")] == "timestamp with time zone"
    assert "text" not in {kind for (table, column), kind in types.items()
                          if column in ("date", "month", "period_start", "cohort_month")}
