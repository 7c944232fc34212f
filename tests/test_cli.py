"""The `throughline` command reads the project's .env like `make dev` does; `doctor` never
prints a password, even one the database driver quotes back in its error, and tells a warehouse
a run is writing from an unreachable one."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.console import Console
from typer.testing import CliRunner

from throughline import cli


@pytest.fixture()
def env_file(tmp_path, monkeypatch: pytest.MonkeyPatch):
    for key in ("THROUGHLINE_WAREHOUSE", "THROUGHLINE_BI_DSN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(cli, "ENV_FILE", tmp_path / ".env")
    # wide enough for a whole temporary path (a console made at import keeps the COLUMNS of then)
    monkeypatch.setattr(cli, "console", Console(width=300))
    return tmp_path / ".env"


def test_settings_come_from_the_env_file(env_file, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file.write_text(f"THROUGHLINE_WAREHOUSE=duckdb:///{tmp_path}/from_env_file.duckdb\n")
    result = CliRunner().invoke(cli.app, ["doctor"])
    assert "from_env_file.duckdb" in result.output, result.output
    # an exported variable wins over the file
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{tmp_path}/exported.duckdb")
    result = CliRunner().invoke(cli.app, ["doctor"])
    assert "exported.duckdb" in result.output and "from_env_file" not in result.output


def test_doctor_hides_a_malformed_password(env_file, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", "postgresql://loader:s3cr%zzet@127.0.0.1:9/warehouse")
    result = CliRunner().invoke(cli.app, ["doctor"])
    assert result.exit_code == 1
    assert "warehouse" in result.output and "failed" in result.output
    assert "s3cr" not in result.output and "zzet" not in result.output, result.output


def test_doctor_tells_a_warehouse_in_use_from_an_unreachable_one(
    env_file, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "busy.duckdb"
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{path}")
    writer = subprocess.Popen(  # another process writing the file, as a run does
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); "
                               "print('writing', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        result = CliRunner().invoke(cli.app, ["doctor"])
    finally:
        writer.kill()
    line = next(line for line in result.output.splitlines() if "busy.duckdb" in line)
    assert "a run is writing it now" in line and "failed" not in line, result.output


def test_doctor_warns_that_the_warehouse_holds_the_demo(env_file, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from throughline.demo import DemoBusiness, prepare_demo_warehouse
    from throughline.warehouse import Warehouse

    url = f"duckdb:///{tmp_path}/demo.duckdb"
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", url)
    assert "holds the synthetic demo" not in CliRunner().invoke(cli.app, ["doctor"]).output
    prepare_demo_warehouse(Warehouse.from_url(url), DemoBusiness.ending_today())
    line = next(line for line in CliRunner().invoke(cli.app, ["doctor"]).output.splitlines()
                if "demo.duckdb" in line)
    assert "warning" in line and "holds the synthetic demo business" in line, line


def test_run_keeps_the_sources_out_of_the_demo_warehouse(env_file, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from throughline.demo import DemoBusiness, held_demo_business, prepare_demo_warehouse
    from throughline.warehouse import Warehouse

    warehouse = Warehouse.from_url(f"duckdb:///{tmp_path}/demo.duckdb")
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{warehouse.path}")
    prepare_demo_warehouse(warehouse, DemoBusiness.ending_today())
    runs: list[str | None] = []
    monkeypatch.setattr(cli, "_materialize", lambda select, *args: runs.append(select) or True)

    refused = CliRunner().invoke(cli.app, ["run"])
    assert refused.exit_code == 1 and runs == []
    assert "holds the synthetic demo business" in refused.output and "--replace-demo" in refused.output
    assert held_demo_business(warehouse) is not None

    replaced = CliRunner().invoke(cli.app, ["run", "--replace-demo", "--select", "group:google_ads"])
    assert replaced.exit_code == 0, replaced.output
    assert runs == ["group:google_ads"] and held_demo_business(warehouse) is None
    assert "Discarded the demo business" in replaced.output
    # a warehouse without the demo runs as it is
    assert CliRunner().invoke(cli.app, ["run"]).exit_code == 0 and runs == ["group:google_ads", None]


def test_a_time_zone_that_does_not_exist_is_named_before_anything_runs(env_file, monkeypatch) -> None:
    monkeypatch.setenv("THROUGHLINE_TIMEZONE", "Kyiv")
    result = CliRunner().invoke(cli.app, ["doctor"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "THROUGHLINE_TIMEZONE='Kyiv' is not a time zone name: use one such as Europe/Kyiv" in result.output


def test_a_selection_dagster_cannot_resolve_is_a_clear_error(env_file, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{tmp_path}/empty.duckdb")
    for selection, says in (("group:nothing", "matches no asset"), ("status:MISSING", "is not an asset selection")):
        result = CliRunner().invoke(cli.app, ["run", "--select", selection])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert f"Error: --select '{selection}'" in result.output and says in result.output, result.output


def test_doctor_names_what_a_source_still_needs(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source begun but not finished is named with the settings it lacks (it was 'not
    configured', as if none were set); a provider in capitals is the provider; every file a
    source reads is checked, not the first."""
    from ingestion import calltracking
    from throughline.doctor import _check_source

    for key, value in {"CUSTOMER_IDS": "1111111111", "CLIENT_ID": "id", "CLIENT_SECRET": "secret"}.items():
        monkeypatch.setenv(f"SOURCES__GOOGLE_ADS__{key}", value)
    google = _check_source("google_ads")
    assert (google.status, google.details) == ("failed", "partly configured, skipped until "
                                               "SOURCES__GOOGLE_ADS__REFRESH_TOKEN set")
    assert "secret" not in google.details
    assert _check_source("meta_ads").details == "not configured (see .env.example)"

    monkeypatch.setenv("SOURCES__CALLTRACKING__PROVIDER", "Ringostat")
    assert _check_source("calltracking").details == (
        "partly configured, skipped until SOURCES__CALLTRACKING__AUTH_KEY or SOURCES__CALLTRACKING__API_KEY set")
    monkeypatch.setenv("SOURCES__CALLTRACKING__AUTH_KEY", "key")
    assert calltracking.is_configured()
    for key in ("key", None):  # a provider we do not speak is named, with or without its key
        if key is None:
            monkeypatch.delenv("SOURCES__CALLTRACKING__AUTH_KEY")
        monkeypatch.setenv("SOURCES__CALLTRACKING__PROVIDER", "calltouch")
        assert (_check_source("calltracking").status, _check_source("calltracking").details) == (
            "failed", "calltracking: provider must be 'ringostat' or 'callrail', not 'calltouch'")

    costs = tmp_path / "costs.csv"
    costs.write_text("date_from,date_to,channel,campaign,amount,currency\n")
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(costs))
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", str(tmp_path / "plan.csv"))
    manual = _check_source("manual_costs")
    assert (manual.status, manual.details) == ("failed", f"plan_path: {tmp_path / 'plan.csv'} does not exist")


