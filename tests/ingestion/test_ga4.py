"""GA4 export day files: nested rows flattened to events; re-reading a day replaces it."""

from __future__ import annotations

import json

import pytest


def event(name: str, micros: int, session: int, url: str, extra: list | None = None,
          collected: dict | None = None) -> dict:
    def param(key: str, **value: object) -> dict:
        return {"key": key, "value": {"string_value": None, "int_value": None, "float_value": None,
                                      "double_value": None, **value}}

    return {
        "event_date": "20260902", "event_timestamp": str(micros), "event_name": name,
        "event_params": [param("ga_session_id", int_value=str(session)),
                         param("ga_session_number", int_value="3"),
                         param("page_location", string_value=url), *(extra or [])],
        "user_pseudo_id": "1382483615.1522331416",
        "device": {"category": "mobile"}, "geo": {"country": "Ukraine", "city": "Kyiv"},
        "collected_traffic_source": collected,
    }


def test_events_flattened(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    rows = [
        event("session_start", 1788340512345678, 1788340500,
              "https://shop.example.ua/?utm_source=Facebook&utm_medium=cpc&utm_campaign=UA%20Leads"),
        event("page_view", 1788340522345678, 1788340500, "https://shop.example.ua/catalog",
              collected={"manual_source": "facebook", "manual_medium": "cpc",
                         "manual_campaign_name": "ua_leads", "gclid": None}),
        event("form_submit", 1788340532345678, 1788340500, "https://shop.example.ua/contact",
              extra=[{"key": "client_id", "value": {"string_value": "1382483615.1522331416"}}]),
    ]
    (folder / "events_20260902.ndjson").write_text("\n".join(json.dumps(r) for r in rows))
    monkeypatch.setenv("SOURCES__GA4__EXPORT_PATH", str(folder))
    monkeypatch.setenv("SOURCES__GA4__START_DATE", "2026-09-01")
    load("ga4")
    load("ga4")  # the last days are re-read and replace themselves
    assert query("select event_name, ga_session_id, source, medium, campaign, client_id "
                 "from raw_ga4.events order by event_timestamp") == [
        ("session_start", 1788340500, "Facebook", "cpc", "UA Leads", None),
        ("page_view", 1788340500, "facebook", "cpc", "ua_leads", None),
        ("form_submit", 1788340500, None, None, None, "1382483615.1522331416"),
    ]
