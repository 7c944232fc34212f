"""A source whose raw tables go stale alerts once, again only when it gets staler, and once when
fresh again; the Dagster daemon's freshness states are planted as it records them."""

from __future__ import annotations

import json
import time

import pytest
from dagster import AssetKey, AssetMaterialization, DagsterInstance, build_sensor_context
from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange

from orchestration.sensors import freshness_alert

LEADS, DEALS = AssetKey(["bitrix24", "leads"]), AssetKey(["bitrix24", "deals"])
SPEND = AssetKey(["google_ads", "campaign_stats"])
HOUR = 3600


def _loaded(instance: DagsterInstance, key: AssetKey, hours_ago: float) -> None:
    instance.report_runless_asset_event(AssetMaterialization(key))
    # the event's own time is "now": move it back as if the load ran hours ago
    record = instance.get_latest_materialization_events([key])[key]
    instance._event_storage.store_event(record._replace(timestamp=time.time() - hours_ago * HOUR))


def _judged(instance: DagsterInstance, key: AssetKey, state: FreshnessState) -> None:
    instance.report_runless_asset_event(FreshnessStateChange(
        key=key, new_state=state, previous_state=FreshnessState.PASS,
        state_change_timestamp=time.time()))


def _tick(instance: DagsterInstance, cursor: str | None) -> str | None:
    context = build_sensor_context(instance=instance, cursor=cursor)
    freshness_alert(context)
    return context.cursor


def test_stale_source_alerts_once_escalates_once_and_recovers_once(
    webhook_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook_url, hook = webhook_receiver
    monkeypatch.setenv("THROUGHLINE_ALERT_URLS", hook_url)
    instance = DagsterInstance.ephemeral()
    for key in (LEADS, DEALS, SPEND):
        _loaded(instance, key, hours_ago=1)
        _judged(instance, key, FreshnessState.PASS)
    cursor = _tick(instance, None)
    assert hook.messages == []

    _loaded(instance, LEADS, hours_ago=4)  # the CRM's hourly loads stopped 4 h ago
    _judged(instance, LEADS, FreshnessState.WARN)
    cursor = _tick(instance, _tick(instance, cursor))  # two ticks, one alert
    assert len(hook.messages) == 1
    alert = json.loads(hook.messages[0])
    assert alert["title"] == "Throughline problem: freshness on raw tables of bitrix24"
    assert "bitrix24 has not been loaded on schedule" in alert["message"]
    assert "Figure: 4 h without a load (threshold warn after 3 h, fail after 6 h)" in alert["message"]
    assert "Where: bitrix24/leads: last loaded 4 h ago (WARN)" in alert["message"]
    assert json.loads(cursor) == {"bitrix24": "WARN"}

    _loaded(instance, DEALS, hours_ago=7)  # staler: one more alert
    _judged(instance, DEALS, FreshnessState.FAIL)
    cursor = _tick(instance, _tick(instance, cursor))
    assert len(hook.messages) == 2
    escalated = json.loads(hook.messages[1])["message"]  # the stalest table first
    assert "Figure: 7 h without a load" in escalated
    assert "Where: bitrix24/deals: last loaded 7 h ago (FAIL); bitrix24/leads: last loaded 4 h ago (WARN)" in escalated
    assert json.loads(cursor) == {"bitrix24": "FAIL"}

    for key in (LEADS, DEALS):  # loads resume
        _judged(instance, key, FreshnessState.PASS)
    cursor = _tick(instance, _tick(instance, cursor))
    assert len(hook.messages) == 3
    recovered = json.loads(hook.messages[2])
    assert recovered["title"] == "Throughline back to normal: freshness on raw tables of bitrix24"
    assert json.loads(cursor) == {}