def test_every_option_says_what_it_does() -> None:
    """`--help` explains every option of every command (marketers read it too)."""
    import typer

    command = typer.main.get_command(cli.app)
    undocumented = [f"{name} {param.opts[0]}"
                    for name, sub in command.commands.items()
                    for param in sub.params
                    if param.param_type_name == "option" and param.opts[0] != "--help" and not param.help]
    assert undocumented == []


@pytest.mark.postgres
def test_doctor_warns_of_a_postgres_warehouse_that_cannot_lower_case_cyrillic(postgres_dsn: str) -> None:
    """In a database whose locale is C, PostgreSQL's lower() leaves 'Весна' as it is (DuckDB
    folds it): doctor says so and how to create the database; a UTF-8 one is fine."""
    import psycopg

    from tests.conftest import in_database, new_database
    from throughline.doctor import run_checks
    from throughline.settings import Settings

    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute('drop database if exists "bytes_locale"')
        conn.execute("create database bytes_locale template template0 lc_ctype 'C' lc_collate 'C'")
        assert conn.execute("select lower('Весна')").fetchone()[0] == "весна"  # the cluster's own UTF-8 locale
    for url, status in ((in_database(postgres_dsn, "bytes_locale"), "warning"),
                        (new_database(postgres_dsn, "utf8_locale"), "ok")):
        warehouse = run_checks(Settings(warehouse_url=url))[0]
        assert warehouse.status == status, warehouse
    assert "locale is C" in run_checks(Settings(warehouse_url=in_database(postgres_dsn, "bytes_locale")))[0].details


