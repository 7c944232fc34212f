"""The warehouse chosen by THROUGHLINE_WAREHOUSE: DuckDB file (default) or PostgreSQL.

One object gives the dlt destination, the dbt target settings and a DB-API connection, so no
other module parses the URL.
"""

from __future__ import annotations

import fcntl
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from ingestion.common.redaction import redact, register_secret
from throughline.settings import PROJECT_ROOT, Settings

# PostgreSQL URL options (`?sslmode=require`) that dbt's profile takes too (dbt_project/profiles.yml);
# dlt and psycopg read the whole URL themselves.
DBT_POSTGRES_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout")


def sql_literal(value: str | float) -> str:
    """A string or finite number as a SQL literal (DuckDB and PostgreSQL). What the transform
    writes or looks up in DuckDB goes in as literals: binding a Python value as a parameter makes
    DuckDB's Python client import pandas, half a second of each process that does."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{value!r} cannot be written as a SQL number")
    return repr(float(value))  # numpy's floats print as np.float64(...)


@dataclass(frozen=True)
class Warehouse:
    kind: str  # "duckdb" | "postgres"
    path: Path | None = None  # duckdb file
    dsn: str | None = None  # postgres URL

    @classmethod
    def from_url(cls, url: str) -> Warehouse:
        parsed = urlparse(url)
        if parsed.scheme == "duckdb":
            # duckdb:///data/x.duckdb is relative to the project; duckdb:////abs/x.duckdb absolute
            path = Path(unquote(url[len("duckdb:///") :]))
            if not path.is_absolute():
                path = PROJECT_ROOT / path
            return cls(kind="duckdb", path=path)
        if parsed.password:  # psycopg quotes a password it cannot read in its error
            register_secret(parsed.password)
            register_secret(unquote(parsed.password))
        if parsed.scheme in ("postgresql", "postgres"):
            return cls(kind="postgres", dsn=url)
        raise ValueError(
            f"THROUGHLINE_WAREHOUSE={redact(url)!r} is not supported: use duckdb:///path/to/file.duckdb "
            "or postgresql://user:password@host:port/database"
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Warehouse:
        return cls.from_url((settings or Settings.from_env()).warehouse_url)

    def dlt_destination(self) -> Any:
        import dlt

        if self.kind == "duckdb":
            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(str(self.path))
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        credentials = PostgresCredentials()
        credentials.parse_native_representation(self.dsn)
        if credentials.password is None:  # trust, peer or ~/.pgpass: dlt would demand a password
            credentials.password = ""
        return dlt.destinations.postgres(credentials=credentials)

    def dbt_env(self) -> dict[str, str]:
        """Environment variables that `dbt_project/profiles.yml` reads to pick its target."""
        if self.kind == "duckdb":
            assert self.path is not None
            return {"THROUGHLINE_DBT_TARGET": "duckdb", "THROUGHLINE_DUCKDB_PATH": str(self.path)}
        parsed = urlparse(self.dsn)
        env = {
            "THROUGHLINE_DBT_TARGET": "postgres",
            "THROUGHLINE_PG_HOST": parsed.hostname or "127.0.0.1",
            "THROUGHLINE_PG_PORT": str(parsed.port or 5432),
            "THROUGHLINE_PG_USER": unquote(parsed.username or "postgres"),
            "THROUGHLINE_PG_PASSWORD": unquote(parsed.password or ""),
            "THROUGHLINE_PG_DATABASE": (parsed.path or "/postgres").lstrip("/") or "postgres",
        }
        for name, value in parse_qsl(parsed.query, keep_blank_values=True):
            if name not in DBT_POSTGRES_OPTIONS:
                raise ValueError(
                    f"THROUGHLINE_WAREHOUSE: the PostgreSQL URL option {name!r} cannot be passed to "
                    f"dbt; it takes {', '.join(DBT_POSTGRES_OPTIONS)}"
                )
            env[f"THROUGHLINE_PG_{name.upper()}"] = value
        return env

    def connect(self, read_only: bool = False) -> Any:
        """A DB-API connection (duckdb or psycopg). Readers pass read_only=True."""
        if self.kind == "duckdb":
            import duckdb

            assert self.path is not None
            return duckdb.connect(str(self.path), read_only=read_only)
        import psycopg

        conn = psycopg.connect(self.dsn, autocommit=True)
        if read_only:
            conn.read_only = True
        return conn

    def checkpoint(self) -> None:
        """DuckDB: write what its log holds into the file now, as it does when the last connection
        closes (dbt run in-process keeps its connection to the end of the process). PostgreSQL:
        nothing to do."""
        if self.kind != "duckdb":
            return
        conn = self.connect()
        try:
            conn.execute("checkpoint")
        finally:
            conn.close()

    def reader(self) -> Any:
        """A read-only connection; in a process that already holds the DuckDB file read-write
        (dbt-duckdb run in-process keeps its connection), DuckDB only allows that same mode."""
        if self.kind != "duckdb":
            return self.connect(read_only=True)
        import duckdb

        try:
            return self.connect(read_only=True)
        except duckdb.ConnectionException:
            return self.connect(read_only=False)

    def read_frame(self, sql: str) -> Any:
        """A pandas frame of one read-only query (holds the shared lock while it reads)."""
        import pandas as pd

        with self.lock(exclusive=False):
            conn = self.reader()
            try:
                if self.kind == "duckdb":
                    return conn.execute(sql).df()
                with conn.cursor() as cursor:
                    cursor.execute(sql)
                    names = [column.name for column in cursor.description]
                    return _decimals_as_floats(pd.DataFrame(cursor.fetchall(), columns=names))
            finally:
                conn.close()

    @contextmanager
    def lock(self, exclusive: bool = True) -> Iterator[None]:
        """Hold the DuckDB file's lock: writers exclusive, readers shared; waits, never fails.

        DuckDB lets one process write a file and refuses every other process meanwhile, so each
        step that touches the file holds this lock (`<file>.lock`) first. PostgreSQL needs none.
        """
        if self.kind != "duckdb":
            yield
            return
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def describe(self) -> str:
        if self.kind == "duckdb":
            return f"DuckDB file {self.path}"
        parsed = urlparse(self.dsn)
        return (
            f"PostgreSQL {parsed.hostname}:{parsed.port or 5432}/{(parsed.path or '/').lstrip('/')}"
        )


def _decimals_as_floats(frame: Any) -> Any:
    """PostgreSQL numeric arrives as Decimal objects; DuckDB's reader gives floats: match it."""
    from decimal import Decimal

    for name in frame.columns:
        values = frame[name].dropna()
        if (
            frame[name].dtype == object
            and len(values)
            and all(isinstance(v, Decimal) for v in values)
        ):
            frame[name] = frame[name].astype(float)
    return frame
