"""A failed run sends one alert, through a webhook URL, naming the job, the run and the step."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    Definitions,
    asset,
    build_run_status_sensor_context,
    define_asset_job,
)

from orchestration.sensors import run_failure_alert


class _Inbox(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Inbox.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Inbox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Inbox.received = []
    try:
        yield f"json://127.0.0.1:{server.server_port}/alerts", _Inbox.received
    finally:
        server.shutdown()


@asset
def leads_export() -> None:
    raise RuntimeError("CRM answered 503 for https://crm.example/rest/1/s3cr3tcode/crm.lead.list")


def test_a_failed_run_alerts_with_job_run_and_step(webhook, monkeypatch) -> None:
    url, received = webhook
    monkeypatch.setenv("THROUGHLINE_ALERT_URLS", url)
    instance = DagsterInstance.ephemeral()
    job = Definitions(assets=[leads_export], jobs=[define_asset_job("crm_export")]).resolve_job_def(
        "crm_export"
    )
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()

    run_failure_alert(context)

    assert len(received) == 1
    message = received[0]["message"]
    assert "job crm_export" in received[0]["title"] or "crm_export" in received[0]["title"]
    assert result.run_id in message
    assert "step leads_export" in message and "503" in message
    assert "s3cr3tcode" not in message  # the Bitrix24 webhook code is a secret
