"""Incremental facts: daily runs that rebuild only the new days give the same marts, to the
last digit, as a full refresh over the same raw data."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from ingestion.pipeline import run_all_sources
from ingestion.sandbox.generator import BusinessParams, generate_business
from ingestion.sandbox.server import Sandbox
from tests.conftest import copy_warehouse
from tests.dbt import golden
from tests.dbt.conftest import load_raw
from throughline.publish import CONTRACT_MARTS
from throughline.transform import build
from throughline.warehouse import Warehouse

pytestmark = pytest.mark.slow

DAILY_RUNS = 3
# Beside the contract marts, the facts under them and the visitors' paths the Markov chain counts
# (internal build stamps left out).
FACTS = ("marts.fct_attribution", "marts.fct_sessions", "marts.fct_leads", "marts.fct_deals", "marts.fct_calls",
         "intermediate.int_session_paths")


def snapshot(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    conn = warehouse.connect()
    try:
        frames = {}
        for table in [f"marts.{name}" for name in CONTRACT_MARTS] + list(FACTS):
            frame = conn.sql(f"select * from {table}").df()
            frame = frame.drop(columns=[c for c in frame.columns if c == "rebuilt_at"])
            frames[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True).round(9)
        return frames
    finally:
        conn.close()


INCREMENTAL = ("intermediate.int_sessions_sourced", "intermediate.int_sessions", "intermediate.int_session_paths",
               "intermediate.int_visitor_days", "intermediate.int_sessions_daily", "intermediate.int_calls_sourced",
               "intermediate.int_touch_paths", "intermediate.int_attribution_rule_weights")


def build_stamps(warehouse: Warehouse) -> dict[str, object]:
    """The newest build stamp of each incremental table."""
    conn = warehouse.connect()
    try:
        return {table: conn.execute(f"select max(rebuilt_at) from {table}").fetchone()[0] for table in INCREMENTAL}
    finally:
        conn.close()


def rebuilt_rows(warehouse: Warehouse, stamps_before: dict[str, object]) -> dict[str, tuple[int, int]]:
    """(rows stamped after `stamps_before`, all rows) of each incremental table."""
    conn = warehouse.connect()
    try:
        return {table: conn.execute(f"select count(*) filter (where rebuilt_at > ?), count(*) from {table}",
                                    [stamp]).fetchone() for table, stamp in stamps_before.items()}
    finally:
        conn.close()


def rebuild_whole(warehouse: Warehouse) -> None:
    """The reference: a full refresh over the same raw data (without dbt's tests, which the
    daily run before it ran)."""
    build(warehouse, full_refresh=True, tests=False)


@pytest.fixture(scope="module")
def golden_built(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The golden business loaded and built whole, once: the tests that change it start from a copy."""
    path = tmp_path_factory.mktemp("golden-built") / "warehouse.duckdb"
    load_raw(path, golden.raw_tables())
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, full_refresh=True)
    return warehouse


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("incremental")
    business = generate_business(BusinessParams(
        seed=11, start_date=date.today() - timedelta(days=45), days=45, visitors_per_day=60))
    warehouse = Warehouse.from_url(f"duckdb:///{root / 'warehouse.duckdb'}")
    with pytest.MonkeyPatch.context() as patch, Sandbox(business, files_dir=root / "files") as sandbox:
        patch.setenv("THROUGHLINE_DATA_DIR", str(root / "data"))
        for key, value in sandbox.source_env().items():
            patch.setenv(key, value)
        sandbox.set_as_of(business.end_date - timedelta(days=DAILY_RUNS))
        run_all_sources(warehouse)
        build(warehouse, full_refresh=True)
        before = snapshot(warehouse)
        rebuilt = []
        for day in range(DAILY_RUNS - 1, -1, -1):  # a day arrives, the daily run follows
            sandbox.set_as_of(business.end_date - timedelta(days=day))
            run_all_sources(warehouse)
            stamps = build_stamps(warehouse)
            build(warehouse)
            rebuilt.append(rebuilt_rows(warehouse, stamps))
        incremental = snapshot(warehouse)
        rebuild_whole(warehouse)
        full = snapshot(warehouse)
    return before, incremental, full, rebuilt


