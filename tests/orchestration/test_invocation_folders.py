"""dbt's per-invocation target folders: only the newest of each dbt step are kept."""

import os
from pathlib import Path

from orchestration.assets.transform import KEPT_INVOCATION_FOLDERS, prune_invocation_folders


def _folder(target: Path, name: str, age_seconds: int) -> Path:
    folder = target / name
    (folder / "compiled").mkdir(parents=True)
    (folder / "dbt.log").write_text("log")
    stamp = 1_800_000_000 - age_seconds
    os.utime(folder, (stamp, stamp))
    return folder


def test_old_invocation_folders_of_the_step_are_deleted(tmp_path: Path) -> None:
    step_folders = [_folder(tmp_path, f"dbt_models-run{age:04d}-abcdefg", age) for age in range(15)]
    other_step = [_folder(tmp_path, f"dbt_models_after_markov-run{age:04d}-abcdefg", age + 100)
                  for age in range(12)]
    (tmp_path / "partial_parse.msgpack").write_bytes(b"state")

    prune_invocation_folders(step_folders[0], "dbt_models")

    kept = sorted(path.name for path in tmp_path.glob("dbt_models-*"))
    assert kept == [f"dbt_models-run{age:04d}-abcdefg" for age in range(KEPT_INVOCATION_FOLDERS)]
    assert all(folder.exists() for folder in other_step)  # another step's folders are its own
    assert (tmp_path / "partial_parse.msgpack").exists()
