"""Orchestration fixtures: a parsed dbt manifest, DAGSTER_HOME, the sandbox, one demo run."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from demo_support import DEMO_DAYS, DEMO_VISITORS_PER_DAY, ROOT, Demo, demo_env

DBT_DIR = ROOT / "dbt_project"


def parse_dbt_project() -> None:
    """`make dbt-parse`, for a checkout where the build has not prepared the manifest yet."""
    if (
        not (DBT_DIR / "dbt_project.yml").exists()
        or (DBT_DIR / "target" / "manifest.json").exists()
    ):
        return
    subprocess.run(
        [sys.executable, "-m", "throughline.transform"],
        cwd=ROOT,
        check=True,
        # into the project's target/, which Dagster reads, not a test worker's own
        env={**{k: v for k, v in os.environ.items() if k != "DBT_TARGET_PATH"},
             "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


parse_dbt_project()


@pytest.fixture
def dagster_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "orchestration" / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home


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
    demo_business: Any,
    sandbox_env: dict[str, str],
    postgres_dsn: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Demo]:
    """Everything materialised in-process over the sandbox (BI publication into a throwaway
    PostgreSQL included), shared by the tests of this area. The demo's settings are exported only
    during the run (a test that runs more sets `demo.env` itself), not to the rest of the session."""
    from orchestration.runner import materialize_all
    from throughline.warehouse import Warehouse

    root = tmp_path_factory.mktemp("demo-run")
    env = {**demo_env(root, sandbox_env), "THROUGHLINE_BI_DSN": postgres_dsn}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("DAGSTER_HOME", raising=False)
        summary = materialize_all(progress=False)
    yield Demo(demo_business, env, Warehouse.from_url(env["THROUGHLINE_WAREHOUSE"]), summary, root)
