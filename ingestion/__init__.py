"""The connectors: one dlt source per module, run by ingestion.pipeline."""

import os

from throughline.settings import PROJECT_ROOT

# dlt reads its settings folder `.dlt/` (telemetry off, every source's defaults, secrets.toml)
# from the current directory: a `throughline run` from cron starts in $HOME. Point it at the
# project's wherever this runs, and keep telemetry off even without that folder.
os.environ.setdefault("DLT_PROJECT_DIR", str(PROJECT_ROOT))
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