def test_daily_runs_equal_a_full_refresh(runs) -> None:
    _, incremental, full, _ = runs
    for table, frame in full.items():
        pd.testing.assert_frame_equal(incremental[table], frame, check_dtype=False, obj=table)


def test_the_new_days_changed_the_marts(runs) -> None:
    before, _, full, _ = runs
    for table in ("marts.mart_channel_performance", "marts.fct_attribution", "marts.fct_sessions"):
        assert len(full[table]) > len(before[table]), table


def test_daily_runs_rebuilt_only_part_of_the_facts(runs) -> None:
    """Each run rebuilt less than half of each table, and each table had rows rebuilt (a day may
    bring no call, so not necessarily in every run)."""
    _, _, _, rebuilt = runs
    for run in rebuilt:
        for table, (rows, total) in run.items():
            assert rows < total / 2, (table, rows, total)
    for table in rebuilt[0]:
        assert any(0 < run[table][0] < run[table][1] for run in rebuilt), table


def test_a_daily_run_restamps_only_the_sessions_that_changed(runs) -> None:
    """The reprocess window rebuilds a week of sessions; those that came out as they were keep
    their stamp, so the models downstream redo only the new day's (this sandbox restates none)."""
    _, _, _, rebuilt = runs
    sourced = [run["intermediate.int_sessions_sourced"] for run in rebuilt]
    for (_, total_before), (rows, total) in zip(sourced, sourced[1:], strict=False):
        assert rows == total - total_before > 0, (rows, total - total_before)


def test_a_call_linking_an_older_lead_rebuilds_its_path(tmp_path) -> None:
    """L5 (golden scenario) came in without a visitor. Weeks later its phone calls a dynamic
    number carrying visitor v3: the daily run links them, and v3's visits before L5 join L5's
    path, exactly as a full rebuild has it."""

    def path_of_l5(warehouse: Warehouse) -> list[tuple]:
        conn = warehouse.connect()
        try:
            return conn.execute(
                "select attribution_model, touch_type, touch_id, channel, round(weight, 9) from marts.fct_attribution "
                "where conversion_type = 'lead' and conversion_id = 'L5' order by 1, 2, 3").fetchall()
        finally:
            conn.close()

    tables = golden.raw_tables()
    calls = tables["raw_calltracking.calls"].copy()
    calls.loc[calls["call_id"] == "CALL1", "started_at"] = golden.ts("2026-10-02T09:00:00")  # after every lead
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, {**tables, "raw_calltracking.calls": calls[calls["call_id"] != "CALL1"]})
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, full_refresh=True)
    before = path_of_l5(warehouse)
    load_raw(path, {"raw_calltracking.calls": calls})  # the call arrives with the next load
    build(warehouse)
    daily = path_of_l5(warehouse)
    rebuild_whole(warehouse)
    assert {row[1] for row in before} == {"synthetic"}
    assert [row[:2] for row in daily if row[0] == "first_touch"] == [("first_touch", "session")]
    assert daily == path_of_l5(warehouse)


