"""dbt's unit tests (fixed inputs, expected rows: they test the SQL, not the day's data) run here,
once; the product's runs leave them out (tests/dbt/test_transform_commands.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from throughline.transform import DBT_PROJECT_DIR, dbt_command, run_dbt
from throughline.warehouse import Warehouse


def unit_tests_in_the_project() -> set[str]:
    """`unit_test.throughline.<model>.<name>` of every unit test the project's YAML declares."""
    ids = set()
    for path in Path(DBT_PROJECT_DIR, "models").rglob("*.yml"):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []):
            ids.add(f"unit_test.throughline.{test['model']}.{test['name']}")
    return ids


def test_every_unit_test_passes(golden_warehouse: Warehouse) -> None:
    # run_dbt raises, naming each failing test, if one fails
    ran = run_dbt(dbt_command("test", select="test_type:unit", artifacts=False), golden_warehouse)
    unit_tests = {uid for uid in ran if not uid.startswith("operation.")}  # the on-run-start hooks
    assert unit_tests == unit_tests_in_the_project()
    assert len(unit_tests) >= 7

