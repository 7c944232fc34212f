"""A backfill loads exactly its days; two runs at once share the DuckDB file without failing."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from demo_support import ROOT, demo_env

from orchestration.partitions import range_tags
from throughline.warehouse import Warehouse

pytestmark = pytest.mark.slow


def _read(warehouse: Warehouse, sql: str) -> pd.DataFrame:
    connection = warehouse.connect(read_only=True)
    try:
        return connection.sql(sql).df()
    finally:
        connection.close()


def test_a_two_day_backfill_loads_exactly_those_days(
    demo_business, sandbox_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.runner import materialize_all

    for name, value in demo_env(tmp_path, sandbox_env).items():
        monkeypatch.setenv(name, value)
    stats = demo_business.ad_stats
    days = sorted(pd.to_datetime(stats["date"]).dt.date.unique())
    first, last = days[3], days[4]

    summary = materialize_all(
        select="group:google_ads or group:meta_ads", progress=False, tags=range_tags(first, last)
    )
    assert summary.success, summary

    warehouse = Warehouse.from_settings()
    google = _read(
        warehouse,
        """
        select date, sum(cost_micros) as cost_micros
        from raw_google_ads.campaign_stats group by 1 order by 1
    """,
    )
    meta = _read(warehouse, "select distinct date_start from raw_meta_ads.ad_insights")
    assert sorted(pd.to_datetime(google["date"]).dt.date) == [first, last]
    assert sorted(pd.to_datetime(meta["date_start"]).dt.date) == [first, last]

    google_stats = stats[stats["platform"] == "google_ads"].assign(
        date=pd.to_datetime(stats["date"]).dt.date
    )
    expected = (
        google_stats[google_stats["date"].between(first, last)].groupby("date")["cost_micros"].sum()
    )
    loaded = google.assign(date=pd.to_datetime(google["date"]).dt.date).set_index("date")
    for day in (first, last):
        assert int(loaded.loc[day, "cost_micros"]) == int(expected[day])


RUN_SMALL_SELECTION = (
    "import sys\n"
    "from orchestration.runner import materialize_all\n"
    "summary = materialize_all(select='group:fx_rates or group:manual_costs', progress=False)\n"
    "sys.exit(0 if summary.success else 1)\n"
)


def test_two_runs_started_together_both_succeed_without_duplicates(
    demo_business, sandbox_env, tmp_path: Path
) -> None:
    env = {**os.environ, **demo_env(tmp_path, sandbox_env)}
    env.pop("DAGSTER_HOME", None)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", RUN_SMALL_SELECTION],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=240)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]

    warehouse = Warehouse.from_url(env["THROUGHLINE_WAREHOUSE"])
    rates = _read(
        warehouse,
        """
        select count(*) as n, count(distinct (currency, rate_date)) as keys
        from raw_fx_rates.rates
    """,
    )
    assert rates.loc[0, "n"] == rates.loc[0, "keys"] > 0
    costs = _read(warehouse, "select count(*) as n from raw_manual_costs.costs")
    assert costs.loc[0, "n"] == len(demo_business.manual_costs)


def test_the_lock_makes_a_second_writer_wait(tmp_path: Path) -> None:
    """A second process asking for the writer lock blocks until the first lets go: it gets the
    lock only after the moment the first process, still holding it, wrote down."""
    warehouse = Warehouse.from_url(f"duckdb:///{tmp_path / 'w.duckdb'}")
    waiter = (
        "import time\n"
        "from throughline.warehouse import Warehouse\n"
        f"w = Warehouse.from_url('duckdb:///{tmp_path / 'w.duckdb'}')\n"
        "with w.lock():\n"
        "    print(time.time(), flush=True)\n"
        "    c = w.connect(); c.execute('create or replace table t as select 2 as x'); c.close()\n"
    )
    with warehouse.lock():
        connection = warehouse.connect()
        connection.execute("create table t as select 1 as x")
        process = subprocess.Popen(
            [sys.executable, "-c", waiter], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        try:
            process.wait(timeout=1.5)
            raise AssertionError("the second writer did not wait for the lock")
        except subprocess.TimeoutExpired:
            pass
        connection.close()
        releasing_at = time.time()
    acquired_at = float(process.communicate(timeout=30)[0].strip())
    assert acquired_at > releasing_at
    assert _read(warehouse, "select x from t").loc[0, "x"] == 2