def test_old_billboard_calls_that_arrive_late_vanish_or_turn_dynamic_reach_their_paths(tmp_path) -> None:
    """Leads L8 and L9 (10 September) came from phones that had called billboard numbers the day
    before, weeks before any day a daily run rebuilds. The call tracker delivers L8's call (CALL2)
    late and drops L9's (CALL4): L8's path gains the Offline call touch and L9's becomes synthetic.
    Then a call to CALL2's number carries a visitor id: the number is dynamic after all, so CALL2,
    which has no visitor id, is no touch and L8's path is synthetic again. Each daily run's paths
    are as worked out here, and the last run's marts are exactly a full rebuild's."""

    def touches(warehouse: Warehouse) -> dict[str, list[tuple]]:
        frame = warehouse.read_frame(
            "select conversion_id, touch_type, touch_id from marts.fct_attribution "
            "where attribution_model = 'linear' and conversion_id in ('L8', 'L9') order by 1, 2, 3")
        return {lead: [tuple(row) for row in rows[["touch_type", "touch_id"]].values.tolist()]
                for lead, rows in frame.groupby("conversion_id")}

    tables = golden.raw_tables()
    billboard_lead = {**tables["raw_bitrix24.leads"].iloc[0].to_dict(), "client_id": None, "contact_id": None,
                      "email_normalized": None,
                      "utm_source": None, "utm_medium": None, "utm_campaign": None, "utm_content": None,
                      "utm_term": None, "date_create": golden.kyiv(golden.ts("2026-09-10T09:00:00"))}
    leads = pd.concat([tables["raw_bitrix24.leads"], pd.DataFrame([
        {**billboard_lead, "id": "L8", "phone_e164": "+380931110000"},
        {**billboard_lead, "id": "L9", "phone_e164": "+380931110009"}])], ignore_index=True)
    calls = tables["raw_calltracking.calls"]
    call2 = calls[calls["call_id"] == "CALL2"].iloc[0].to_dict()
    call4 = {**call2, "call_id": "CALL4", "caller_phone_e164": "+380931110009", "tracking_number": "+380442000003"}
    # a visit's call to CALL2's number, after every lead, from a phone no lead has
    call5 = {**call2, "call_id": "CALL5", "started_at": golden.ts("2026-10-02T09:00:00"), "answered": True,
             "caller_phone_e164": "+380990000005", "client_id": "v1"}
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, {**tables, "raw_bitrix24.leads": leads,
                    "raw_calltracking.calls": pd.concat([calls[calls["call_id"] != "CALL2"], pd.DataFrame([call4])],
                                                        ignore_index=True)})
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, full_refresh=True, tests=False)
    before = touches(warehouse)
    load_raw(path, {"raw_calltracking.calls": calls})  # CALL2 arrives, CALL4 is gone
    build(warehouse, tests=False)
    late_and_gone = touches(warehouse)
    load_raw(path, {"raw_calltracking.calls": pd.concat([calls, pd.DataFrame([call5])], ignore_index=True)})
    build(warehouse, tests=False)
    dynamic, daily = touches(warehouse), snapshot(warehouse)
    rebuild_whole(warehouse)

    assert before == {"L8": [("synthetic", "lead:L8")], "L9": [("call", "CALL4")]}
    assert late_and_gone == {"L8": [("call", "CALL2")], "L9": [("synthetic", "lead:L9")]}
    assert dynamic == {"L8": [("synthetic", "lead:L8")], "L9": [("synthetic", "lead:L9")]}
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily[table], frame, check_dtype=False, obj=table)


def test_a_daily_run_leaves_the_file_checkpointed(golden_built: Warehouse, tmp_path: Path) -> None:
    """build() ends by writing the run into the DuckDB file, as a dbt process does when it ends
    (the benchmark times it so): nothing is left in the write-ahead log while dbt, run in this
    process, still holds the file open."""
    warehouse = copy_warehouse(golden_built, tmp_path)
    load_raw(warehouse.path, golden.restated_crm(golden.raw_tables()))
    build(warehouse, tests=False)

    log = Path(f"{warehouse.path}.wal")
    assert not log.exists() or log.stat().st_size == 0


