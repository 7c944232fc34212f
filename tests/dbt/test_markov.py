"""Markov removal effects against a closed-form hand calculation."""

import subprocess
import sys

import duckdb
import numpy as np
import pytest

from throughline.markov import (
    EFFECTS_SCHEMA,
    EFFECTS_TABLE,
    TRANSITIONS_TABLE,
    conversion_probability,
    removal_effects,
    shares,
)
from throughline.warehouse import sql_literal


def test_removal_effects_of_a_small_chain() -> None:
    # Paths: start>A>B>conversion, start>A>null, start>B>conversion.
    # P(start>A)=2/3, P(start>B)=1/3, P(A>B)=1/2, P(A>null)=1/2, P(B>conversion)=1.
    # P(conversion) = 2/3*1/2 + 1/3 = 2/3.
    # Without A: 1/3 -> effect 1 - (1/3)/(2/3) = 1/2. Without B: 0 -> effect 1.
    rows = [
        ("start", "A", 2),
        ("start", "B", 1),
        ("A", "B", 1),
        ("A", "null", 1),
        ("B", "conversion", 2),
    ]
    counts = {(a, b): float(n) for a, b, n in rows}
    assert conversion_probability(counts) == pytest.approx(2 / 3)
    effects = removal_effects(rows)
    assert effects == pytest.approx({"A": 0.5, "B": 1.0})
    assert shares(effects) == pytest.approx({"A": 1 / 3, "B": 2 / 3})


def test_a_cycle_is_solved_not_truncated() -> None:
    # start>A, A>B, B>A, B>conversion, A>null each once (a loop A<->B).
    # From A: x_A = 1/2 x_B; from B: x_B = 1/2 x_A + 1/2 -> x_B = 2/3, x_A = 1/3.
    rows = [
        ("start", "A", 1),
        ("A", "B", 1),
        ("A", "null", 1),
        ("B", "A", 1),
        ("B", "conversion", 1),
    ]
    assert conversion_probability({(a, b): float(n) for a, b, n in rows}) == pytest.approx(1 / 3)
    # Removing B leaves no way to convert; removing A leaves none either (start only goes to A).
    assert removal_effects(rows) == pytest.approx({"A": 1.0, "B": 1.0})


def test_no_conversions_means_no_effect() -> None:
    assert removal_effects([("start", "A", 3), ("A", "null", 3)]) == {"A": 0.0}


def test_removal_effects_are_written_as_solved_without_importing_pandas(tmp_path) -> None:
    """The effects table holds the solve's figures, a channel name with a quote included; and a
    process writing it leaves pandas unloaded (DuckDB's client imports it to bind parameters)."""
    path = tmp_path / "warehouse.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute(f"create schema {TRANSITIONS_TABLE.split('.')[0]}")
    conn.execute(f"create table {TRANSITIONS_TABLE} (from_state varchar, to_state varchar, transitions bigint)")
    conn.execute(f"insert into {TRANSITIONS_TABLE} values ('start', 'Partner''s site', 2), ('start', 'B', 1), "
                 "('Partner''s site', 'B', 1), ('Partner''s site', 'null', 1), ('B', 'conversion', 2)")
    conn.close()
    script = ("import sys; from throughline.markov import write_removal_effects; "
              "from throughline.warehouse import Warehouse; "
              f"write_removal_effects(Warehouse.from_url('duckdb:///{path}')); print('pandas' in sys.modules)")
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)

    assert ran.stdout.strip() == "False"
    conn = duckdb.connect(str(path), read_only=True)
    written = conn.execute(f"select channel, removal_effect, share from {EFFECTS_SCHEMA}.{EFFECTS_TABLE} "
                           "order by channel").fetchall()
    # the small chain above, with A named "Partner's site": effects 1/2 and 1, shares 1/3 and 2/3
    assert written == [("B", pytest.approx(1.0), pytest.approx(2 / 3)),
                       ("Partner's site", pytest.approx(0.5), pytest.approx(1 / 3))]


def test_sql_literals_quote_strings_and_refuse_what_is_not_a_number() -> None:
    conn = duckdb.connect()
    for text in ("Partner's site", "''", "a\\b", "%s", "канал"):
        assert conn.execute(f"select {sql_literal(text)}").fetchone()[0] == text
    assert conn.execute(f"select {sql_literal(np.float64(0.1))} = 0.1").fetchone()[0] is True
    for bad in (float("nan"), float("inf"), True, None):
        with pytest.raises(ValueError, match="cannot be written as a SQL number"):
            sql_literal(bad)
