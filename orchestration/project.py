"""The dbt project as one `DbtProject` object shared by the dbt assets, resources and tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from throughline.settings import DBT_PROJECT_DIR


def _load_project() -> DbtProject | None:
    if not (DBT_PROJECT_DIR / "dbt_project.yml").exists():
        return None
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    # Under `dagster dev` only: re-parse, so edits to models show up without `make dbt-parse`.
    project.prepare_if_dev()
    return project


dbt_project: DbtProject | None = _load_project()


@cache
def load_manifest() -> Mapping[str, Any]:
    """The parsed dbt manifest (prepared by `make dbt-parse`, never parsed at import)."""
    assert dbt_project is not None, "dbt_project/dbt_project.yml is missing"
    path = Path(dbt_project.manifest_path)
    if not path.exists():
        raise FileNotFoundError(
            f"dbt manifest {path} is missing: run `make dbt-parse` "
            "(cd dbt_project && dbt parse --profiles-dir . --project-dir .)"
        )
    return json.loads(path.read_text())


def source_tables(source: str) -> list[str]:
    """The tables the dbt project declares for one source (the raw-layer contract)."""
    if dbt_project is None:
        return []
    nodes = load_manifest().get("sources", {}).values()
    return sorted(node["name"] for node in nodes if node["source_name"] == source)
