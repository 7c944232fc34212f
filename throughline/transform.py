"""Run the whole transformation outside Dagster: dbt up to the Markov inputs, the Markov solve,
then the dbt models that read its removal effects. Dagster runs the same steps as assets.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from throughline.markov import write_removal_effects
from throughline.settings import PROJECT_ROOT
from throughline.warehouse import Warehouse

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
AFTER_MARKOV = "source:attribution+"


class TransformError(RuntimeError):
    """dbt reported failures; the message lists the failing nodes and their errors."""


@dataclass(frozen=True)
class TransformResult:
    nodes: int
    markov_channels: int


def dbt_command(
    command: str,
    *,
    select: str | None = None,
    exclude: str | None = None,
    full_refresh: bool = False,
    dbt_vars: dict[str, Any] | None = None,
) -> list[str]:
    """The dbt CLI arguments for one invocation in our project (pure; unit-tested)."""
    args = [command, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    if select:
        args += ["--select", select]
    if exclude:
        args += ["--exclude", exclude]
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


def run_dbt(args: list[str], warehouse: Warehouse) -> int:
    """Invoke dbt in-process against `warehouse`; raise TransformError naming failed nodes."""
    from dbt.cli.main import dbtRunner

    with _environment(warehouse.dbt_env()):
        result = dbtRunner().invoke(args)
    if result.success:
        return len(result.result or []) if hasattr(result.result, "__len__") else 0
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
) -> TransformResult:
    """Seeds, models and tests before the Markov step, the Markov solve, then the rest."""
    with warehouse.lock():
        nodes = run_dbt(
            dbt_command(
                "build", exclude=AFTER_MARKOV, full_refresh=full_refresh, dbt_vars=dbt_vars
            ),
            warehouse,
        )
        effects = write_removal_effects(warehouse)
        nodes += run_dbt(
            dbt_command("build", select=AFTER_MARKOV, full_refresh=full_refresh, dbt_vars=dbt_vars),
            warehouse,
        )
    return TransformResult(nodes=nodes, markov_channels=len(effects))
