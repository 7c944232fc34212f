"""The warehouse `throughline demo` loads into.

The demo generates a synthetic business ending today and loads it into the configured warehouse.
A warehouse it loaded before on another day (or with another size or seed) holds another
business: loading today's over it would mix the two, since the sources merge by record and by
day. So the demo marks the warehouse with the business it holds and starts it over when that
changes. It never loads into a warehouse holding data it did not load itself (a real business),
and `throughline run` never loads a real business into the demo's warehouse.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from throughline.warehouse import Warehouse

DEMO_DAYS = 90
DEMO_VISITORS_PER_DAY = 300
DEMO_SEED = 42
MARKER = "throughline_demo.business"
HOLDS_DEMO = ("holds the synthetic demo business (make demo): your sources' data would mix into it. "
              "Give them a warehouse of their own (THROUGHLINE_WAREHOUSE), or discard the demo with "
              "`throughline run --replace-demo`; `throughline demo` runs the demo's pipeline again.")
# What the project writes: dlt's raw_<source> datasets, dbt's schemas, the Markov step's output.
PROJECT_SCHEMAS = ("staging", "intermediate", "marts", "seeds", "attribution")


class DemoWarehouseInUse(RuntimeError):
    """The warehouse holds data the demo did not load; the message says what to do."""


@dataclass(frozen=True)
class DemoBusiness:
    seed: int
    start_date: date
    days: int
    visitors_per_day: int

    @classmethod
    def ending_today(cls, days: int = DEMO_DAYS, visitors_per_day: int = DEMO_VISITORS_PER_DAY,
                     seed: int = DEMO_SEED) -> DemoBusiness:
        return cls(seed, date.today() - timedelta(days=days), days, visitors_per_day)

    def key(self) -> str:
        return json.dumps(asdict(self), default=str, sort_keys=True)

    def generate(self) -> Any:
        """The synthetic business the sandbox serves (ingestion.sandbox.generator.Business)."""
        from ingestion.sandbox.generator import BusinessParams, generate_business

        return generate_business(BusinessParams(seed=self.seed, start_date=self.start_date, days=self.days,
                                                visitors_per_day=self.visitors_per_day))


def prepare_demo_warehouse(warehouse: Warehouse, business: DemoBusiness) -> str:
    """Make `warehouse` ready for `business`; return what was done: 'new' (nothing loaded yet),
    'same' (it holds this business: loading again changes nothing) or 'restarted' (it held
    another demo business, now removed). Raise DemoWarehouseInUse if it holds other data."""
    with warehouse.lock():
        return _prepare(warehouse, business)


def _prepare(warehouse: Warehouse, business: DemoBusiness) -> str:
    held = held_demo_business(warehouse)
    if held == business.key():
        return "same"
    if held is None:
        # any table at all: a later day's demo starts over by deleting the warehouse
        loaded = _schemas_holding_tables(warehouse)
        if loaded:
            datasets = ", ".join(schema for schema in loaded if not schema.endswith("_staging"))  # not dlt's
            raise DemoWarehouseInUse(
                f"the warehouse ({warehouse.describe()}) already holds data the demo did not load "
                f"({datasets}). The demo loads a synthetic business and would mix it into "
                "that data. Give the demo a warehouse of its own, e.g. "
                "THROUGHLINE_WAREHOUSE=duckdb:///data/demo.duckdb throughline demo")
        outcome = "new"
    else:
        _remove_project_data(warehouse)
        outcome = "restarted"
    _mark(warehouse, business)
    return outcome


def discard_demo_business(warehouse: Warehouse) -> bool:
    """Remove the demo business `warehouse` holds and everything built from it, so that the
    configured sources load into it from scratch; False (nothing removed) when it holds none."""
    with warehouse.lock():
        if held_demo_business(warehouse) is None:
            return False
        _remove_project_data(warehouse)
        return True


def held_demo_business(warehouse: Warehouse) -> str | None:
    """The demo business `warehouse` holds (its key), None when it holds none."""
    if warehouse.kind == "duckdb" and not warehouse.path.exists():
        return None
    schema, table = MARKER.split(".")
    rows = _query(warehouse, "select count(*) from information_schema.tables "
                             f"where table_schema = '{schema}' and table_name = '{table}'")
    if not rows[0][0]:
        return None
    return _query(warehouse, f"select business from {MARKER}")[0][0]


def _schemas_holding_tables(warehouse: Warehouse, like: str = "%") -> list[str]:
    """The schemas (named `like`) that hold a table or view, the database's own catalogs left out."""
    if warehouse.kind == "duckdb" and not warehouse.path.exists():
        return []
    rows = _query(warehouse, "select distinct table_schema from information_schema.tables "
                             f"where table_schema like '{like}' escape '\\' "
                             "and table_schema not in ('information_schema', 'pg_catalog') order by 1")
    return [schema for (schema,) in rows]


def _remove_project_data(warehouse: Warehouse) -> None:
    """Everything the project wrote; dlt then finds no pipeline state and loads from scratch."""
    if warehouse.kind == "duckdb":
        for path in (warehouse.path, warehouse.path.with_name(warehouse.path.name + ".wal")):
            path.unlink(missing_ok=True)
        return
    schemas = [*_schemas_holding_tables(warehouse, "raw\\_%"), *PROJECT_SCHEMAS, MARKER.split(".")[0]]
    _execute(warehouse, *(f'drop schema if exists "{schema}" cascade' for schema in schemas))


def _mark(warehouse: Warehouse, business: DemoBusiness) -> None:
    schema = MARKER.split(".")[0]
    _execute(warehouse, f"create schema if not exists {schema}",
             f"create table if not exists {MARKER} (business text)",
             f"delete from {MARKER}",
             f"insert into {MARKER} values ('{business.key()}')")


def _query(warehouse: Warehouse, sql: str) -> list[tuple]:
    conn = warehouse.connect(read_only=warehouse.kind == "duckdb")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _execute(warehouse: Warehouse, *statements: str) -> None:
    conn = warehouse.connect()
    try:
        for statement in statements:
            conn.execute(statement)
        if warehouse.kind == "duckdb":
            conn.execute("checkpoint")
    finally:
        conn.close()