def test_doctor_names_an_alert_url_no_alert_can_reach(env_file, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Telegram bot URL pasted as it is sent to the API is no apprise URL: doctor fails naming
    the entry (never its token); a webhook's plain https:// address is accepted."""
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{tmp_path}/w.duckdb")
    monkeypatch.setenv("THROUGHLINE_ALERT_URLS",
                       "https://hooks.example.com/alerts, tgram-bot://123456:SECRETtoken/987")
    result = CliRunner().invoke(cli.app, ["doctor"])
    line = next(line for line in result.output.splitlines() if line.lstrip("│ ").startswith("alerts"))
    assert "failed" in line and "entry 2 (tgram-bot://…)" in line, result.output
    assert "SECRETtoken" not in result.output and result.exit_code == 1
    monkeypatch.setenv("THROUGHLINE_ALERT_URLS", "https://hooks.example.com/alerts")
    result = CliRunner().invoke(cli.app, ["doctor"])
    line = next(line for line in result.output.splitlines() if line.lstrip("│ ").startswith("alerts"))
    assert "ok" in line and "1 destination(s): https" in line, result.output


def test_a_report_without_marts_says_what_to_run(env_file, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No warehouse yet, or one without marts: a traceback ended in DuckDB's error."""
    monkeypatch.setenv("THROUGHLINE_DATA_DIR", str(tmp_path / "data"))
    for name in ("missing.duckdb", "empty.duckdb"):
        if name == "empty.duckdb":
            import duckdb

            duckdb.connect(str(tmp_path / name)).close()
        monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{tmp_path / name}")
        result = CliRunner().invoke(cli.app, ["report"])
        output = " ".join(result.output.split())
        assert result.exit_code == 1 and "Traceback" not in output, output
        assert "cannot read the marts of the warehouse DuckDB file" in output
        assert output.endswith("Run `throughline run` (or `make demo`) first")


def test_doctor_reaches_a_sources_default_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """A source without a base_url reads from the real API, as in production: doctor said 'ok'
    without trying it."""
    import socket

    from tests.ingestion.fake_api import FakeApi, Reply
    from throughline import doctor

    monkeypatch.delenv("SOURCES__FX_RATES__BASE_URL", raising=False)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setitem(doctor.DEFAULT_ENDPOINTS, "fx_rates", f"http://127.0.0.1:{port}")
    check = doctor._check_source("fx_rates")
    assert (check.status, check.details) == ("failed", f"http://127.0.0.1:{port} unreachable: ConnectionError")
    with FakeApi(lambda request: Reply(body=[])) as api:
        monkeypatch.setitem(doctor.DEFAULT_ENDPOINTS, "fx_rates", api.url)
        check = doctor._check_source("fx_rates")
    assert check.status == "ok" and check.details.startswith(f"{api.url} answers (HTTP")


def test_an_environment_that_does_not_exist_is_named_by_every_command(env_file, monkeypatch) -> None:
    """`throughline run` refused THROUGHLINE_ENV=production while doctor said all was well."""
    monkeypatch.setenv("THROUGHLINE_ENV", "production")
    result = CliRunner().invoke(cli.app, ["doctor"])
    assert result.exit_code == 1
    assert "THROUGHLINE_ENV='production' is not one of local, ci, prod" in " ".join(result.output.split())


def test_a_database_url_with_a_port_that_is_no_number_is_named_without_its_password(env_file, monkeypatch) -> None:
    """doctor crashed with 'Port could not be cast to integer value', naming neither setting."""
    monkeypatch.setenv("THROUGHLINE_BI_DSN", "postgresql://admin:s3cret@db.example.com:54x32/analytics")
    result = CliRunner().invoke(cli.app, ["doctor"])
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in output
    assert "THROUGHLINE_BI_DSN: the port after host 'db.example.com' is not a number" in output
    assert "s3cret" not in output


def test_publishing_to_a_database_that_does_not_answer_is_one_line(env_file, tmp_path, monkeypatch) -> None:
    """A traceback ended in DuckDB's or psycopg's error: the command now says what to run first,
    or where it could not publish."""
    import socket

    import duckdb

    from throughline.publish import CONTRACT_MARTS

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("THROUGHLINE_BI_DSN", f"postgresql://admin:s3cret@127.0.0.1:{port}/analytics")
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{tmp_path / 'none.duckdb'}")
    result = CliRunner().invoke(cli.app, ["publish"])  # no warehouse yet
    assert "Run `throughline run` (or `make demo`) first" in " ".join(result.output.split())
    marts = tmp_path / "built.duckdb"
    conn = duckdb.connect(str(marts))
    conn.execute("create schema marts")
    for mart in CONTRACT_MARTS:  # every mart, empty
        conn.execute(f"create table marts.{mart} (date date)")
    conn.close()
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{marts}")
    result = CliRunner().invoke(cli.app, ["publish"])
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in output and "s3cret" not in output
    assert f"cannot publish to the BI database at 127.0.0.1:{port} (THROUGHLINE_BI_DSN)" in output


def test_doctor_fails_a_published_sheet_link_that_serves_no_file(env_file, tmp_path, monkeypatch) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Sheets(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            found = self.path == "/costs.csv"
            self.send_response(200 if found else 404)
            self.end_headers()
            self.wfile.write(b"date_from,date_to,channel,amount,currency\n" if found else b"Not Found")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sheets)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("THROUGHLINE_WAREHOUSE", f"duckdb:///{tmp_path}/w.duckdb")
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", f"{base}/costs.csv")
    try:
        monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", f"{base}/unpublished.csv")
        line = next(line for line in CliRunner().invoke(cli.app, ["doctor"]).output.splitlines()
                    if "manual_costs" in line)
        assert "failed" in line and "plan_path" in line and "HTTP 404" in line, line
        monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", f"{base}/costs.csv")
        line = next(line for line in CliRunner().invoke(cli.app, ["doctor"]).output.splitlines()
                    if "manual_costs" in line)
        assert "failed" not in line and "HTTP 200" in line, line
    finally:
        server.shutdown()


def test_a_copied_env_example_leaves_no_source_partly_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """.env.example is copied to .env to start from: its placeholder account ids made Google Ads
    and Meta 'partly configured', and `throughline doctor` failed on a fresh copy."""
    from dotenv import dotenv_values

    from ingestion.pipeline import SOURCE_NAMES
    from throughline.doctor import _check_source
    from throughline.settings import PROJECT_ROOT

    for key, value in dotenv_values(PROJECT_ROOT / ".env.example").items():
        if key.startswith("SOURCES__") and value:
            monkeypatch.setenv(key, value)
    checks = {name: _check_source(name).details for name in SOURCE_NAMES if name != "fx_rates"}  # (NBU: on by default)
    assert {name: details for name, details in checks.items() if "partly configured" in details} == {}


@pytest.mark.parametrize("webhook", ["portal.bitrix24.ua/rest/1/k3y0fw3bh00k/",
                                     " portal.bitrix24.ua/rest/1/k3y0fw3bh00k"])
def test_doctor_never_shows_a_webhook_code_written_without_its_scheme(webhook: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A webhook URL missing `https://` (or with a space before it) was taken for a file path and
    echoed whole, its code (the credential) with it."""
    from throughline.doctor import _check_location

    monkeypatch.setenv("SOURCES__BITRIX24__WEBHOOK_URL", webhook)
    check = _check_location("bitrix24", "webhook_url")
    assert check.status == "failed" and "k3y0fw3bh00k" not in check.details and "/rest/1/***" in check.details
