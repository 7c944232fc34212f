"""Run the whole transformation outside Dagster: dbt up to the Markov inputs, the Markov solve,
then the dbt models that read its removal effects. Dagster runs the same steps as assets.
"""

from __future__ import annotations

import gc
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from throughline.markov import TRANSITIONS_TABLE, write_removal_effects
from throughline.settings import DBT_PROJECT_DIR
from throughline.unchanged_views import (
    AFTER_MARKOV_STEP,
    MARKOV_INPUTS_STEP,
    record_built,
    selector_if_unchanged,
)
from throughline.warehouse import Warehouse

# The first dbt invocation builds what the Markov solve reads and everything under it; the second
# builds the rest: the models that read the removal effects, and the others, which so run beside
# them instead of holding up the Markov solve.
MARKOV_INPUTS = "+" + TRANSITIONS_TABLE.split(".")[-1]
# Runs write no manifest.json / run_results.json (see dbt_command), here and in Dagster's dbt steps.
NO_JSON_ARTIFACTS = "--no-write-json"
# Runs leave dbt's unit tests out, here and in Dagster's dbt steps: their inputs are fixed in the
# project, so they test the SQL, not the day's data, and the test suite runs them
# (tests/dbt/test_unit_tests.py). The seven cost 5.7 to 7.6 s of dbt's thread time a run.
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")


class TransformError(RuntimeError):
    """dbt reported failures; the message lists the failing nodes and their errors."""


@dataclass(frozen=True)
class TransformResult:
    # dbt's own execution time of each node (unique id -> seconds) and the Markov solve's.
    node_seconds: dict[str, float] = field(default_factory=dict)
    markov_seconds: float = 0.0


def dbt_command(
    command: str,
    *,
    select: str | None = None,
    exclude: str | None = None,
    selector: str | None = None,
    full_refresh: bool = False,
    dbt_vars: dict[str, Any] | None = None,
    tests: bool = True,
    unit_tests: bool = True,
    artifacts: bool = True,
) -> list[str]:
    """The dbt CLI arguments for one invocation in our project (pure; unit-tested).
    `tests=False`: no tests of either kind; `unit_tests=False`: no dbt unit tests (see
    NO_UNIT_TESTS). `artifacts=False`: no manifest.json / run_results.json. dbt writes its 6 MB
    manifest twice per invocation (0.3 s each at L, together a twelfth of a daily run); what reads
    a manifest reads the one parse() writes, and each node's result comes back in-process (or to
    Dagster's log)."""
    args = [command, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    if select:
        args += ["--select", select]
    if exclude:
        args += ["--exclude", exclude]
    if selector:
        args += ["--selector", selector]
    if not tests:
        args += ["--exclude-resource-type", "test"]
    if not (tests and unit_tests):
        args += NO_UNIT_TESTS
    if not artifacts:
        args.append(NO_JSON_ARTIFACTS)
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    return args


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_dbt(args: list[str], warehouse: Warehouse) -> dict[str, float]:
    """Invoke dbt in-process against `warehouse`: the seconds each node took, by unique id.
    Raise TransformError naming failed nodes."""
    from dbt.cli.main import dbtRunner

    with _environment(warehouse.dbt_env()):
        result = dbtRunner().invoke(args)
    if result.success:
        return {node.node.unique_id: node.execution_time for node in getattr(result.result, "results", None) or []}
    failures = []
    for node in getattr(result.result, "results", None) or []:
        if str(node.status) in ("error", "fail", "runtime error"):
            failures.append(f"{node.node.name}: {node.message}")
    detail = "; ".join(failures) or str(result.exception)
    raise TransformError(f"dbt {args[0]} failed: {detail}")


def build(
    warehouse: Warehouse,
    *,
    full_refresh: bool = False,
    dbt_vars: dict[str, Any] | None = None,
    tests: bool = True,
) -> TransformResult:
    """Seeds, models and tests the Markov step reads, the Markov solve, then the rest (two dbt
    invocations, as the Dagster assets run them), then the DuckDB file checkpointed, as a dbt
    process leaves it when it ends (Dagster runs each dbt step in its own). `tests=False` builds
    without dbt's tests; dbt's unit tests never run here (see NO_UNIT_TESTS)."""
    options = {"full_refresh": full_refresh, "dbt_vars": dbt_vars, "tests": tests, "unit_tests": False,
               "artifacts": False}
    run_id = uuid.uuid4().hex
    with warehouse.lock(), _without_cycle_collection():
        node_seconds = _build_step(warehouse, MARKOV_INPUTS_STEP, {"select": MARKOV_INPUTS}, options, run_id)
        started = time.perf_counter()
        write_removal_effects(warehouse)
        markov_seconds = time.perf_counter() - started
        node_seconds |= _build_step(warehouse, AFTER_MARKOV_STEP, {"exclude": MARKOV_INPUTS}, options, run_id)
        warehouse.checkpoint()
    return TransformResult(node_seconds=node_seconds, markov_seconds=markov_seconds)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector, paused while a build imports and runs dbt: dbt's many long-lived
    objects (its modules, the parsed project) made it run about 940 times in a daily run at L, 0.6
    to 1.0 s of CPU holding the interpreter lock that dbt's threads share. Reference counting
    still frees almost everything; the few cycles left wait for the next collection after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_step(warehouse: Warehouse, step: str, selection: dict[str, str],
                options: dict[str, Any], run_id: str) -> dict[str, float]:
    """One dbt invocation of build(); its views and seeds are left out while nothing they are
    made from changed (throughline.unchanged_views)."""
    selector = None if options["full_refresh"] else selector_if_unchanged(warehouse, step, options["dbt_vars"])
    node_seconds = run_dbt(dbt_command("build", **({"selector": selector} if selector else selection),
                                       **options), warehouse)
    if selector is None:
        record_built(warehouse, step, run_id, options["dbt_vars"])
    return node_seconds


def parse(warehouse: Warehouse) -> None:
    """Write dbt's manifest and parse state for `warehouse`, so its first run re-parses nothing."""
    run_dbt([*dbt_command("parse"), "--quiet"], warehouse)


if __name__ == "__main__":  # `make dbt-parse`: for the warehouse the settings (and .env) configure
    parse(Warehouse.from_settings())
