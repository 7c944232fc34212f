"""Scale a raw warehouse up by replication: the visitor-driven raw tables (GA4 events, CRM
records, calls) are copied `copies` times with disjoint visitor ids, CRM ids, phones and e-mails;
ad platforms, FX rates and manual costs stay as they are (they do not grow with traffic).

Scale L is the scale-M business loaded through the real connectors, then replicated ten times:
serving two years of ten million sessions through the sandbox's HTTP APIs would take hours, and
the copies keep every schema, distribution and identity link of the real loads.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# How each identity column of a copy k > 0 is made disjoint from the other copies.
KINDS = {
    "visitor": "{c} || '.r{k}'",
    "crm_id": "cast(cast({c} as bigint) + {k} * 100000000 as varchar)",
    "phone": "'+' || '{k}' || substr({c}, 2)",
    "email": "'r{k}.' || {c}",
    "suffix": "{c} || '.r{k}'",
}
REPLICATED: dict[str, dict[str, str]] = {
    "raw_ga4.events": {"user_pseudo_id": "visitor", "client_id": "visitor"},
    "raw_bitrix24.leads": {"id": "crm_id", "contact_id": "crm_id", "phone_e164": "phone",
                           "email_normalized": "email", "client_id": "visitor", "uf_crm_1704817278": "visitor",
                           "_dlt_id": "suffix"},
    "raw_bitrix24.deals": {"id": "crm_id", "lead_id": "crm_id", "contact_id": "crm_id", "_dlt_id": "suffix"},
    "raw_bitrix24.contacts": {"id": "crm_id", "lead_id": "crm_id", "phone_e164": "phone",
                              "email_normalized": "email", "_dlt_id": "suffix"},
    "raw_bitrix24.lead_stage_history": {"id": "crm_id", "owner_id": "crm_id", "_dlt_id": "suffix"},
    "raw_bitrix24.deal_stage_history": {"id": "crm_id", "owner_id": "crm_id", "_dlt_id": "suffix"},
    "raw_calltracking.calls": {"call_id": "suffix", "caller_phone_e164": "phone", "client_id": "visitor",
                               "_dlt_id": "suffix"},
}


def _copy_select(table: str, columns: list[str], k: int) -> str:
    kinds = REPLICATED[table]
    expressions = []
    for column in columns:
        quoted = f'"{column}"'
        if k and column in kinds:
            expressions.append(f"case when {quoted} is null then null else "
                               f"{KINDS[kinds[column]].format(c=quoted, k=k)} end as {quoted}")
        else:
            expressions.append(quoted)
    return f"select {', '.join(expressions)} from base.{table}"


def replicate_raw(base: Path, target: Path, copies: int) -> dict[str, int]:
    """Replace the raw schemas of `target` with `base`'s, the visitor-driven tables `copies` times."""
    conn = duckdb.connect(str(target))
    try:
        conn.execute(f"attach '{base}' as base (read_only)")
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_catalog = 'base' and table_schema like 'raw\\_%' escape '\\' "
            "and table_schema not like '%\\_staging' escape '\\' and table_type = 'BASE TABLE'").fetchall()
        rows = {}
        for (table,) in tables:
            schema = table.split(".")[0]
            conn.execute(f"create schema if not exists {schema}")
            if table in REPLICATED:
                columns = [c for (c,) in conn.execute(
                    "select column_name from information_schema.columns where table_catalog = 'base' "
                    "and table_schema || '.' || table_name = ? order by ordinal_position", [table]).fetchall()]
                sql = " union all ".join(_copy_select(table, columns, k) for k in range(copies))
            else:
                sql = f"select * from base.{table}"
            conn.execute(f"create or replace table {table} as {sql}")
            rows[table] = conn.execute(f"select count(*) from {table}").fetchone()[0]
        return rows
    finally:
        conn.close()
