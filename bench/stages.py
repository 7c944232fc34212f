"""Benchmark stages. Each runs in its own process (bench.measure.run_stage) and returns figures."""

from __future__ import annotations

import json
import os
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from throughline.settings import DBT_PROJECT_DIR

# The layers the issue asks to time: "attribution" is the path and credit models and the Markov
# solve; seeds count with staging.
ATTRIBUTION = {"int_touch_paths", "int_attribution_rule_weights", "int_attribution_rule_credits",
               "int_markov_transitions", "int_attribution_markov_credits", "fct_attribution",
               "int_attribution_daily"}
LAYERS = ("staging", "intermediate", "attribution", "marts")
MARKOV_SOURCE = "source.throughline.attribution.markov_removal_effects"
# Every asset of a `throughline run` but the sources' loads: what follows them in a daily run.
AFTER_INGESTION = "group:seeds+ or group:staging+"
# The newest load each raw-table check read (in the product, the Dagster check's metadata).
CHECKED_LOADS = "raw_checks_loads.json"


def _params(days: int, visitors_per_day: int) -> Any:
    """A typical business: 2 % of sessions bring a lead and a sixth of the leads a deal, so L has
    the issue's ~200k leads and ~40k deals to its 10M sessions (the generator's dense default
    has twice the leads and four times the deals)."""
    from ingestion.sandbox.generator import BusinessParams

    return BusinessParams(seed=42, start_date=date.today() - timedelta(days=days), days=days,
                          visitors_per_day=visitors_per_day, lead_rate=0.02, deal_rate=0.17)


def generate(work: str, days: int, visitors_per_day: int, save: bool = True) -> dict[str, Any]:
    from ingestion.sandbox.generator import generate_business

    started = time.perf_counter()
    business = generate_business(_params(days, visitors_per_day))
    seconds = time.perf_counter() - started
    if save:
        business.save(Path(work))
    return {"rows": business.rows(), "sessions": len(business.sessions), "leads": len(business.leads),
            "deals": len(business.deals), "rows_per_s": business.rows() / seconds,
            "sessions_per_s": len(business.sessions) / seconds}


def _environment(work: Path) -> None:
    os.environ["THROUGHLINE_DATA_DIR"] = str(work / "data")
    os.environ["DBT_TARGET_PATH"] = str(work / "dbt_target")  # never the checkout's target/
    os.environ["THROUGHLINE_WAREHOUSE"] = f"duckdb:///{work / 'warehouse.duckdb'}"


def loaded_warehouse(work: Path, copies: int) -> Path:
    """Where the connectors load: the warehouse itself, or its base when it is a replica."""
    return work / ("base" if copies > 1 else ".") / "warehouse.duckdb"


def ingest(work: str, copies: int, as_of_offset: int = 0) -> dict[str, Any]:
    """Every source from the sandbox into a fresh warehouse; rows/s per source. The sandbox's CRM
    is Bitrix24, so the CRM-file connector loads the same CRM as a CSV export into a scratch
    warehouse: it is timed too, and the measured warehouse keeps one CRM."""
    from ingestion.pipeline import SOURCE_NAMES
    from ingestion.sandbox.business import load_business
    from ingestion.sandbox.server import Sandbox
    from throughline.warehouse import Warehouse

    root = Path(work)
    _environment(root)
    business = load_business(root)
    target = loaded_warehouse(root, copies)
    target.parent.mkdir(exist_ok=True)
    warehouse = Warehouse.from_url(f"duckdb:///{target}")
    figures: dict[str, Any] = {}
    with Sandbox(business, files_dir=root / "files") as sandbox:
        sandbox.set_as_of(business.end_date - timedelta(days=as_of_offset))
        os.environ.update(sandbox.source_env())
        for name in SOURCE_NAMES:
            if name == "crm_file":
                export = sandbox.write_crm_export(root / "crm_export")
                scratch = Warehouse.from_url(f"duckdb:///{root / 'crm_file_scratch.duckdb'}")
                os.environ["SOURCES__CRM_FILE__PATH"] = str(export)
                try:
                    figures |= _timed_load(name, scratch)
                finally:
                    del os.environ["SOURCES__CRM_FILE__PATH"]
            else:
                figures |= _timed_load(name, warehouse)
    return figures


def _timed_load(source: str, warehouse: Any) -> dict[str, Any]:
    """Load one source; the raw rows it added and rows per second."""
    from ingestion.pipeline import run_source

    before = _raw_rows(warehouse, source)
    started = time.perf_counter()
    run_source(source, warehouse)
    seconds = time.perf_counter() - started
    rows = _raw_rows(warehouse, source) - before
    return {f"{source}_rows": rows, f"{source}_rows_per_s": rows / seconds if seconds else 0.0}


