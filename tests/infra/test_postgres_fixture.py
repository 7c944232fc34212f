import psycopg
import pytest


@pytest.mark.postgres
def test_cluster_accepts_queries(postgres_dsn: str) -> None:
    with psycopg.connect(postgres_dsn) as conn:
        assert conn.execute("select 40 + 2").fetchone()[0] == 42
        assert conn.execute("show server_version").fetchone()[0].startswith("15")
