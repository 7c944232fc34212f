"""Orchestration fixtures: a parsed dbt manifest, a project-local DAGSTER_HOME."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = ROOT / "dbt_project"


def parse_dbt_project() -> None:
    """`make dbt-parse`, for a checkout where the build has not prepared the manifest yet."""
    if not (DBT_DIR / "dbt_project.yml").exists() or (DBT_DIR / "target" / "manifest.json").exists():
        return
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--profiles-dir", ".", "--project-dir", "."],
        cwd=DBT_DIR, check=True, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


parse_dbt_project()


@pytest.fixture
def dagster_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "orchestration" / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home
