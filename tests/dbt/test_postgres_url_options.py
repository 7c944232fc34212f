"""dbt connects to PostgreSQL with the options of the THROUGHLINE_WAREHOUSE URL (managed
PostgreSQL services demand `?sslmode=require`), as dlt and psycopg do."""

from __future__ import annotations

import pytest

from throughline.transform import TransformError, dbt_command, run_dbt
from throughline.warehouse import Warehouse


def test_url_options_reach_dbt_and_unknown_ones_are_named() -> None:
    url = "postgresql://bi:p%40ss@db.example.com:6543/shop?sslmode=verify-full&sslrootcert=/ca.pem"
    env = Warehouse.from_url(url).dbt_env()
    assert env["THROUGHLINE_PG_SSLMODE"] == "verify-full"
    assert env["THROUGHLINE_PG_SSLROOTCERT"] == "/ca.pem"
    assert (env["THROUGHLINE_PG_HOST"], env["THROUGHLINE_PG_PORT"]) == ("db.example.com", "6543")
    assert (env["THROUGHLINE_PG_PASSWORD"], env["THROUGHLINE_PG_DATABASE"]) == ("p@ss", "shop")
    with pytest.raises(ValueError, match="option 'target_session_attrs' cannot be passed to dbt"):
        Warehouse.from_url(url + "&target_session_attrs=read-write").dbt_env()


def test_dbt_uses_the_sslmode_of_the_url(postgres_dsn: str) -> None:
    # the test cluster has no SSL: sslmode=disable connects, sslmode=require must be refused
    debug = [*dbt_command("debug"), "--connection"]
    run_dbt(debug, Warehouse.from_url(f"{postgres_dsn}?sslmode=disable"))
    run_dbt(debug, Warehouse.from_url(postgres_dsn))
    with pytest.raises(TransformError):
        run_dbt(debug, Warehouse.from_url(f"{postgres_dsn}?sslmode=require&connect_timeout=5"))
