"""`throughline dev` / `make dev`: the Dagster UI on 127.0.0.1 over the demo sandbox.

Starts the sandbox APIs over a generated demo business, points every source at them, and runs
`dagster dev` in its own process group with DAGSTER_HOME at `data/dagster_home` (telemetry off,
one warehouse writer at a time). Ctrl-C stops the UI's whole process group, then the sandbox.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from throughline.settings import Settings

HERE = Path(__file__).resolve().parent
INSTANCE_CONFIG = HERE / "dagster_home" / "dagster.yaml"
DEFAULT_PORT = 3000
TELEMETRY_OFF = {
    "GX_ANALYTICS_ENABLED": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DO_NOT_TRACK": "1",
}


def prepare_dagster_home(folder: Path) -> Path:
    """A project-local DAGSTER_HOME holding the instance config (telemetry off, run queue)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, folder / "dagster.yaml")
    return folder


def dagster_dev_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]


def dev_environment(source_env: Mapping[str, str], dagster_home: Path) -> dict[str, str]:
    """The UI's environment: this virtualenv's tools (dbt) first on PATH, activated or not."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {
        **os.environ,
        **TELEMETRY_OFF,
        **source_env,
        "DAGSTER_HOME": str(dagster_home),
        "PATH": path,
    }


def start_ui(env: Mapping[str, str], port: int) -> subprocess.Popen[bytes]:
    """`dagster dev` in its own process group: it ignores SIGTERM, so the group is ended."""
    return subprocess.Popen(
        dagster_dev_command(port), env=dict(env), start_new_session=True, cwd=HERE.parent
    )


def stop_ui(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    try:  # code servers and run workers of the group may outlive the UI process itself
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def start_dev(port: int | None = None) -> int:
    from ingestion.sandbox.server import Sandbox
    from throughline.demo import DemoBusiness, DemoWarehouseInUse, prepare_demo_warehouse
    from throughline.warehouse import Warehouse

    settings = Settings.from_env()
    port = port or int(os.environ.get("THROUGHLINE_DEV_PORT", DEFAULT_PORT))
    demo_business = DemoBusiness.ending_today()
    try:  # the UI's runs load the demo business into the configured warehouse
        prepare_demo_warehouse(Warehouse.from_settings(settings), demo_business)
    except DemoWarehouseInUse as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    business = demo_business.generate()
    home = prepare_dagster_home(settings.data_dir / "dagster_home")
    with Sandbox(business, files_dir=settings.data_dir / "demo" / "files") as sandbox:
        process = start_ui(dev_environment(sandbox.source_env(), home), port)
        print(f"Dagster UI: http://127.0.0.1:{port}  (Ctrl-C stops it and the sandbox)")
        try:
            return process.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            stop_ui(process)