def test_a_restated_worth_reaches_the_attributed_figures(golden_built: Warehouse, tmp_path: Path) -> None:
    """A lead marked junk, a deal's amount and another's close date restated, none of them near a
    new touch (golden.restated_crm): the daily run credits the new worth on the unchanged paths,
    exactly as a full rebuild does."""
    tables = golden.raw_tables()
    warehouse = copy_warehouse(golden_built, tmp_path)
    load_raw(warehouse.path, golden.restated_crm(tables))
    build(warehouse)
    daily = snapshot(warehouse)
    credited = warehouse.read_frame(
        "select conversion_id, min(credit_date) as credit_date, sum(qualified_leads) as qualified, "
        "sum(revenue) as revenue from marts.fct_attribution where attribution_model = 'linear' "
        "and conversion_id in ('L1', 'D1', 'D3') group by 1 order by 1").set_index("conversion_id")
    rebuild_whole(warehouse)

    assert credited.loc["L1", "qualified"] == 0
    assert credited.loc["D1", "revenue"] == pytest.approx(150 * 42)
    assert str(credited.loc["D3", "credit_date"])[:10] == "2026-10-06"
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily[table], frame, check_dtype=False, obj=table)


def test_a_deal_reopened_leaves_the_attributed_figures(golden_built: Warehouse, tmp_path: Path) -> None:
    """D1 is reopened in the CRM after it was credited: the daily run deletes its weights, credits
    and path (the vanished-conversion post-hooks) and D3 becomes the contact's first won deal,
    exactly as a full rebuild has it."""

    def deals_credited(warehouse: Warehouse) -> dict[str, float]:
        frame = warehouse.read_frame(
            "select conversion_id, sum(new_customers) as new_customers from marts.fct_attribution "
            "where conversion_type = 'deal' and attribution_model = 'linear' group by 1")
        return dict(zip(frame["conversion_id"], frame["new_customers"].astype(float), strict=True))

    tables = golden.raw_tables()
    warehouse = copy_warehouse(golden_built, tmp_path)
    before = deals_credited(warehouse)
    deals = tables["raw_bitrix24.deals"].copy()
    deals.loc[deals["id"] == "D1", ["stage_id", "stage_semantic_id", "closed", "closedate"]] = [
        "NEGOTIATION", "P", "N", None]
    load_raw(warehouse.path, {"raw_bitrix24.deals": deals})
    build(warehouse)
    daily, daily_tables = deals_credited(warehouse), snapshot(warehouse)
    leftovers = warehouse.read_frame(
        "select count(*) as n from (select conversion_id from intermediate.int_attribution_rule_weights "
        "union all select conversion_id from intermediate.int_conversion_paths "
        "union all select conversion_id from intermediate.int_touch_paths) where conversion_id = 'D1'")
    rebuild_whole(warehouse)

    assert before["D1"] == pytest.approx(1) and before["D3"] == pytest.approx(0)
    assert "D1" not in daily and daily["D3"] == pytest.approx(1)
    assert leftovers["n"].iloc[0] == 0
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily_tables[table], frame, check_dtype=False, obj=table)


def test_a_restated_old_call_and_a_deleted_one(tmp_path) -> None:
    """Weeks after they were built, the call tracker restates CALL2 (the missed billboard call
    was answered after all) and drops CALL3 (the callback), both moved to August, long before
    the sessions a daily run rebuilds: the daily run rebuilds the one and deletes the other,
    exactly as a full rebuild has it."""
    tables = golden.raw_tables()
    calls = tables["raw_calltracking.calls"].copy()
    calls.loc[calls["call_id"] == "CALL2", "started_at"] = golden.ts("2026-08-20T10:00:00")
    calls.loc[calls["call_id"] == "CALL3", "started_at"] = golden.ts("2026-08-20T12:00:00")
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, {**tables, "raw_calltracking.calls": calls})
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, full_refresh=True)
    calls.loc[calls["call_id"] == "CALL2", ["answered", "wait_seconds"]] = [True, 5]
    load_raw(path, {"raw_calltracking.calls": calls[calls["call_id"] != "CALL3"]})
    build(warehouse)
    daily = snapshot(warehouse)
    built = warehouse.read_frame("select call_id, is_missed, wait_seconds from marts.fct_calls order by call_id")
    rebuild_whole(warehouse)

    assert built.values.tolist() == [["CALL1", False, 12], ["CALL2", False, 5]]
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily[table], frame, check_dtype=False, obj=table)


