"""The dlt translator and the declaration of unconfigured sources, on real dlt sources."""

import json
import types
from datetime import date, timedelta
from types import SimpleNamespace

import dlt
import pytest
from dagster import AssetKey, PartitionKeyRange
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion.common.config import load_window
from orchestration.assets.ingestion import (
    ThroughlineDltTranslator,
    declared_source,
    freshness_policy,
    partition_kwargs,
)
from orchestration.partitions import daily_partitions, restatement_tags


@dlt.source(name="calltracking")
def needs_settings(api_key: str = dlt.secrets.value, account_ids: list[str] = dlt.config.value):
    @dlt.resource(name="calls", primary_key="call_id", write_disposition="merge")
    def calls():
        yield from ({"call_id": account, "key": api_key} for account in account_ids)

    return calls


def _module(source) -> types.ModuleType:
    module = types.ModuleType("ingestion.calltracking")
    module.source = source
    return module


def test_an_unconfigured_source_still_declares_its_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SOURCES__CALLTRACKING__API_KEY", "SOURCES__CALLTRACKING__ACCOUNT_IDS"):
        monkeypatch.delenv(name, raising=False)
    source = declared_source(_module(needs_settings))
    assert list(source.selected_resources) == ["calls"]


def test_raw_tables_are_keyed_source_table_grouped_by_source() -> None:
    source = needs_settings(api_key="k", account_ids=["1"])
    spec = ThroughlineDltTranslator("calltracking").get_asset_spec(
        DltResourceTranslatorData(resource=source.resources["calls"], pipeline=None)
    )
    assert spec.key == AssetKey(["calltracking", "calls"])
    assert spec.group_name == "calltracking"
    assert list(spec.deps) == []
    assert spec.owners == ["team:data-engineering"]
    assert "Call tracking" in spec.description


def test_crm_is_expected_fresher_than_ad_spend() -> None:
    assert freshness_policy("bitrix24").warn_window.to_timedelta() == timedelta(hours=3)
    assert freshness_policy("google_ads").warn_window.to_timedelta() == timedelta(hours=26)
    assert freshness_policy("google_ads").fail_window.to_timedelta() == timedelta(hours=52)


def _run_context(key: str | None = None, days: PartitionKeyRange | None = None, **tags: str) -> SimpleNamespace:
    """What partition_kwargs reads of an asset's execution context in a run with these tags."""
    return SimpleNamespace(has_partition_key=key is not None, partition_key=key,
                           has_partition_key_range=days is not None, partition_key_range=days,
                           run=SimpleNamespace(tags=tags))


def source(start_date: str | None = None, end_date: str | None = None, backfill: bool = False):
    return None


def test_a_partition_run_passes_its_days_to_the_source() -> None:
    # A single partition is a one-day range: start and end are the same local day.
    assert partition_kwargs(_run_context("2026-03-10"), source) == {
        "start_date": "2026-03-10",
        "end_date": "2026-03-10",
        "backfill": True,
    }
    days = _run_context(days=PartitionKeyRange("2026-03-01", "2026-03-03"))
    assert partition_kwargs(days, source) == {"start_date": "2026-03-01", "end_date": "2026-03-03", "backfill": True}
    assert partition_kwargs(_run_context(), source) == {}


def test_the_daily_run_lets_each_source_reload_its_own_window() -> None:
    """The schedule's 28 days of partitions are the ad platforms' restatement window; GA4's export
    restates 3 days, and reloading 28 of them every morning would only cost (BigQuery bills each
    scan). The source gets the window's last day and goes back its own lookback_days from the day
    it last loaded (dlt gives it the configured START_DATE: not a backfill)."""
    tags = restatement_tags(date(2026, 2, 10), date(2026, 3, 10))
    daily = _run_context(days=PartitionKeyRange("2026-02-10", "2026-03-10"), **tags)
    assert partition_kwargs(daily, source) == {"end_date": "2026-03-10"}
    assert load_window({"last_day": "2026-03-09"}, start_date="2024-01-01", end_date="2026-03-10", lookback_days=3,
                       today=date(2026, 3, 10)) == (date(2026, 3, 6), date(2026, 3, 10))


def test_a_source_paused_for_months_goes_on_from_its_last_loaded_day() -> None:
    """Without START_DATE a first load reaches 90 days back; a later one goes on from the last
    loaded day less the lookback however long ago that was (it left the days between out)."""
    assert load_window({}, start_date=None, end_date=None, lookback_days=3,
                       today=date(2026, 6, 1)) == (date(2026, 3, 3), date(2026, 5, 31))
    assert load_window({"last_day": "2026-01-01"}, start_date=None, end_date=None, lookback_days=3,
                       today=date(2026, 6, 1)) == (date(2025, 12, 29), date(2026, 5, 31))


def test_a_source_without_date_arguments_cannot_be_partitioned() -> None:
    def dateless_source(api_key: str = "x"):
        return None

    with pytest.raises(TypeError, match="must accept backfill, end_date, start_date"):
        partition_kwargs(_run_context("2026-03-10"), dateless_source)


