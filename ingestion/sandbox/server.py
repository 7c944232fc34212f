"""Local imitations of every external API, serving one generated `Business` in the real
formats of ../shared/reference/apis/ (on 127.0.0.1 only), with faults on demand.

    with Sandbox(business, files_dir=tmp) as sb:
        os.environ.update(sb.source_env())
        sb.faults.inject("google_ads", "rate_limit", times=1, retry_after=1)

`python -m ingestion.sandbox.server --business DIR` serves a saved business until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from ingestion.sandbox import apis, files
from ingestion.sandbox.business import Business, load_business

# Credentials the sandbox accepts (and checks): never real ones.
CREDENTIALS = {
    "google_client_id": "sandbox-client.apps.googleusercontent.com",
    "google_client_secret": "sandbox-client-secret",
    "google_refresh_token": "1//sandbox-refresh-token",
    "meta_access_token": "EAAB-sandbox-access-token",
    "bitrix_webhook_code": "sandboxwebhook42",
    "ringostat_auth_key": "sandbox-ringostat-key",
    "callrail_api_key": "sandbox-callrail-key",
}
BITRIX_CLIENT_ID_FIELD = "UF_CRM_1704817278"
FAULT_KINDS = ("rate_limit", "server_error", "slow", "expired_token", "malformed", "drop_connection")


@dataclass
class Fault:
    kind: str
    times: int
    path: str = ""
    options: dict[str, Any] = field(default_factory=dict)


class Faults:
    """Faults queued per API; each fires on the next `times` matching requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, list[Fault]] = {}

    def inject(self, api: str, kind: str, times: int = 1, path: str = "", **options: Any) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        with self._lock:
            self._queued.setdefault(api, []).append(Fault(kind, times, path, options))

    def take(self, api: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._queued.get(api, []):
                if fault.path in path and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()


@dataclass
class Request:
    api: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Sandbox:
    """Every API server on its own free 127.0.0.1 port, over one business."""

    def __init__(self, business: Business, files_dir: Path | str) -> None:
        self.business = business
        self.files_dir = Path(files_dir)
        self.faults = Faults()
        self.requests_log: list[tuple[str, str, str, dict[str, str]]] = []
        self.as_of: date = business.end_date
        self.restated = True
        self.state = apis.ApiState(business, CREDENTIALS, BITRIX_CLIENT_ID_FIELD)
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []

    # -- controls ------------------------------------------------------------------------------
    def set_as_of(self, day: date) -> None:
        """Serve only what happened before `day` (a later call adds the days in between)."""
        self.as_of = day
        self.state.as_of = day
        self.write_files()

    def set_restated(self, restated: bool) -> None:
        """False: the last days' ad stats as first reported; True: the restated figures."""
        self.restated = restated
        self.state.restated = restated

    def write_files(self) -> None:
        files.write_ga4_export(self.business, self.files_dir / "ga4_export", self.as_of)
        files.write_manual_files(self.business, self.files_dir)

    def write_crm_export(self, path: Path | str, fmt: str = "csv") -> Path:
        return files.write_crm_export(self.business, Path(path), fmt, self.as_of)

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        self.state.as_of, self.state.restated = self.as_of, self.restated
        self.write_files()
        for api, handler in apis.HANDLERS.items():
            server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class(api, handler))
            server.daemon_threads = True
            self._servers[api] = server
            thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{api}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def url(self, api: str) -> str:
        return f"http://127.0.0.1:{self._servers[api].server_address[1]}"

    def source_env(self, calltracking: str = "ringostat") -> dict[str, str]:
        """Environment variables that point every source at this sandbox (crm_file excluded:
        the CRM is Bitrix24 here, so leads are not loaded twice)."""
        start = self.business.start_date.isoformat()
        c = CREDENTIALS
        env = {
            "SOURCES__GOOGLE_ADS__BASE_URL": self.url("google_ads"),
            "SOURCES__GOOGLE_ADS__TOKEN_URL": f"{self.url('google_ads')}/token",
            "SOURCES__GOOGLE_ADS__API_VERSION": "v26",
            "SOURCES__GOOGLE_ADS__CUSTOMER_IDS": json.dumps(
                list(self.business.ad_accounts.query("platform == 'google_ads'")["account_id"])),
            "SOURCES__GOOGLE_ADS__CLIENT_ID": c["google_client_id"],
            "SOURCES__GOOGLE_ADS__CLIENT_SECRET": c["google_client_secret"],
            "SOURCES__GOOGLE_ADS__REFRESH_TOKEN": c["google_refresh_token"],
            "SOURCES__GOOGLE_ADS__START_DATE": start,
            "SOURCES__META_ADS__BASE_URL": self.url("meta_ads"),
            "SOURCES__META_ADS__API_VERSION": "v26.0",
            "SOURCES__META_ADS__AD_ACCOUNT_IDS": json.dumps(
                list(self.business.ad_accounts.query("platform == 'meta_ads'")["account_id"])),
            "SOURCES__META_ADS__ACCESS_TOKEN": c["meta_access_token"],
            "SOURCES__META_ADS__START_DATE": start,
            "SOURCES__GA4__EXPORT_PATH": str(self.files_dir / "ga4_export"),
            "SOURCES__GA4__START_DATE": start,
            "SOURCES__BITRIX24__WEBHOOK_URL": f"{self.url('bitrix24')}/rest/1/{c['bitrix_webhook_code']}/",
            "SOURCES__BITRIX24__CLIENT_ID_FIELD": BITRIX_CLIENT_ID_FIELD,
            "SOURCES__CALLTRACKING__PROVIDER": calltracking,
            "SOURCES__CALLTRACKING__START_DATE": start,
            "SOURCES__MANUAL_COSTS__COSTS_PATH": str(self.files_dir / "costs.csv"),
            "SOURCES__MANUAL_COSTS__PLAN_PATH": str(self.files_dir / "budget_plan.csv"),
            "SOURCES__FX_RATES__BASE_URL": self.url("nbu"),
            "SOURCES__FX_RATES__START_DATE": (self.business.fx_rates["date"].min()).isoformat(),
        }
        if calltracking == "ringostat":
            env.update({"SOURCES__CALLTRACKING__BASE_URL": self.url("ringostat"),
                        "SOURCES__CALLTRACKING__PROJECT_ID": "42",
                        # the sandbox has no rate limit: Ringostat's advised pace would only slow tests
                        "SOURCES__CALLTRACKING__REQUESTS_PER_SECOND": "50",
                        "SOURCES__CALLTRACKING__AUTH_KEY": c["ringostat_auth_key"]})
        else:
            env.update({"SOURCES__CALLTRACKING__BASE_URL": self.url("callrail"),
                        "SOURCES__CALLTRACKING__ACCOUNT_ID": "ACC1234567",
                        "SOURCES__CALLTRACKING__API_KEY": c["callrail_api_key"]})
        return env

    # -- HTTP -----------------------------------------------------------------------------------
    def _handler_class(self, api: str, handler: Callable[[apis.ApiState, Request], Response]) -> type:
        sandbox = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(api, self.command, parsed.path,
                                  {k: v[0] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()},
                                  {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                sandbox.requests_log.append((api, self.command, parsed.path, request.query))
                fault = sandbox.faults.take(api, parsed.path)
                if fault and fault.kind == "drop_connection":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if fault and fault.kind == "slow":
                    time.sleep(float(fault.options.get("seconds", 2)))
                if fault and fault.kind == "expired_token":
                    sandbox.state.expire_tokens()
                response = (apis.fault_response(api, fault) if fault and fault.kind in
                            ("rate_limit", "server_error") else handler(sandbox.state, request))
                payload = json.dumps(response.body, ensure_ascii=False).encode()
                if fault and fault.kind == "malformed":
                    payload = payload[: max(1, len(payload) // 2)]
                self.send_response(response.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a saved synthetic business as local APIs.")
    parser.add_argument("--business", type=Path, required=True, help="folder written by the generator")
    parser.add_argument("--files-dir", type=Path, default=None)
    args = parser.parse_args()
    business = load_business(args.business)
    with Sandbox(business, args.files_dir or args.business / "files") as sandbox:
        for key, value in sandbox.source_env().items():
            print(f"export {key}='{value}'")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