def test_a_lead_edited_in_the_crm_rebuilds_its_path(golden_built: Warehouse, tmp_path: Path) -> None:
    """Weeks after they were built, with no new session or call anywhere near them, the CRM
    gets L4's UTM fields (it had none: a synthetic '(unattributed)' touch) and L3 gets visitor
    v2's client id: the daily run rebuilds both paths (int_contact_identities), exactly as a full
    rebuild has them."""

    def touches(warehouse: Warehouse, lead_id: str) -> list[tuple]:
        frame = warehouse.read_frame(
            "select touch_type, channel from marts.fct_attribution where attribution_model = 'linear' "
            f"and conversion_type = 'lead' and conversion_id = '{lead_id}' order by touch_position")
        return list(frame.itertuples(index=False, name=None))

    tables = golden.raw_tables()
    warehouse = copy_warehouse(golden_built, tmp_path)
    before = touches(warehouse, "L4"), touches(warehouse, "L3")
    leads = tables["raw_bitrix24.leads"].copy()
    leads.loc[leads["id"] == "L4", ["utm_source", "utm_medium", "utm_campaign"]] = ["facebook", "cpc", "Leads Broad"]
    leads.loc[leads["id"] == "L3", "client_id"] = "v2"
    load_raw(warehouse.path, {"raw_bitrix24.leads": leads})
    build(warehouse)
    daily, daily_tables = (touches(warehouse, "L4"), touches(warehouse, "L3")), snapshot(warehouse)
    rebuild_whole(warehouse)

    assert before == ([("synthetic", "(unattributed)")], [("synthetic", "Webinars")])
    assert daily[0] == [("synthetic", "Paid Social")]
    assert [channel for _, channel in daily[1]] == ["Email", "Messengers", "Organic Search", "Direct", "Direct"]
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily_tables[table], frame, check_dtype=False, obj=table)


def test_a_backfill_of_old_days_reaches_the_marts(tmp_path) -> None:
    """Weeks after the build, a backfill loads two August days of GA4 (a partition run): a visit
    of v1 before its lead, and a new visitor's. They are older than the reprocess window, yet the
    daily run after the load rebuilds them, as a full rebuild has them (it took --full-refresh)."""
    tables = golden.raw_tables()
    loaded = {"schema_name": "ga4", "status": 0}
    events = tables["raw_ga4.events"].assign(_dlt_load_id="1790000000.100000")
    first_load = pd.DataFrame([{**loaded, "load_id": "1790000000.100000",
                                "inserted_at": golden.ts("2026-09-09T00:00:00")}])
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, {**tables, "raw_ga4.events": events, "raw_ga4._dlt_loads": first_load})
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, full_refresh=True)

    backfill = pd.DataFrame([*golden.session_events("v1", 900, "2026-08-25T09:00:00", "google", "cpc", "101"),
                             *golden.session_events("v9", 901, "2026-08-20T23:30:00", "google", "organic")])
    backfill_load = {**loaded, "load_id": "1800000000.200000", "inserted_at": pd.Timestamp.now(tz="UTC")}
    load_raw(path, {"raw_ga4.events": pd.concat([events, backfill.assign(_dlt_load_id=backfill_load["load_id"])]),
                    "raw_ga4._dlt_loads": pd.concat([first_load, pd.DataFrame([backfill_load])])})
    build(warehouse)
    daily = snapshot(warehouse)
    rebuild_whole(warehouse)

    sessions = daily["marts.fct_sessions"]
    assert set(sessions.loc[sessions["ga_session_id"].isin([900, 901]), "client_id"]) == {"v1", "v9"}
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily[table], frame, check_dtype=False, obj=table)