def test_daily_partitions_start_where_configured() -> None:
    assert daily_partitions.start.date().isoformat() == "2024-01-01"


def test_a_bad_selection_is_a_clear_error() -> None:
    from orchestration.definitions import defs
    from orchestration.runner import selected_keys

    job = defs.resolve_job_def("daily_refresh")
    with pytest.raises(ValueError, match="is not an asset selection.*group:google_ads"):
        selected_keys(job, "group:google_ads*")
    with pytest.raises(ValueError, match="matches no asset"):
        selected_keys(job, "key:nothing/here")


def test_a_group_selection_resolves_without_dagsters_beta_warning() -> None:
    """Every `--select group:...` printed a BetaWarning about a parameter we never pass."""
    import warnings

    from orchestration.definitions import defs
    from orchestration.runner import selected_keys

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        keys = selected_keys(defs.resolve_job_def("daily_refresh"), "group:bitrix24")
    assert AssetKey(["bitrix24", "leads"]) in keys


@pytest.mark.parametrize(("status", "attempts"), [(403, 1), (None, 2)])
def test_an_api_that_refuses_the_request_is_not_asked_again(
    status: int | None, attempts: int, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load the API refuses (HTTP 403: the token lacks a permission) fails at once, naming it;
    one that gave up on a flaky API (no status: attempts ran out) is retried by the step's policy
    (one retry in CI)."""
    from dagster import DagsterEventType, materialize
    from dagster_dlt import DagsterDltResource

    from ingestion.common.http import SourceError
    from ingestion.pipeline import source_module
    from orchestration.assets.ingestion import build_source_assets
    from orchestration.resources import WarehouseResource

    monkeypatch.setenv("THROUGHLINE_ENV", "ci")
    module = source_module("meta_ads")
    reason = "HTTP 403: (#200) Ad account owner has NOT grant ads_read permission" if status else "gave up"

    @dlt.source(name="meta_ads")
    def refusing(start_date: str | None = None, end_date: str | None = None, backfill: bool = False):
        @dlt.resource(name="ad_insights")
        def ad_insights():
            raise SourceError("meta_ads", "act_1/insights", "page 1", reason, status)
            yield  # a generator, as dlt resources are

        return ad_insights

    monkeypatch.setattr(module, "is_configured", lambda: True)
    monkeypatch.setattr(module, "source", refusing)
    result = materialize(
        [build_source_assets("meta_ads")], partition_key="2026-03-10", raise_on_error=False,
        resources={"dlt": DagsterDltResource(),
                   "warehouse": WarehouseResource(url=f"duckdb:///{tmp_path}/warehouse.duckdb")},
    )
    assert not result.success
    events = [event.event_type for event in result.all_events]
    assert events.count(DagsterEventType.STEP_START) + events.count(DagsterEventType.STEP_RESTARTED) == attempts
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE)
    assert ("ads_read permission" in str(failure.event_specific_data.error)) == bool(status)


def test_what_follows_a_refusal_decides_whether_a_load_is_retried() -> None:
    """Meta asks for less data (HTTP 400), the halves then meet a flaky API (HTTP 503 until the
    attempts run out): the load is retried, not refused for the 400 it recovered from. A throttle
    that asks to wait longer than a run retries for (Meta's codes come with HTTP 400) is retried
    by a later run too; a missing permission is refused."""
    from ingestion.common.http import SourceError
    from ingestion.meta_ads import helpers
    from orchestration.assets.ingestion import refusal
    from tests.ingestion.fake_api import FakeApi, Reply

    def graph(request) -> Reply:
        since, until = (json.loads(request.query["time_range"])[key] for key in ("since", "until"))
        if since != until:
            return Reply(status=400, body={"error": {
                "code": 1, "message": "Please reduce the amount of data you're asking for, then retry your request"}})
        return Reply(status=503, body={"error": {"code": 2, "message": "Service temporarily unavailable"}})

    def throttled(request) -> Reply:
        usage = {"act_1": [{"type": "ads_insights", "estimated_time_to_regain_access": 30}]}
        return Reply(status=400, body={"error": {"code": 80000, "message": "too many calls"}},
                     headers={"X-Business-Use-Case-Usage": json.dumps(usage)})

    outcomes = []
    for handler in (graph, throttled):
        with FakeApi(handler) as api:
            client = helpers.make_client(api.url, "token")
            client.sleep = lambda seconds: None
            with pytest.raises(RuntimeError) as raised:
                try:
                    list(helpers.insights(client, "act_1/insights", {}, date(2026, 9, 1), date(2026, 9, 2), "act_1"))
                except SourceError as error:  # as dlt hands it on
                    raise RuntimeError("extraction failed") from error
            outcomes.append(refusal(raised.value))
    forbidden = SourceError("meta_ads", "act_1/insights", "page 1", "HTTP 403: (#200) no ads_read permission", 403)
    assert outcomes == [None, None]
    try:
        raise RuntimeError("extraction failed") from forbidden
    except RuntimeError as wrapped:
        assert refusal(wrapped) is forbidden