def _raw_rows(warehouse: Any, source: str) -> int:
    conn = warehouse.connect()
    try:
        tables = conn.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_name not like '\\_dlt%' escape '\\'", [f"raw_{source}"]).fetchall()
        return sum(conn.execute(f'select count(*) from raw_{source}."{t}"').fetchone()[0] for (t,) in tables)
    finally:
        conn.close()


def layer_of(node: dict[str, Any]) -> str:
    if node["name"] in ATTRIBUTION:
        return "attribution"
    folder = node["fqn"][1] if len(node["fqn"]) > 2 else "staging"
    return folder if folder in LAYERS else "staging"


def transform(work: str) -> dict[str, Any]:
    """The transform as the product runs it (throughline.transform.build: dbt up to the Markov
    inputs, the Markov solve, then the rest), without dbt's tests, which the raw DuckDB baseline
    has no counterpart for. The total is wall time; a layer's figure is dbt's own time for its
    models (two threads can run two models at once)."""
    from throughline.transform import build, parse
    from throughline.warehouse import Warehouse

    _environment(Path(work))
    started = time.perf_counter()
    result = build(Warehouse.from_settings(), tests=False)
    total = time.perf_counter() - started
    manifest = Path(work) / "dbt_target" / "manifest.json"
    if not manifest.exists():  # a build writes none: the nodes' names and folders, after the timing
        parse(Warehouse.from_settings())
    nodes = json.loads(manifest.read_text())["nodes"]
    seconds_by_node = {uid: seconds for uid, seconds in result.node_seconds.items() if uid in nodes}
    figures: dict[str, Any] = {f"{layer}_s": 0.0 for layer in LAYERS}
    for uid, seconds in seconds_by_node.items():
        figures[f"{layer_of(nodes[uid])}_s"] += seconds
    figures["attribution_s"] += result.markov_seconds
    figures["markov_s"] = result.markov_seconds
    slowest = sorted(seconds_by_node.items(), key=lambda item: -item[1])[:5]
    figures["slowest"] = "; ".join(f"{nodes[uid]['name']} {seconds:.1f}" for uid, seconds in slowest)
    figures["total_s"] = total
    return figures


def raw_duckdb(work: str, raw_copy: str) -> dict[str, Any]:
    """The same SQL straight in DuckDB, in dependency order, on a copy of the raw data: each
    model's full-build SQL, compiled (untimed) with sessions in one pass, as plain DuckDB would
    run them, and DuckDB's own memory settings; with the checkpoints of closing the file before
    the Markov step and at the end, as the transform's time has them."""
    import duckdb

    from throughline.markov import write_removal_effects
    from throughline.transform import dbt_command, run_dbt
    from throughline.warehouse import Warehouse

    _environment(Path(work))
    target = Path(work) / "raw_target"
    os.environ["DBT_TARGET_PATH"] = str(target)
    run_dbt(dbt_command("compile", full_refresh=True, dbt_vars={"events_per_build_batch": 10**15}),
            Warehouse.from_settings())
    manifest = json.loads((target / "manifest.json").read_text())
    models = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] in ("model", "seed")}
    order = _topological(models)

    conn = duckdb.connect(raw_copy)
    conn.execute("set timezone = 'UTC'; set threads = 2; set preserve_insertion_order = false")
    seconds = 0.0
    markov_done = False
    for uid in order:
        node = models[uid]
        if not markov_done and MARKOV_SOURCE in node["depends_on"].get("nodes", []):
            started = time.perf_counter()
            conn.close()  # a checkpoint, as each of the product's dbt steps ends with
            write_removal_effects(Warehouse.from_url(f"duckdb:///{raw_copy}"))
            seconds += time.perf_counter() - started
            conn = duckdb.connect(raw_copy)
            conn.execute("set timezone = 'UTC'; set threads = 2; set preserve_insertion_order = false")
            markov_done = True
        schema, name = node["schema"], node["alias"]
        conn.execute(f"create schema if not exists {schema}")
        if node["resource_type"] == "seed":
            conn.execute(f"create or replace table {schema}.{name} as "
                         f"select * from read_csv_auto('{DBT_PROJECT_DIR / node['original_file_path']}')")
            continue
        compiled = target / "compiled" / "throughline" / node["original_file_path"]
        sql = compiled.read_text()
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        started = time.perf_counter()
        conn.execute(f"create or replace {kind} {schema}.{name} as {sql}")
        seconds += time.perf_counter() - started
    started = time.perf_counter()
    conn.close()
    seconds += time.perf_counter() - started
    return {"total_s": seconds, "models": len(order)}


