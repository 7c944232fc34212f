"""The `throughline` command: demo, run, publish, report, doctor, dev."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn
from urllib.parse import urlparse

import typer
from rich.console import Console
from rich.table import Table

from throughline.demo import DEMO_DAYS, DEMO_SEED, DEMO_VISITORS_PER_DAY
from throughline.settings import PROJECT_ROOT, Settings
from throughline.warehouse import Warehouse

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Throughline: what each marketing channel costs and brings, from ad click to paid deal.",
)
console = Console()
# Settings a user keeps in the project's .env (see .env.example); exported variables win.
ENV_FILE = PROJECT_ROOT / ".env"


@app.callback()
def _read_settings() -> None:
    # every command reads .env as `make dev` (Dagster) does
    from dotenv import load_dotenv

    load_dotenv(ENV_FILE, override=False)
    try:
        Settings.from_env()
    except ValueError as error:  # a setting no command can work with, named before anything runs
        _fail(str(error))


def _fail(message: str) -> NoReturn:
    from ingestion.common.redaction import redact

    console.print(f"[bold red]Error:[/] {redact(message)}")
    raise typer.Exit(code=1)


# Libraries that talk at INFO level on their own; without --verbose only their errors show.
CHATTY_LOGGERS = ("great_expectations", "dagster", "dlt", "alembic")

Verbose = Annotated[bool, typer.Option(
    "--verbose", "-v",
    help="Print the tools' own messages (dbt, dlt, Dagster, Great Expectations) here as they run; "
         "without it only their errors show.")]


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")  # dlt's own logger
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        for handler in logging.getLogger().handlers:  # libraries that set their loggers to INFO
            handler.setLevel(logging.WARNING)
    from ingestion.common.redaction import install_log_redaction

    install_log_redaction()


def _materialize(select: str | None, full_refresh: bool = False, verbose: bool = False) -> bool:
    """Run the asset graph with the progress display; without --verbose the tools' own output
    (dbt's log lines) goes to a log file under the data folder, named at the end."""
    from orchestration.assets.transform import FULL_REFRESH_TAG
    from orchestration.runner import materialize_all

    tags = {FULL_REFRESH_TAG: "true"} if full_refresh else None
    if verbose:
        return materialize_all(select=select, progress=True, tags=tags).success
    log_path = Settings.from_env().data_dir / "logs" / f"run-{date.today().isoformat()}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log_file, contextlib.redirect_stdout(log_file):
        summary = materialize_all(select=select, progress=True, tags=tags)
    console.print(f"Detailed log of the tools (dbt, dlt): {log_path}")
    return summary.success


@app.command()
def run(
    select: Annotated[
        str | None,
        typer.Option(help="Dagster asset selection, e.g. 'group:google_ads+' or 'key:marts/*'."),
    ] = None,
    full_refresh: Annotated[bool, typer.Option(
        "--full-refresh",
        help="Rebuild the incremental facts from all history (after editing channel_rules or an "
             "attribution setting, or upgrading Throughline).")] = False,
    replace_demo: Annotated[bool, typer.Option(
        "--replace-demo",
        help="The warehouse holds the synthetic demo business: discard it and load the configured "
             "sources into the emptied warehouse.")] = False,
    verbose: Verbose = False,
) -> None:
    """Materialise the whole asset graph (or a selection) once, in-process, with progress."""
    _logging(verbose)
    _keep_out_of_the_demo(replace_demo)
    try:
        succeeded = _materialize(select, full_refresh, verbose)
    except ValueError as error:  # a --select that names no asset
        _fail(str(error))
    if not succeeded:
        details = "the Dagster UI" if os.environ.get("DAGSTER_HOME") else "the run's log file named above"
        _fail(f"some assets failed; the summary above names them (see {details} for details).")


def _keep_out_of_the_demo(replace_demo: bool) -> None:
    """Refuse to load the configured sources into the demo's warehouse (they would mix with its
    made-up business), or with --replace-demo discard the demo first."""
    from throughline.demo import HOLDS_DEMO, discard_demo_business, held_demo_business

    warehouse = Warehouse.from_settings()
    try:
        held = held_demo_business(warehouse)
    except Exception:  # unreachable, or another run writes it: the run itself reports that
        return
    if held is None:
        return
    if not replace_demo:
        _fail(f"the warehouse ({warehouse.describe()}) {HOLDS_DEMO}")
    discard_demo_business(warehouse)
    console.print(f"Discarded the demo business from {warehouse.describe()}; the sources load into it from scratch.")


@app.command()
def demo(
    days: Annotated[int, typer.Option(help="Days of synthetic history.")] = DEMO_DAYS,
    visitors_per_day: Annotated[int, typer.Option(help="Synthetic visitors per day.")] = DEMO_VISITORS_PER_DAY,
    seed: Annotated[int, typer.Option(help="Random seed of the synthetic business.")] = DEMO_SEED,
    verbose: Verbose = False,
) -> None:
    """Start the sandbox, point every source at it, run everything once, print where results are."""
    _logging(verbose)
    from ingestion.sandbox.server import Sandbox
    from throughline.demo import DemoBusiness, DemoWarehouseInUse, prepare_demo_warehouse

    settings = Settings.from_env()
    demo_dir = settings.data_dir / "demo"
    demo_business = DemoBusiness.ending_today(days, visitors_per_day, seed)
    warehouse = Warehouse.from_settings(settings)
    try:
        if prepare_demo_warehouse(warehouse, demo_business) == "restarted":
            console.print("The warehouse held the demo business of another day or size: it starts "
                          "over, so that it holds one business.")
    except DemoWarehouseInUse as exc:
        _fail(str(exc))
    console.print(f"[bold]Generating the demo business[/]: {days} days from {demo_business.start_date}, "
                  f"{visitors_per_day} visitors/day (seed {seed})")
    business = demo_business.generate()
    with Sandbox(business, files_dir=demo_dir / "files") as sandbox:
        os.environ.update(sandbox.source_env())
        console.print("[bold]Sandbox APIs[/] are up on 127.0.0.1; loading every source into "
                      f"{warehouse.describe()}")
        ok = _materialize(select=None, verbose=verbose)
    if not ok:
        _fail("the demo run failed; the summary above names the failing assets.")
    _print_results(settings, warehouse)


def _print_results(settings: Settings, warehouse: Warehouse) -> None:
    table = Table(title="Where the results are", show_header=False)
    table.add_row("Warehouse", warehouse.describe())
    table.add_row("Owner's report", str(settings.data_dir / "reports" / "owner_report.html"))
    table.add_row("Mart exports (Parquet/CSV)", str(settings.data_dir / "exports"))
    table.add_row("Dagster UI", "make dev, then open http://127.0.0.1:3000")
    table.add_row("BI publication", "THROUGHLINE_BI_DSN=postgresql://... throughline publish")
    console.print(table)


@app.command()
def publish(verbose: Verbose = False) -> None:
    """Publish the marts to PostgreSQL schema `bi` (THROUGHLINE_BI_DSN) for Looker Studio / Power BI."""
    _logging(verbose)
    import duckdb
    import psycopg

    from ingestion.common.redaction import redact
    from throughline.publish import ContactDataError, publish_marts

    settings = Settings.from_env()
    if not settings.bi_dsn:
        _fail("THROUGHLINE_BI_DSN is not set: give the PostgreSQL URL the dashboards read, "
              "e.g. postgresql://throughline@db.example.com:5432/analytics")
    warehouse = Warehouse.from_settings(settings)
    try:
        warehouse.read_frame("select 1 as one from marts.mart_channel_performance limit 1")
    except (duckdb.Error, psycopg.Error) as exc:
        _fail_without_marts(warehouse, exc)
    try:
        result = publish_marts(settings, warehouse)
    except psycopg.OperationalError as exc:  # the server down, refusing us, or the login refused
        target = urlparse(settings.bi_dsn)
        _fail(f"cannot publish to the BI database at {target.hostname}:{target.port or 5432} "
              f"(THROUGHLINE_BI_DSN): {redact(str(exc).strip().splitlines()[0])}")
    except ContactDataError as exc:  # nothing was published
        _fail(f"nothing published: {exc}")
    console.print(result.describe())


def _fail_without_marts(warehouse: Warehouse, error: Exception) -> NoReturn:
    """No warehouse at all, or one without marts: say which, and what to run first."""
    detail = str(error).strip().splitlines()[0]
    _fail(f"cannot read the marts of the warehouse {warehouse.describe()}: {detail}. "
          "Run `throughline run` (or `make demo`) first")


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="Where to write the HTML file.")] = None,
    lang: Annotated[str, typer.Option(help="Language of the report: en or uk.")] = "en",
) -> None:
    """Write the owner's report: one self-contained HTML page with charts."""
    import duckdb
    import psycopg

    from throughline.report import write_report

    if lang not in ("en", "uk"):
        _fail(f"--lang must be 'en' or 'uk', not {lang!r}")
    settings = Settings.from_env()
    target = out or settings.data_dir / "reports" / f"owner_report{'' if lang == 'en' else '_uk'}.html"
    try:
        path = write_report(target, lang=lang, settings=settings)
    except ValueError as exc:  # the marts are empty: say what to run
        _fail(str(exc))
    except (duckdb.Error, psycopg.Error) as exc:  # no warehouse, or one without marts
        _fail_without_marts(Warehouse.from_settings(settings), exc)
    console.print(f"Owner's report written to [bold]{path}[/]")


@app.command()
def doctor() -> None:
    """Check configuration, credentials present, each source's connectivity and the warehouse."""
    from throughline.doctor import run_checks

    checks = run_checks(Settings.from_env())
    table = Table(title="Throughline doctor")
    for column in ("check", "status", "details"):
        table.add_column(column)
    colours = {"ok": "green", "skipped": "yellow", "warning": "yellow", "failed": "red"}
    for check in checks:
        table.add_row(check.name, f"[{colours[check.status]}]{check.status}[/]", check.details)
    console.print(table)
    if any(check.status == "failed" for check in checks):
        raise typer.Exit(code=1)


@app.command()
def dev() -> None:
    """Start the Dagster UI on 127.0.0.1 over the demo sandbox (Ctrl-C stops everything)."""
    from orchestration.dev import start_dev

    sys.exit(start_dev())


if __name__ == "__main__":
    app()
