"""Fixtures shared by every test area: telemetry off, a throwaway PostgreSQL cluster, and each
pytest-xdist worker's own dbt folders (`make test` runs one worker per core)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

for _name, _value in {
    "GX_ANALYTICS_ENABLED": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DO_NOT_TRACK": "1",
}.items():
    os.environ[_name] = _value

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

# Each xdist worker gives dbt its own target and log folders (its subprocesses inherit them): two
# dbt runs writing one manifest.json or partial_parse.msgpack at once would corrupt each other.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    os.environ["DBT_TARGET_PATH"] = str(ROOT / "dbt_project" / "target" / f"worker-{_WORKER}")
    os.environ["DBT_LOG_PATH"] = str(ROOT / "dbt_project" / "logs" / f"worker-{_WORKER}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL server binary {name!r} not found: run scripts/install_system_deps.sh"
        )
    return str(candidates[-1])


def _as_postgres_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A superuser DSN of a PostgreSQL cluster started for this test session on 127.0.0.1."""
    root = Path(tempfile.mkdtemp(prefix="throughline-pg-"))
    data = root / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(
        _as_postgres_user([_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                           "-E", "UTF8", "--locale=C.UTF-8"]),  # lower() folds Cyrillic, as DuckDB
        check=True, capture_output=True,
    )
    log_file = root / "server.log"
    subprocess.run(
        _as_postgres_user([_pg_bin("pg_ctl"), "-D", str(data), "-l", str(log_file), "-w",
                           "-o", f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off "
                                 "-c synchronous_commit=off -c full_page_writes=off",
                           "start"]),
        check=True, capture_output=True,
    )
    dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start; see {log_file}") from None
                time.sleep(0.2)
        yield dsn
    finally:
        subprocess.run(
            _as_postgres_user([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def in_database(dsn: str, database: str) -> str:
    """The same server's URL for another database."""
    return dsn.rsplit("/", 1)[0] + f"/{database}"


def new_database(dsn: str, database: str) -> str:
    """The URL of a new, empty database on `dsn`'s server (one an earlier test left is dropped)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{database}"')
        conn.execute(f'create database "{database}"')
    return in_database(dsn, database)


def copy_warehouse(warehouse, directory: Path):
    """A copy of a built DuckDB warehouse in `directory`, under the same file name (its views name
    their catalog by it), checkpointed first so that the file holds the whole database."""
    from throughline.warehouse import Warehouse

    assert warehouse.path is not None
    copy = directory / warehouse.path.name
    with warehouse.lock():
        warehouse.checkpoint()
        shutil.copyfile(warehouse.path, copy)
    return Warehouse.from_url(f"duckdb:///{copy}")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class _Inbox:
    """Messages a local test server received, as text."""

    def __init__(self) -> None:
        self.messages: list[str] = []


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, _Inbox]]:
    """A local SMTP server (aiosmtpd, 127.0.0.1): yields an apprise mailto:// URL and its inbox."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    inbox = _Inbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
            message = message_from_bytes(envelope.content, policy=policy.default)
            text = message.get_body(preferencelist=("plain",))
            body = text.get_content() if text is not None else ""
            inbox.messages.append(f"{message['subject']}\n{body}")
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        url = f"mailto://127.0.0.1:{port}?from=throughline@example.com&to=ops@example.com&mode=insecure"
        yield url, inbox
    finally:
        controller.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[str, _Inbox]]:
    """A local HTTP server taking POSTs; yields an apprise json:// URL and the bodies it got."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    inbox = _Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            inbox.messages.append(self.rfile.read(length).decode())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/alerts", inbox
    finally:
        server.shutdown()
        server.server_close()