def _topological(models: dict[str, Any]) -> list[str]:
    done: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in models:
            return
        seen.add(uid)
        parents = models[uid]["depends_on"].get("nodes", [])
        if MARKOV_SOURCE in parents:  # the Python step reads this model: build it first
            parents = [*parents, "model.throughline.int_markov_transitions"]
        for parent in parents:
            visit(parent)
        done.append(uid)

    for uid in sorted(models):
        visit(uid)
    return done


def replicate(work: str, copies: int) -> dict[str, Any]:
    """Scale L: the loaded base replicated into the warehouse's raw schemas."""
    from bench.replicate import replicate_raw

    root = Path(work)
    rows = replicate_raw(loaded_warehouse(root, copies), root / "warehouse.duckdb", copies)
    return {"copies": copies, "ga4_events": rows["raw_ga4.events"], "leads": rows["raw_bitrix24.leads"]}


def raw_checks(work: str, by_load: bool) -> dict[str, Any]:
    """The raw-table data checks (GX suites) as the product runs them after the loads: read whole
    the first time; later (`by_load`) only the loads after the newest the last run read."""
    import duckdb

    from expectations.runner import validate
    from expectations.suites import RAW_SUITES
    from expectations.suites.common import newest_load
    from throughline.warehouse import Warehouse

    root = Path(work)
    _environment(root)
    warehouse = Warehouse.from_settings()
    checked = json.loads((root / CHECKED_LOADS).read_text()) if by_load else {}
    rows = failed = 0
    started = time.perf_counter()
    for spec in RAW_SUITES:
        try:
            frame = warehouse.read_frame(spec.sql(loaded_after=checked.get(spec.name)))
        except duckdb.CatalogException:
            continue  # a source or an optional table the benchmark's business does not have
        rows += len(frame)
        failed += not validate(spec, frame).success
        if spec.reads_by_load and (newest := newest_load(frame)):
            checked[spec.name] = newest
    seconds = time.perf_counter() - started
    (root / CHECKED_LOADS).write_text(json.dumps(checked))
    return {"total_s": seconds, "rows_read": rows, "suites_failed": failed}


def incremental_day(work: str, copies: int) -> dict[str, Any]:
    """The daily run after a full build: the last day's data arrives (ingested, replicated when
    the scale is a replica), then the incremental transform."""
    from ingestion.pipeline import run_all_sources
    from ingestion.sandbox.business import load_business
    from ingestion.sandbox.server import Sandbox
    from throughline.warehouse import Warehouse

    root = Path(work)
    _environment(root)
    business = load_business(root)
    with Sandbox(business, files_dir=root / "files") as sandbox:
        os.environ.update(sandbox.source_env())
        started = time.perf_counter()
        run_all_sources(Warehouse.from_url(f"duckdb:///{loaded_warehouse(root, copies)}"))
        ingest_s = time.perf_counter() - started
    if copies > 1:
        replicate(work, copies)
    return {"ingest_s": ingest_s, **transform(work)}  # timed as the full build was


def _throughline(args: list[str], env: dict[str, str]) -> float:
    """Run the `throughline` CLI; its wall time. A failure raises with the end of its output."""
    import subprocess
    import sys

    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "throughline"), *args], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode:
        tail = "\n".join(done.stdout.splitlines()[-15:])
        raise RuntimeError(f"throughline {' '.join(args)} exited {done.returncode}:\n{tail}")
    return time.perf_counter() - started


def product_run(work: str) -> dict[str, Any]:
    """A user's daily `throughline run` after the day's data loaded (the daily run times that
    load): through Dagster, the dbt models with their tests, the Markov step, the data and
    health checks, the owner's report and the mart exports."""
    _environment(Path(work))
    return {"total_s": _throughline(["run", "--select", AFTER_INGESTION], dict(os.environ))}


def demo(work: str) -> dict[str, Any]:
    """`throughline demo` end to end, in a fresh data folder."""
    data = Path(work) / "demo"
    env = {**os.environ, "THROUGHLINE_DATA_DIR": str(data),
           "THROUGHLINE_WAREHOUSE": f"duckdb:///{data / 'throughline.duckdb'}"}
    env.pop("DBT_TARGET_PATH", None)
    return {"total_s": _throughline(["demo"], env)}
