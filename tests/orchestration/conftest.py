"""Orchestration fixtures: a parsed dbt manifest, a project-local DAGSTER_HOME."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = ROOT / "dbt_project"


def parse_dbt_project() -> None:
    """`make dbt-parse`, for a checkout where the build has not prepared the manifest yet."""
    if (
        not (DBT_DIR / "dbt_project.yml").exists()
        or (DBT_DIR / "target" / "manifest.json").exists()
    ):
        return
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--profiles-dir", ".", "--project-dir", "."],
        cwd=DBT_DIR,
        check=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


parse_dbt_project()


@pytest.fixture
def dagster_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "orchestration" / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home


@dataclass
class Demo:
    """A small synthetic business served by the sandbox, materialised once through Dagster."""

    business: Any
    env: dict[str, str]
    warehouse: Any
    summary: Any
    root: Path


DEMO_DAYS = 10
DEMO_VISITORS_PER_DAY = 30


def demo_env(root: Path, source_env: dict[str, str]) -> dict[str, str]:
    return {
        **source_env,
        "THROUGHLINE_WAREHOUSE": f"duckdb:///{root / 'warehouse.duckdb'}",
        "THROUGHLINE_DATA_DIR": str(root / "data"),
        "THROUGHLINE_ENV": "ci",
    }


@pytest.fixture(scope="session")
def demo_business() -> Any:
    from ingestion.sandbox.generator import BusinessParams, generate_business

    start = date.today() - timedelta(days=DEMO_DAYS + 2)
    return generate_business(
        BusinessParams(
            seed=11, start_date=start, days=DEMO_DAYS, visitors_per_day=DEMO_VISITORS_PER_DAY
        )
    )


@pytest.fixture(scope="session")
def sandbox_env(demo_business: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    from ingestion.sandbox.server import Sandbox

    files = tmp_path_factory.mktemp("sandbox-files")
    with Sandbox(demo_business, files_dir=files) as sandbox:
        yield dict(sandbox.source_env())


@pytest.fixture(scope="session")
def demo(
    demo_business: Any, sandbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """Everything materialised in-process over the sandbox, shared by the tests of this area."""
    from orchestration.runner import materialize_all
    from throughline.warehouse import Warehouse

    root = tmp_path_factory.mktemp("demo-run")
    env = demo_env(root, sandbox_env)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("DAGSTER_HOME", raising=False)
        summary = materialize_all(progress=False)
        yield Demo(
            demo_business, env, Warehouse.from_url(env["THROUGHLINE_WAREHOUSE"]), summary, root
        )
