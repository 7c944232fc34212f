"""GX suites on frames: clean frames pass, each planted violation fails with its expectation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from expectations.runner import validate
from expectations.suites import ALL_SUITES, SuiteSpec
from tests.expectations.frames import performance

SUITES = {spec.name: spec for spec in ALL_SUITES}
TODAY = date.today()


def _outcome(name: str, frame: pd.DataFrame):
    return validate(SUITES[name], frame)


def _failed(outcome) -> set[tuple[str, str]]:
    return {(f.expectation, f.column) for f in outcome.failures}


def calls() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "call_id": ["a", "b", "c"],
            "direction": ["inbound", "outbound", "inbound"],
            "wait_seconds": [5, 0, 30],
            "duration_seconds": [60, 30, 0],
            "talk_seconds": [55, 30, 0],
            "started_at": pd.to_datetime(["2026-01-01T10:00:00Z"] * 3),
        }
    )


def crm_file_leads() -> pd.DataFrame:
    return pd.DataFrame(
        {"lead_id": ["1", "2", "3"], "created_at": [datetime(2026, 1, d) for d in (1, 2, 3)]}
    )


def channel_performance() -> pd.DataFrame:
    return pd.DataFrame(performance(date=[TODAY, TODAY], channel=["Paid Search", "Direct"]))


def attribution() -> pd.DataFrame:
    """fct_attribution read through the conservation query: one row per model."""
    return pd.DataFrame(
        {
            "attribution_model": ["linear", "markov"],
            "attributed_leads": [12.0, 12.0],
            "plain_leads": [12, 12],
            "lead_gap": [0.0, 1e-9],
        }
    )


def test_clean_frames_pass() -> None:
    assert _outcome("calltracking_calls", calls()).success
    assert _outcome("crm_file_leads", crm_file_leads()).success
    assert _outcome("marts_mart_channel_performance", channel_performance()).success
    assert _outcome("marts_fct_attribution", attribution()).success


def test_negative_wait_and_unknown_direction_fail() -> None:
    frame = calls()
    frame.loc[1, "wait_seconds"] = -3
    frame.loc[2, "direction"] = "sideways"
    outcome = _outcome("calltracking_calls", frame)
    assert not outcome.success
    assert _failed(outcome) == {
        ("expect_column_values_to_be_between", "wait_seconds"),
        ("expect_column_values_to_be_in_set", "direction"),
    }
    samples = {f.column: f.samples for f in outcome.failures}
    assert samples == {"wait_seconds": ["-3"], "direction": ["sideways"]}
    assert "wait_seconds failed (1 rows), e.g. ['-3']" in outcome.metadata()["failures"]


def test_malformed_crm_export_fails_keys_and_dates() -> None:
    frame = crm_file_leads()
    frame.loc[1, "lead_id"] = "1"  # duplicate
    frame.loc[3] = [None, datetime.combine(TODAY + timedelta(days=30), datetime.min.time())]
    outcome = _outcome("crm_file_leads", frame)
    assert _failed(outcome) == {
        ("expect_column_values_to_not_be_null", "lead_id"),
        ("expect_column_values_to_be_unique", "lead_id"),
        ("expect_column_values_to_be_between", "created_at"),
    }
    assert SUITES["crm_file_leads"].blocking


def test_a_deal_s_close_date_ahead_stops_nothing() -> None:
    """Bitrix24 gives an open deal the date it is planned to close as CLOSEDATE (by default a week
    after its creation), and a deal won early keeps it where the portal does not set it on
    closing: neither stops the build. A creation date ahead still fails."""
    next_week = datetime.combine(TODAY + timedelta(days=7), datetime.min.time())
    frame = pd.DataFrame({"id": ["1", "2"], "stage_semantic_id": ["P", "S"], "closed": ["N", "Y"],
                          "currency_id": ["UAH", "UAH"], "opportunity": [100.0, 200.0],
                          "date_create": [datetime(2026, 1, 1)] * 2, "closedate": [next_week] * 2})
    assert _outcome("bitrix24_deals", frame).success
    frame.loc[1, "date_create"] = next_week
    assert _failed(_outcome("bitrix24_deals", frame)) == {("expect_column_values_to_be_between", "date_create")}


def test_a_ratio_over_a_zero_denominator_must_be_null() -> None:
    frame = channel_performance()
    frame.loc[1, "cpl"] = 0.0  # Direct has 0 leads: cpl must be NULL, not 0
    outcome = _outcome("marts_mart_channel_performance", frame)
    assert _failed(outcome) == {("expect_column_values_to_be_null", "cpl")}


def test_attribution_that_does_not_conserve_leads_fails() -> None:
    frame = attribution()
    frame.loc[1, ["attributed_leads", "lead_gap"]] = [12.5, 0.5]
    outcome = _outcome("marts_fct_attribution", frame)
    assert _failed(outcome) == {("expect_column_values_to_be_between", "lead_gap")}
    assert outcome.failures[0].samples == ["0.5"]


def test_a_missing_contract_column_fails() -> None:
    outcome = _outcome("marts_mart_channel_performance", channel_performance().drop(columns="cac"))
    assert ("expect_column_to_exist", "cac") in _failed(outcome)
    assert not outcome.success


def test_an_error_inside_gx_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    import great_expectations as gx

    def broken(**_: object) -> None:
        raise RuntimeError("context store unavailable")

    monkeypatch.setattr(gx, "get_context", broken)
    outcome = _outcome("crm_file_leads", crm_file_leads())
    assert not outcome.success
    assert outcome.failures[0].error == "RuntimeError: context store unavailable"


def test_every_suite_names_its_table_and_builds() -> None:
    for spec in ALL_SUITES:
        assert isinstance(spec, SuiteSpec)
        assert spec.build().expectations, spec.name
    assert (
        SUITES["google_ads_campaign_stats"].sql() == "select * from raw_google_ads.campaign_stats"
    )
    assert SUITES["marts_fct_leads"].sql() == "select * from marts.fct_leads"


def test_an_expectation_that_raises_inside_gx_is_a_failure_with_its_message() -> None:
    frame = calls()
    frame["wait_seconds"] = ["five", "zero", "thirty"]  # text where a number belongs
    outcome = _outcome("calltracking_calls", frame)
    assert not outcome.success
    failure = next(f for f in outcome.failures if f.column == "wait_seconds")
    assert "must either be None or of the same type" in failure.error
    assert "could not run" in failure.describe()


def test_gx_gets_only_the_columns_the_rules_read() -> None:
    from great_expectations import expectations as gxe

    from expectations.runner import columns_read

    rules = [
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["won"],
                                        row_condition='kind == "deal"', condition_parser="pandas"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="closed_at", column_B="created_at", or_equal=True),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["source", "deal_id"]),
    ]
    columns = ["deal_id", "comment", "kind", "created_at", "status", "closed_at", "source", "title"]
    assert columns_read(rules, columns) == ["deal_id", "kind", "created_at", "status", "closed_at", "source"]
    assert columns_read([], columns) == columns


def test_a_column_only_a_row_condition_names_still_decides_which_rows_are_judged() -> None:
    """The lead's revenue must be empty only on lead rows: `conversion_type` is read for that
    condition alone, and the wide columns no rule reads change nothing."""
    import great_expectations as gx
    from great_expectations import expectations as gxe

    from expectations.runner import validate_frame

    suite = gx.ExpectationSuite(name="conditions", expectations=[
        gxe.ExpectColumnValuesToBeNull(column="revenue", row_condition='conversion_type == "lead"',
                                       condition_parser="pandas"),
    ])
    frame = pd.DataFrame({"conversion_type": ["lead", "deal", "lead"], "revenue": [None, 900.0, 50.0],
                          "note": ["a", "b", "c"]})
    outcome = validate_frame(frame, suite)
    assert (outcome.rows, [(f.column, f.unexpected_count, f.samples) for f in outcome.failures]) == (
        3, [("revenue", 1, ["50.0"])]
    )


def test_a_raw_table_read_whole_can_be_read_from_the_loads_after_one() -> None:
    leads = SUITES["bitrix24_leads"]
    assert leads.reads_by_load and leads.sql() == "select * from raw_bitrix24.leads"
    assert leads.sql(loaded_after="1796312608.1606667") == (
        "select * from raw_bitrix24.leads where _dlt_load_id > '1796312608.1606667'")
    with pytest.raises(ValueError, match="is not a dlt load id"):
        leads.sql(loaded_after="1' or '1' = '1")
    # tables read for a window of their own (GA4 events) and the marts are never read by load
    events, channels = SUITES["ga4_events"], SUITES["marts_mart_channel_performance"]
    assert not events.reads_by_load and not channels.reads_by_load
    with pytest.raises(ValueError, match="not the table by load"):
        events.sql(loaded_after="1796312608.1606667")
