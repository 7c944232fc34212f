"""Markov-chain attribution: removal effects of each channel, solved with numpy.

Input: dbt model `intermediate.int_markov_transitions` (from_state, to_state, transitions),
states `start`, channels, and the absorbing `conversion` and `null`. Output: table
`attribution.markov_removal_effects` (channel, removal_effect, share) that dbt reads as a source.

removal_effect(c) = 1 - P(conversion | c removed) / P(conversion), where removing c sends every
transition into c to `null` (ARCHITECTURE.md, "Touches, paths and attribution").
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from throughline.warehouse import Warehouse, sql_literal

START, CONVERSION, NULL = "start", "conversion", "null"
TRANSITIONS_TABLE = "intermediate.int_markov_transitions"
EFFECTS_SCHEMA, EFFECTS_TABLE = "attribution", "markov_removal_effects"


def conversion_probability(
    counts: dict[tuple[str, str], float], removed: str | None = None
) -> float:
    """P(reaching `conversion` from `start`), optionally with one channel removed."""
    transient = sorted({a for a, _ in counts} | {b for _, b in counts} - {CONVERSION, NULL})
    if START not in transient:
        return 0.0
    index = {state: i for i, state in enumerate(transient)}
    n = len(transient)
    q = np.zeros((n, n))
    to_conversion = np.zeros(n)
    totals = np.zeros(n)
    for (a, _b), count in counts.items():
        if a in (CONVERSION, NULL):
            continue
        totals[index[a]] += count
    for (a, b), count in counts.items():
        if a in (CONVERSION, NULL) or totals[index[a]] == 0:
            continue
        p = count / totals[index[a]]
        if b == removed or b == NULL:
            continue  # into the removed channel = into null
        if b == CONVERSION:
            to_conversion[index[a]] += p
        else:
            q[index[a], index[b]] += p
    # Absorption probabilities x = Q x + r  <=>  (I - Q) x = r; lstsq copes with states that
    # only ever lead to the removed channel (rows of zeros).
    x, *_ = np.linalg.lstsq(np.eye(n) - q, to_conversion, rcond=None)
    return float(x[index[START]])


def removal_effects(rows: Iterable[tuple[str, str, float]]) -> dict[str, float]:
    """Removal effect per channel from (from_state, to_state, count) rows."""
    counts: dict[tuple[str, str], float] = {}
    for a, b, count in rows:
        counts[(a, b)] = counts.get((a, b), 0.0) + float(count)
    channels = sorted({s for pair in counts for s in pair} - {START, CONVERSION, NULL})
    base = conversion_probability(counts)
    if base <= 0:
        return {channel: 0.0 for channel in channels}
    return {
        channel: max(0.0, 1.0 - conversion_probability(counts, removed=channel) / base)
        for channel in channels
    }


def shares(effects: dict[str, float]) -> dict[str, float]:
    total = sum(effects.values())
    return {channel: (value / total if total > 0 else 0.0) for channel, value in effects.items()}


def write_removal_effects(warehouse: Warehouse) -> dict[str, float]:
    """Read the transitions, solve, and (re)write the removal-effects table. Returns effects."""
    conn = warehouse.connect()
    try:
        rows = conn.execute(
            f"select from_state, to_state, transitions from {TRANSITIONS_TABLE}"
        ).fetchall()
        effects = removal_effects(rows)
        share = shares(effects)
        conn.execute(f"create schema if not exists {EFFECTS_SCHEMA}")
        conn.execute(
            f"create table if not exists {EFFECTS_SCHEMA}.{EFFECTS_TABLE} "
            "(channel text, removal_effect double precision, share double precision)"
        )
        # Emptied and refilled in one transaction, never dropped: PostgreSQL will not drop a
        # table that the Markov credits view reads, and readers never see it half-written.
        conn.execute("begin")
        conn.execute(f"delete from {EFFECTS_SCHEMA}.{EFFECTS_TABLE}")
        if effects:
            values = ", ".join(
                f"({sql_literal(channel)}, {sql_literal(effects[channel])}, {sql_literal(share[channel])})"
                for channel in sorted(effects))
            conn.execute(f"insert into {EFFECTS_SCHEMA}.{EFFECTS_TABLE} values {values}")
        conn.execute("commit")
        return effects
    finally:
        conn.close()