def test_a_session_running_for_days_stays_one_session(tmp_path) -> None:
    """GA4 sets no longest session: a page that keeps sending events (a dashboard on an office
    screen) keeps one session for days. One comes from Facebook on 28 August at 10:00 and sends an
    event every 20 minutes until 2 September 10:00, across the daily run's window (from 1 September
    08:40, a week before the newest session) and the day before it. The run after its last days
    load keeps it one Paid Social session of 28 August with all its 361 events, as a full rebuild
    has it."""
    tables = golden.raw_tables()
    first_event = golden.session_events("v8", 8000, "2026-08-28T10:00:00", "facebook", "cpc", "spring")[0]
    every_20_minutes = [
        {**first_event, "event_name": "page_view", "source": None, "medium": None, "campaign": None,
         "event_at": at, "event_date": at.date(), "event_timestamp": int(at.timestamp() * 1_000_000)}
        for at in (first_event["event_at"] + timedelta(minutes=20 * step) for step in range(1, 361))
    ]
    long_session = pd.DataFrame([first_event, *every_20_minutes])
    loaded_first = long_session["event_at"] < golden.ts("2026-08-30T10:00:00")
    events = tables["raw_ga4.events"]
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, {**tables, "raw_ga4.events": pd.concat([events, long_session[loaded_first]])})
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, full_refresh=True, tests=False)
    load_raw(path, {"raw_ga4.events": pd.concat([events, long_session])})
    build(warehouse)
    daily = snapshot(warehouse)
    rebuild_whole(warehouse)

    sessions = daily["marts.fct_sessions"]
    v8 = sessions[sessions["client_id"] == "v8"]
    assert len(v8) == 1
    assert (str(v8["started_at"].iloc[0])[:19], v8["channel"].iloc[0]) == ("2026-08-28 10:00:00", "Paid Social")
    assert warehouse.read_frame("select events from intermediate.int_sessions_sourced "
                                "where client_id = 'v8'")["events"].tolist() == [361]
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily[table], frame, check_dtype=False, obj=table)


def test_a_visitor_turning_bot_flags_its_old_sessions(tmp_path) -> None:
    """Visitor v11 came from Google search on 20 August, weeks before the daily run's window. A
    later load brings 51 sessions of v11 on 5 September, more than max_sessions_per_visitor_day
    (50): v11 is now a bot or shared id. The daily run flags all 52 of its sessions, the one of
    20 August too (restamped, so that its day is recounted), as a full rebuild has them."""
    tables = golden.raw_tables()
    events = tables["raw_ga4.events"]
    first_visit = pd.DataFrame(golden.session_events("v11", 9100, "2026-08-20T09:00:00", "google", "organic"))
    burst = pd.DataFrame([event for n in range(51) for event in golden.session_events(
        "v11", 9101 + n, (golden.ts("2026-09-05T06:00:00") + timedelta(minutes=10 * n)).isoformat()[:19])])
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, {**tables, "raw_ga4.events": pd.concat([events, first_visit])})
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, full_refresh=True, tests=False)
    first_build = warehouse.read_frame("select max(rebuilt_at) as stamp from intermediate.int_sessions")["stamp"][0]
    assert not warehouse.read_frame("select is_flagged_visitor from intermediate.int_sessions "
                                    "where client_id = 'v11'")["is_flagged_visitor"].any()
    load_raw(path, {"raw_ga4.events": pd.concat([events, first_visit, burst])})
    build(warehouse)
    daily = snapshot(warehouse)
    v11 = warehouse.read_frame("select started_at, is_flagged_visitor, rebuilt_at from intermediate.int_sessions "
                               "where client_id = 'v11' order by started_at")
    rebuild_whole(warehouse)

    assert len(v11) == 52 and v11["is_flagged_visitor"].all()
    assert str(v11["started_at"].iloc[0])[:10] == "2026-08-20" and v11["rebuilt_at"].iloc[0] > first_build
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily[table], frame, check_dtype=False, obj=table)


