"""A dbt step leaves out its views and seeds while nothing they are made from changed
(throughline/unchanged_views.py), and keeps every test on them."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import pytest
from dbt.cli.main import dbtRunner

from tests.dbt import golden
from tests.dbt.conftest import load_raw, query_of
from throughline.transform import MARKOV_INPUTS, build, dbt_command
from throughline.unchanged_views import STEP_SELECTORS, record_built, selector_if_unchanged
from throughline.warehouse import Warehouse

pytestmark = pytest.mark.slow

STEP_SELECTIONS = {"markov_inputs": {"select": MARKOV_INPUTS}, "after_markov": {"exclude": MARKOV_INPUTS}}


def listed(**selection: str) -> dict[str, dict]:
    """The nodes a `dbt build` with `selection` runs: unique id -> resource type and config."""
    args = [*dbt_command("ls", **selection, unit_tests=False),
            "--output", "json", "--output-keys", "unique_id resource_type config", "--quiet"]
    result = dbtRunner().invoke(args)
    assert result.success, result.exception
    nodes = [json.loads(line) for line in result.result]
    return {node["unique_id"]: node for node in nodes if node["resource_type"] != "source"}


@pytest.mark.parametrize("step", sorted(STEP_SELECTORS))
def test_a_steps_selector_leaves_out_its_views_and_seeds_only(step: str) -> None:
    whole = listed(**STEP_SELECTIONS[step])
    without_views = listed(selector=STEP_SELECTORS[step])
    views_and_seeds = {uid for uid, node in whole.items() if node["resource_type"] == "seed"
                       or (node["resource_type"] == "model" and node["config"]["materialized"] == "view")}

    assert set(without_views) == set(whole) - views_and_seeds
    assert views_and_seeds and any(node["resource_type"] == "test" for node in without_views.values())


def _views_and_seeds(ran: dict[str, float]) -> set[str]:
    every = {uid for uid, node in listed(select="config.materialized:view resource_type:seed").items()
             if node["resource_type"] in ("model", "seed")}
    return every & set(ran)


def test_views_are_left_out_until_what_they_are_made_from_changes(tmp_path, monkeypatch) -> None:
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, golden.raw_tables())
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    query = query_of(warehouse)

    first = build(warehouse, tests=False).node_seconds
    # the next process to open the file (build() leaves it checkpointed) finds the same key (DuckDB
    # shows a view's SQL otherwise then); reading and keeping the key import no pandas (as binding
    # parameters would)
    shutil.copy(path, tmp_path / "reopened.duckdb")
    reopened = subprocess.run(
        [sys.executable, "-c", "import sys; from throughline.unchanged_views import record_built, "
         "selector_if_unchanged as s; from throughline.warehouse import Warehouse as W; "
         f"w = W.from_url('duckdb:///{tmp_path / 'reopened.duckdb'}'); selector = s(w, 'markov_inputs'); "
         "record_built(w, 'markov_inputs', 'another run'); print(selector, 'pandas' in sys.modules)"],
        capture_output=True, text=True, check=True)
    assert reopened.stdout.split() == [STEP_SELECTORS["markov_inputs"], "False"]
    steady = build(warehouse).node_seconds
    assert len(_views_and_seeds(first)) >= 20
    assert _views_and_seeds(steady) == set()
    # the tests on the views left out still ran
    assert {uid.split(".")[2] for uid in steady if uid.startswith("test.") and "fct_sessions" in uid} >= {
        "unique_combination_of_columns_fct_sessions_session_id", "not_null_fct_sessions_session_id"}

    # a view dropped by hand is built again
    query("drop view marts.fct_calls")
    rebuilt = build(warehouse, tests=False).node_seconds
    assert "model.throughline.fct_calls" in rebuilt
    assert query("select count(*) from marts.fct_calls") == query("select count(*) from intermediate.int_calls")

    # a setting a view reads: the leads' contact hash follows the new salt
    monkeypatch.setenv("THROUGHLINE_BI_SALT", "another salt")
    build(warehouse, tests=False)
    lead, contact_key, contact_hash = query(
        "select l.lead_id, i.contact_key, l.contact_hash from marts.fct_leads as l "
        "join intermediate.int_leads as i using (crm_source, lead_id) order by 1 limit 1")[0]
    assert contact_hash == hashlib.md5(f"another salt{contact_key}".encode()).hexdigest(), lead

    # --full-refresh visits every view
    assert _views_and_seeds(build(warehouse, tests=False, full_refresh=True).node_seconds) == _views_and_seeds(first)


def test_postgres_steps_always_visit_their_views() -> None:
    warehouse = Warehouse.from_url("postgresql://nobody@127.0.0.1:1/none")
    assert selector_if_unchanged(warehouse, "after_markov") is None


def test_a_warehouse_another_process_holds_has_its_views_built_and_fails_nothing(tmp_path, caplog) -> None:
    """Leaving views out only saves time: when the key cannot be read or kept, the step builds
    them and goes on."""
    path = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect('{path}'); print('held', flush=True); "
         "time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        warehouse = Warehouse.from_url(f"duckdb:///{path}")
        assert selector_if_unchanged(warehouse, "markov_inputs") is None
        record_built(warehouse, "markov_inputs", "a run")
    finally:
        holder.kill()
        holder.wait()
    assert "Could not read what the views were built from" in caplog.text
    assert "the next run builds them again" in caplog.text
