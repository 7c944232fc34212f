"""The Dagster UI over the sandbox, driven by headless Debian chromium: materialise everything."""

import shutil
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from demo_support import demo_env

from orchestration.dev import dev_environment, prepare_dagster_home, start_ui, stop_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHECKED_ASSET = "marts/mart_channel_performance"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"the Dagster UI did not answer on {url} within {seconds}s")


def _wait_for_run_end(url: str, run_id: str, seconds: float = 480) -> None:
    from dagster import DagsterRunStatus
    from dagster_graphql import DagsterGraphQLClient

    host, port = url.removeprefix("http://").split(":")
    client = DagsterGraphQLClient(host, port_number=int(port))
    ended = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + seconds
    while client.get_run_status(run_id) not in ended:
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} launched from the UI did not end within {seconds}s")
        time.sleep(2)


def _skip_community_dialog(page) -> None:
    """The "Join the Dagster community" dialog shows once per instance, a moment after load."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=15_000)
    except PlaywrightTimeout:
        return
    skip.click()


@pytest.fixture
def dagster_ui(sandbox_env, tmp_path: Path):
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is missing: run scripts/install_system_deps.sh")
    home = prepare_dagster_home(tmp_path / "dagster_home")
    port = _free_port()
    process = start_ui(dev_environment(demo_env(tmp_path, sandbox_env), home), port)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url)
        yield url
    finally:
        stop_ui(process)


def test_materialise_everything_from_the_ui(dagster_ui: str, artifacts_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.goto(f"{dagster_ui}/asset-groups")
            materialize = page.get_by_role("button", name="Materialize all…")
            materialize.wait_for(timeout=60_000)
            _skip_community_dialog(page)
            page.screenshot(path=str(artifacts_dir / "dagster_asset_graph.png"))

            materialize.click()
            dialog = page.get_by_role("dialog")
            dialog.get_by_text("Latest", exact=True).click()  # today's ad-spend/GA4 partition
            dialog.get_by_role("button", name="Launch 1 run").click()
            toast = page.get_by_text("Launched run")
            toast.wait_for()
            run = toast.inner_text().split()[-1]

            page.goto(f"{dagster_ui}/runs")
            page.get_by_role("link", name=run).first.click()
            page.wait_for_url("**/runs/**")
            run_url = page.url
            # The live run page keeps a core busy redrawing; wait for the run away from it.
            page.goto("about:blank")
            _wait_for_run_end(dagster_ui, run_url.rstrip("/").split("/")[-1])
            page.goto(run_url)
            outcome = page.get_by_text("Success", exact=True).or_(
                page.get_by_text("Failure", exact=True)
            )
            outcome.first.wait_for(timeout=60_000)
            assert outcome.first.inner_text() == "Success", "the run launched from the UI failed"
            page.get_by_text("Loading run logs").wait_for(state="hidden", timeout=60_000)
            page.screenshot(path=str(artifacts_dir / "dagster_run_success.png"))

            page.goto(f"{dagster_ui}/assets/{CHECKED_ASSET}?view=checks")
            page.get_by_text("Passed").first.wait_for(timeout=60_000)
            page.screenshot(path=str(artifacts_dir / "dagster_asset_checks.png"))
            assert page.get_by_text("Failed", exact=True).count() == 0
        except Exception:
            page.screenshot(path=str(artifacts_dir / "dagster_ui_failure.png"))
            raise
        finally:
            browser.close()
