"""The relationships tests catch what they are for. Inputs the spec allows but someone should fix
(a deal whose lead the CRM no longer has, a lead of a deleted CRM user, a manual cost naming a
channel channel_rules lacks) warn and block nothing; an orphan our own SQL would have made (a fact
whose day, channel or lead its dimension lacks) fails at error. The golden business plus those
inputs, and a call older than every other fact: dim_date still has its day."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from dbt.cli.main import dbtRunner

from tests.conftest import copy_warehouse
from tests.dbt import golden
from tests.dbt.conftest import query_of
from throughline.transform import dbt_command
from throughline.warehouse import Warehouse

WARN_TESTS = ("fct_deals_lead_in_fct_leads", "fct_leads_manager_in_dim_manager", "fct_ad_spend_channel_in_dim_channel")
ERROR_TESTS = (
    "fct_attribution_lead_in_fct_leads",
    "fct_sessions_date_in_dim_date",
    "fct_sessions_channel_in_dim_channel",
    "mart_channel_performance_date_in_dim_date",
    "not_null_fct_sessions_session_id",
    "unique_combination_of_columns_fct_sessions_session_id",
    "unique_combination_of_columns_mart_channel_performance_date__channel__attribution_model",
    "fct_ad_spend_one_row_per_ad_day",
)


@pytest.fixture(scope="module")
def warehouse(build_warehouse) -> Warehouse:
    tables = golden.raw_tables()
    deal = golden.deals()[0]
    deals = [{**deal, "id": "D9", "lead_id": "L404", "contact_id": None}]  # the CRM deleted L404
    leads = [golden.lead("L9", "2026-09-07T09:00:00", phone="+380679999999", manager="77")]  # no user 77
    call = {**golden.calls()[1], "call_id": "EARLY", "started_at": golden.ts("2014-05-01T09:00:00"),
            "caller_phone_e164": "+380930000001"}  # before every session, lead and spend
    costs = tables["raw_manual_costs.costs"]
    seo = {**costs.iloc[0].to_dict(), "channel": "SEO", "campaign": None, "row_number": 3}  # not a channel
    tables.update({
        "raw_bitrix24.deals": pd.concat([tables["raw_bitrix24.deals"], pd.DataFrame(deals)], ignore_index=True),
        "raw_bitrix24.leads": pd.concat([tables["raw_bitrix24.leads"], pd.DataFrame(leads)], ignore_index=True),
        "raw_calltracking.calls": pd.concat([tables["raw_calltracking.calls"], pd.DataFrame([call])],
                                            ignore_index=True),
        "raw_manual_costs.costs": pd.concat([costs, pd.DataFrame([seo])], ignore_index=True),
    })
    return build_warehouse(tables, "orphans")  # builds: warn tests do not stop it


def run_tests(warehouse: Warehouse, names: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    """dbt test of the named tests on `warehouse`: name -> (status, failing rows)."""
    with pytest.MonkeyPatch.context() as env:
        for key, value in warehouse.dbt_env().items():
            env.setenv(key, value)
        result = dbtRunner().invoke(dbt_command("test", select=" ".join(names)))
    return {
        r.node.name: (str(getattr(r.status, "value", r.status)), r.failures)
        for r in result.result.results
        if r.node.resource_type == "test"
    }


def test_inputs_to_fix_warn_and_name_the_orphans(warehouse: Warehouse) -> None:
    assert run_tests(warehouse, WARN_TESTS) == {
        "fct_deals_lead_in_fct_leads": ("warn", 1),
        "fct_leads_manager_in_dim_manager": ("warn", 1),
        "fct_ad_spend_channel_in_dim_channel": ("warn", 10),  # the cost's ten days
    }
    query = query_of(warehouse)
    # and every figure still counts: the deal, the lead, the cost
    assert query("select lead_id from marts.fct_deals where deal_id = 'D9'") == [("L404",)]
    assert query("select manager_id from marts.fct_leads where lead_id = 'L9'") == [("77",)]
    assert query("select sum(spend) from marts.fct_ad_spend where channel = 'SEO'") == [(pytest.approx(500),)]


def test_a_call_older_than_every_other_fact_has_its_day(warehouse: Warehouse) -> None:
    """A call twelve years before the other facts: the calendar spans every day between (it
    stopped 4,001 days after the first, and the later days' facts failed their tests)."""
    assert run_tests(warehouse, ("fct_calls_date_in_dim_date", "fct_sessions_date_in_dim_date")) == {
        "fct_calls_date_in_dim_date": ("pass", 0), "fct_sessions_date_in_dim_date": ("pass", 0)}
    days = query_of(warehouse)("select min(date_day), count(*), count(distinct date_day), "
                               "max(date_day) - min(date_day) + 1 from marts.dim_date")
    assert days[0][0] == pd.Timestamp("2014-05-01").date() and days[0][1] == days[0][2] == days[0][3] > 4001


def test_orphans_our_sql_would_make_fail_at_error(warehouse: Warehouse, tmp_path: Path) -> None:
    """A copy of the built warehouse with a lead, a day and a channel taken out of what points at
    them, a session without its id (the data check reads only the last weeks of sessions), and
    keys twice: a session, a day of a channel's figures and a day of an ad's spend."""
    broken = copy_warehouse(warehouse, tmp_path)
    conn = broken.connect()
    try:
        # fct_leads is a view over the leads that fct_attribution's credits read too: a table of
        # it without L1 takes the lead out of what points at it
        conn.execute("create table marts.fct_leads_without_l1 as select * from marts.fct_leads where lead_id <> 'L1'")
        conn.execute("drop view marts.fct_leads")
        conn.execute("alter table marts.fct_leads_without_l1 rename to fct_leads")
        conn.execute("delete from marts.dim_date where date_day = date '2026-09-01'")  # v1's first session
        conn.execute("delete from marts.dim_channel where channel = 'Direct'")
        conn.execute("update intermediate.int_sessions set session_id = null where session_id = "
                     "(select min(session_id) from intermediate.int_sessions)")
        conn.execute("insert into intermediate.int_sessions select * from intermediate.int_sessions "
                     "where session_id = (select max(session_id) from intermediate.int_sessions)")
        conn.execute("insert into marts.mart_channel_performance (select * from marts.mart_channel_performance "
                     "where date <> date '2026-09-01' order by date, channel, attribution_model limit 1)")
        # a day of an ad's spend twice, and a manual cost line repeating another's day (allowed)
        conn.execute("insert into marts.fct_ad_spend (select * from marts.fct_ad_spend where platform = 'google_ads' "
                     "order by spend_date, campaign_id, ad_id limit 1)")
        conn.execute("insert into marts.fct_ad_spend (select * from marts.fct_ad_spend where platform = 'manual' "
                     "order by spend_date, campaign_id limit 1)")
    finally:
        conn.close()
    assert run_tests(broken, ERROR_TESTS) == {
        "fct_attribution_lead_in_fct_leads": ("fail", 1),
        "fct_sessions_date_in_dim_date": ("fail", 1),
        "fct_sessions_channel_in_dim_channel": ("fail", 3),  # v1's second, v2's last two sessions
        # Paid Search (v1's session, Google spend), Webinars and SEO (manual costs) x 7 models
        "mart_channel_performance_date_in_dim_date": ("fail", 21),
        "not_null_fct_sessions_session_id": ("fail", 1),
        "unique_combination_of_columns_fct_sessions_session_id": ("fail", 1),
        "unique_combination_of_columns_mart_channel_performance_date__channel__attribution_model": ("fail", 1),
        "fct_ad_spend_one_row_per_ad_day": ("fail", 1),
    }
