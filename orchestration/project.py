"""The dbt project as one `DbtProject` object shared by the dbt assets, resources and tests."""

from __future__ import annotations

from dagster_dbt import DbtProject

from throughline.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def _load_project() -> DbtProject | None:
    if not (DBT_PROJECT_DIR / "dbt_project.yml").exists():
        return None
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    # Under `dagster dev` only: re-parse, so edits to models show up without `make dbt-parse`.
    project.prepare_if_dev()
    return project


dbt_project: DbtProject | None = _load_project()
