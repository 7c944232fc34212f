"""A load killed hard half-way (SIGKILL) and run again loses no row and duplicates none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from ingestion.pipeline import run_source
from ingestion.sandbox.generator import BusinessParams, generate_business
from ingestion.sandbox.server import Sandbox
from throughline.settings import PROJECT_ROOT
from throughline.warehouse import Warehouse

LOAD = "import sys; from ingestion.pipeline import run_source; run_source(sys.argv[1])"


# days: enough pages that the load is killed half-way (Ringostat's are a week each)
@pytest.mark.parametrize("source, table, expected, days", [
    ("bitrix24", "raw_bitrix24.leads", lambda b: len(b.leads), 10),
    ("calltracking", "raw_calltracking.calls", lambda b: len(b.calls), 42),
])
def test_killed_load_then_rerun(source, table, expected, days, tmp_path, monkeypatch) -> None:
    business = generate_business(BusinessParams(seed=9, start_date=date.today() - timedelta(days=days),
                                                days=days, visitors_per_day=60))
    monkeypatch.setenv("THROUGHLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{tmp_path / 'w.duckdb'}")
    with Sandbox(business, files_dir=tmp_path / "files") as sandbox:
        for key, value in sandbox.source_env().items():
            monkeypatch.setenv(key, value)
        api = "ringostat" if source == "calltracking" else source
        sandbox.faults.inject(api, "slow", times=1000, seconds=0.3)  # every page takes a while
        process = subprocess.Popen([sys.executable, "-c", LOAD, source], cwd=PROJECT_ROOT, env=dict(os.environ))
        deadline = time.monotonic() + 30
        while sum(1 for r in sandbox.requests_log if r[0] == api) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        sandbox.faults.clear()
        warehouse = Warehouse.from_settings()
        run_source(source, warehouse)
        run_source(source, warehouse)  # and once more: nothing changes
        conn = warehouse.connect()
        try:
            key = "id" if source == "bitrix24" else "call_id"
            count, distinct = conn.execute(f"select count(*), count(distinct {key}) from {table}").fetchone()
        finally:
            conn.close()
    assert count == distinct == expected(business)