def test_the_day_the_clocks_go_back_is_counted_whole(tmp_path) -> None:
    """25 October 2026 lasts 25 hours in Kyiv. Visitor v9 visits three times in its first hour
    (00:10 to 00:50, UTC+3) and once more at 23:30 (UTC+2), which a later load brings: the daily
    run recounted the day from 24 hours before that visit, half an hour after the day began, and
    the visitor's day came out as 3 sessions, not 4."""
    tables = golden.raw_tables()
    early = [event for minute in (10, 30, 50)
             for event in golden.session_events("v9", 9000 + minute, f"2026-10-24T21:{minute}:00", "google", "organic")]
    late = golden.session_events("v9", 9100, "2026-10-25T21:30:00", "google", "organic")
    events = pd.concat([tables["raw_ga4.events"], pd.DataFrame(early)])
    path = tmp_path / "warehouse.duckdb"
    load_raw(path, {**tables, "raw_ga4.events": events})
    warehouse = Warehouse.from_url(f"duckdb:///{path}")
    build(warehouse, full_refresh=True, tests=False)
    load_raw(path, {"raw_ga4.events": pd.concat([events, pd.DataFrame(late)])})
    build(warehouse, tests=False)

    def v9_days() -> list[tuple]:
        return [tuple(row) for row in warehouse.read_frame(
            "select cast(session_date as text), sessions from intermediate.int_visitor_days "
            "where client_id = 'v9' order by 1").itertuples(index=False)]

    daily = v9_days()
    rebuild_whole(warehouse)
    assert daily == v9_days() == [("2026-10-25", 4)]


def test_tables_an_older_release_built_take_the_new_columns(golden_built: Warehouse, tmp_path: Path) -> None:
    """Leads and deals rewrite only their changed rows: after an upgrade that adds a column or
    changes a type, the daily run brings the tables the older release built to the new columns
    (on_schema_change='sync_all_columns'), every row as a full rebuild has it."""
    warehouse = copy_warehouse(golden_built, tmp_path)

    def column_types(table: str) -> dict[str, str]:
        schema, name = table.split(".")
        frame = warehouse.read_frame(
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{name}'")
        return dict(frame.itertuples(index=False, name=None))

    tables = ("intermediate.int_leads", "intermediate.int_deals")
    new_types = {table: column_types(table) for table in tables}
    conn = warehouse.connect()
    try:  # as an older release left them: a column missing, another of another type
        conn.execute("alter table intermediate.int_leads drop column is_untagged")
        conn.execute("alter table intermediate.int_leads alter column first_response_minutes type varchar")
        conn.execute("alter table intermediate.int_deals alter column amount type varchar")
    finally:
        conn.close()
    assert column_types("intermediate.int_leads")["first_response_minutes"] == "VARCHAR"

    build(warehouse)
    daily = snapshot(warehouse)
    assert {table: column_types(table) for table in tables} == new_types
    rebuild_whole(warehouse)
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily[table], frame, check_dtype=False, obj=table)


def test_sessions_an_older_release_built_hand_their_path_to_its_own_table(golden_built: Warehouse,
                                                                          tmp_path: Path) -> None:
    """Releases before int_session_paths kept each session's place in its visitor's path in
    int_sessions: the first daily run after the upgrade drops those columns there and builds the
    paths table whole, every figure as a full rebuild has it."""
    warehouse = copy_warehouse(golden_built, tmp_path)
    conn = warehouse.connect()
    try:  # as the older release left it
        conn.execute("drop table intermediate.int_session_paths")
        conn.execute("alter table intermediate.int_sessions add column previous_visit_channel varchar")
        conn.execute("alter table intermediate.int_sessions add column is_last_visit boolean")
    finally:
        conn.close()

    build(warehouse)
    daily = snapshot(warehouse)
    columns = warehouse.read_frame("select column_name from information_schema.columns "
                                   "where table_schema = 'intermediate' and table_name = 'int_sessions'")
    assert not {"previous_visit_channel", "is_last_visit"} & set(columns["column_name"])
    rebuild_whole(warehouse)
    for table, frame in snapshot(warehouse).items():
        pd.testing.assert_frame_equal(daily[table], frame, check_dtype=False, obj=table)
