"""dlt finds the project's `.dlt/` settings wherever a run starts (cron starts in $HOME)."""

from __future__ import annotations

import os
import subprocess
import sys

from throughline.settings import PROJECT_ROOT


def test_dlt_reads_the_projects_settings_from_any_directory(tmp_path) -> None:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DLT_PROJECT_DIR", "RUNTIME__DLTHUB_TELEMETRY") and not key.startswith("SOURCES__")}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    shown = subprocess.run(
        [sys.executable, "-c", "import dlt, ingestion.pipeline; "
         "print(str(dlt.config.get('runtime.dlthub_telemetry')).lower(), dlt.config.get('sources.ga4.lookback_days'))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["false", "3"]  # telemetry off and a source default, both from .dlt/config.toml
