"""Leave the views and seeds out of a dbt step when nothing they are made from has changed.

A view's SQL and a seed's rows follow from the dbt project, the settings it reads and the
columns of the tables under them, not from the day's data. dbt still visited each of the
project's thirty-odd views and two seeds every run to find them unchanged
(macros/view_materialization.sql), at 0.05 to 0.15 s each and mostly on the way to the Markov
step: 2 to 3 s of a daily run at L (docs/PERFORMANCE.md). So after a step has built them, the
warehouse keeps a key of what they were made from (`project_key`): the project's files, the dbt
and DuckDB versions, the settings and dbt vars the project reads, and the warehouse's catalog
(every relation's columns, every view's fingerprint). While the key is the same, the step runs
through a selector that leaves them out but keeps every test on them
(dbt_project/selectors.yml). Anything else (an upgrade, a new source column, a changed setting,
a view recreated or dropped by hand, --full-refresh) builds them as before.

DuckDB only: on PostgreSQL a table rebuilt under a view drops the view with it, so every run must
visit its views.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from importlib.metadata import version
from typing import Any

import duckdb

from throughline.settings import DBT_PROJECT_DIR
from throughline.warehouse import Warehouse, sql_literal

log = logging.getLogger(__name__)

# The files the views' and seeds' SQL is rendered from (profiles.yml only picks the warehouse).
PROJECT_INPUTS = ("dbt_project.yml", "selectors.yml", "models", "macros", "seeds")
STATE_SCHEMA, STATE_TABLE = "throughline_state", "dbt_views_built"
# A step's selector: the same models and tests as the step, without its views and seeds.
MARKOV_INPUTS_STEP, AFTER_MARKOV_STEP = "markov_inputs", "after_markov"
STEP_SELECTORS = {
    MARKOV_INPUTS_STEP: "markov_inputs_without_views",
    AFTER_MARKOV_STEP: "after_markov_without_views",
}
ENV_VAR_USE = re.compile(r"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]")


def _project_files() -> list[tuple[str, bytes]]:
    files = []
    for name in PROJECT_INPUTS:
        root = DBT_PROJECT_DIR / name
        paths = sorted(root.rglob("*")) if root.is_dir() else [root]
        files += [(str(path.relative_to(DBT_PROJECT_DIR)), path.read_bytes())
                  for path in paths if path.is_file() and "__pycache__" not in path.parts]
    return files


def _catalog(warehouse: Warehouse) -> list[Any]:
    conn = warehouse.reader()
    try:
        columns = conn.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            f"where database_name = current_database() and schema_name <> {sql_literal(STATE_SCHEMA)} "
            "order by schema_name, table_name, column_index").fetchall()
        # A view's SQL as DuckDB shows it changes once the file is reopened; its comment is the
        # fingerprint our view materialization gives it (macros/view_materialization.sql).
        views = conn.execute(
            "select schema_name, view_name, comment from duckdb_views() "
            "where database_name = current_database() and not internal "
            "order by schema_name, view_name").fetchall()
    finally:
        conn.close()
    return [columns, views]


def project_key(warehouse: Warehouse, dbt_vars: dict[str, Any] | None = None) -> str:
    """What the views and seeds of a DuckDB warehouse are made from, as one digest."""
    digest = hashlib.sha256()
    files = _project_files()
    for name, content in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    settings = sorted({name for _, content in files
                       for name in ENV_VAR_USE.findall(content.decode("utf-8", "replace"))})
    digest.update(json.dumps({
        "versions": [version(package) for package in ("dbt-core", "dbt-duckdb", "duckdb")],
        "settings": {name: os.environ.get(name) for name in settings},
        "vars": dbt_vars or {},
        "catalog": _catalog(warehouse),
    }, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _stored_key(warehouse: Warehouse, step: str) -> str | None:
    conn = warehouse.reader()
    try:
        found = conn.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            f"and schema_name = {sql_literal(STATE_SCHEMA)} and table_name = {sql_literal(STATE_TABLE)}"
        ).fetchone()[0]
        if not found:
            return None
        row = conn.execute(f"select key from {STATE_SCHEMA}.{STATE_TABLE} where step = {sql_literal(step)}").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def selector_if_unchanged(warehouse: Warehouse, step: str,
                          dbt_vars: dict[str, Any] | None = None) -> str | None:
    """The selector that leaves out `step`'s views and seeds, when nothing they are made from
    changed since that step last built them; None when they must be built."""
    if warehouse.kind != "duckdb":
        return None
    try:
        if project_key(warehouse, dbt_vars) != _stored_key(warehouse, step):
            return None
    except duckdb.Error as error:  # leaving views out only saves time: build them instead
        log.warning("Could not read what the views were built from (%s); building them", error)
        return None
    return STEP_SELECTORS[step]


def record_built(warehouse: Warehouse, step: str, run_id: str,
                 dbt_vars: dict[str, Any] | None = None) -> None:
    """After `step` of run `run_id` built its views and seeds (all of them, successfully): keep the
    key of what they are now made from. The steps of the same run built before it take the same
    key, since this step changed nothing theirs are made from: the next run leaves out all of
    them, not only the last step's."""
    if warehouse.kind != "duckdb":
        return
    try:
        key = project_key(warehouse, dbt_vars)
        conn = warehouse.connect()
        try:
            conn.execute(f"create schema if not exists {STATE_SCHEMA}")
            conn.execute(f"create table if not exists {STATE_SCHEMA}.{STATE_TABLE} "
                         "(step varchar primary key, key varchar, run_id varchar, built_at timestamp)")
            conn.execute(f"insert or replace into {STATE_SCHEMA}.{STATE_TABLE} "
                         f"values ({sql_literal(step)}, {sql_literal(key)}, {sql_literal(run_id)}, now())")
            conn.execute(f"update {STATE_SCHEMA}.{STATE_TABLE} set key = {sql_literal(key)} "
                         f"where run_id = {sql_literal(run_id)}")
        finally:
            conn.close()
    except duckdb.Error as error:  # the next run builds the views again: slower, never wrong
        log.warning("Could not keep what the views were built from (%s); the next run builds them again",
                    error)
