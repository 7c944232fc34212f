"""dbt CLI arguments are built by a pure function, and the product's build passes them (no dbt run needed)."""

from pathlib import Path

import throughline.transform as transform
from throughline.transform import DBT_PROJECT_DIR, dbt_command
from throughline.warehouse import Warehouse


def test_build_before_markov() -> None:
    assert dbt_command("build", select="+int_markov_transitions") == [
        "build",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--select",
        "+int_markov_transitions",
    ]


def test_full_refresh_with_vars() -> None:
    args = dbt_command("build", select="marts", full_refresh=True, dbt_vars={"lookback_days": 30})

    assert "--full-refresh" in args
    assert args[args.index("--vars") + 1] == '{"lookback_days": 30}'
    assert args[args.index("--select") + 1] == "marts"


def test_runs_can_skip_json_artifacts() -> None:
    assert "--no-write-json" in dbt_command("build", artifacts=False)
    assert "--no-write-json" not in dbt_command("parse")


def excluded(args: list[str]) -> list[str]:
    """The resource types `args` leave out."""
    return [args[i + 1] for i, arg in enumerate(args) if arg == "--exclude-resource-type"]


def test_runs_can_leave_out_unit_tests_or_every_test() -> None:
    assert excluded(dbt_command("build")) == []
    assert excluded(dbt_command("build", unit_tests=False)) == ["unit_test"]
    assert excluded(dbt_command("build", tests=False)) == ["test", "unit_test"]


def test_the_products_runs_leave_unit_tests_out(monkeypatch, tmp_path: Path) -> None:
    invocations: list[list[str]] = []
    monkeypatch.setattr(transform, "run_dbt", lambda args, warehouse: invocations.append(args) or {})
    monkeypatch.setattr(transform, "write_removal_effects", lambda warehouse: {})
    transform.build(Warehouse.from_url(f"duckdb:///{tmp_path / 'warehouse.duckdb'}"))

    assert [args[0] for args in invocations] == ["build", "build"]
    for args in invocations:
        assert excluded(args) == ["unit_test"]  # the data tests still run
