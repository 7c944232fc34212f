"""Files the sandbox writes for file-based sources: GA4 BigQuery-export day files, the manual
costs and budget plan CSVs, and a CRM export for the crm_file source."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from ingestion.sandbox.business import Business, without_nan

TZ = "Europe/Kyiv"
SESSIONS_PER_CHUNK = 50_000


def _param(key: str, string: str | None = None, integer: int | None = None) -> dict:
    return {"key": key, "value": {"string_value": string, "int_value": None if integer is None else str(integer),
                                  "float_value": None, "double_value": None}}


def _local_days(at_us: pd.Series) -> np.ndarray:
    """`YYYYMMDD` of each microsecond timestamp in the property's time zone (the export's event_date)."""
    local = pd.to_datetime(at_us, unit="us", utc=True).dt.tz_convert(TZ).dt.tz_localize(None)
    return np.char.replace(np.datetime_as_string(local.to_numpy().astype("datetime64[D]")), "-", "")


def write_ga4_export(business: Business, folder: Path, as_of: date) -> None:
    """One `events_YYYYMMDD.ndjson` per local day before `as_of`, in the export's nested shape."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("events_*.ndjson"):
        old.unlink()
    sessions = without_nan(business.sessions)
    sessions["local_date"] = sessions["started_at"].dt.tz_convert(TZ).dt.date
    sessions = sessions[sessions["local_date"] < as_of]
    forms = business.form_submits.sort_values("submitted_at")
    forms = pd.merge_asof(forms.drop(columns=["ga_session_id"]),
                          sessions.sort_values("started_at")[["client_id", "started_at", "ga_session_id",
                                                              "ga_session_number", "landing_url"]],
                          left_on="submitted_at", right_on="started_at", by="client_id", direction="backward")
    forms = forms[forms["ga_session_id"].notna()]
    forms = forms.assign(at_us=forms["submitted_at"].astype("int64") // 1000)
    forms = forms.assign(event_date=_local_days(forms["at_us"]))
    forms = forms[forms["event_date"] < as_of.strftime("%Y%m%d")]
    for start in range(0, len(sessions), SESSIONS_PER_CHUNK):  # bounded memory at any scale
        _append_lines(folder, _session_event_lines(sessions.iloc[start:start + SESSIONS_PER_CHUNK]))
    form_lines: dict[str, list[bytes]] = {}
    for f in forms.itertuples(index=False):
        row = {"event_date": f.event_date, "event_timestamp": str(f.at_us), "event_name": "form_submit",
               "event_params": [_param("ga_session_id", integer=int(f.ga_session_id)),
                                _param("page_location", "https://studio.example.ua/contacts"),
                                _param("client_id", f.client_id), _param("lead_id", str(f.lead_id))],
               "user_pseudo_id": f.client_id, "platform": "WEB"}
        form_lines.setdefault(f.event_date, []).append(orjson.dumps(row))
    _append_lines(folder, form_lines)


def _session_event_lines(sessions: pd.DataFrame) -> dict[str, list[bytes]]:
    """A session's events: session_start, then one page_view every 30 s; export lines by day."""
    sessions = sessions[["started_at", "page_views", "ga_session_id", "ga_session_number", "landing_url",
                         "client_id", "device_category", "country", "city", "source", "medium", "campaign",
                         "term", "content", "gclid"]]
    events_of = sessions.loc[sessions.index.repeat(sessions["page_views"].astype(int) + 1)]
    view_number = events_of.groupby(level=0).cumcount().to_numpy()
    at_us = events_of["started_at"].astype("int64").to_numpy() // 1000 + view_number * 30_000_000
    events_of = events_of.assign(view_number=view_number, at_us=at_us, event_date=_local_days(pd.Series(at_us)))
    lines: dict[str, list[bytes]] = {}
    for s in events_of.itertuples(index=False):
        first = s.view_number == 0
        collected = {"manual_campaign_id": None, "manual_campaign_name": s.campaign, "manual_source": s.source,
                     "manual_medium": s.medium, "manual_term": s.term, "manual_content": s.content,
                     "gclid": s.gclid} if first and (s.source or s.gclid) else None
        row = {
            "event_date": s.event_date, "event_timestamp": str(s.at_us),
            "event_name": "session_start" if first else "page_view",
            "event_params": [_param("ga_session_id", integer=int(s.ga_session_id)),
                             _param("ga_session_number", integer=int(s.ga_session_number)),
                             _param("page_location", s.landing_url if first else "https://studio.example.ua/portfolio")],
            "user_pseudo_id": s.client_id, "user_id": None,
            "device": {"category": s.device_category}, "geo": {"country": s.country, "city": s.city},
            "collected_traffic_source": collected,
            "platform": "WEB", "stream_id": "1234567890",
        }
        lines.setdefault(s.event_date, []).append(orjson.dumps(row))
    return lines


def _append_lines(folder: Path, lines_by_day: dict[str, list[bytes]]) -> None:
    for day, lines in lines_by_day.items():
        with (folder / f"events_{day}.ndjson").open("ab") as file:
            file.write(b"\n".join(lines) + b"\n")


def write_manual_files(business: Business, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    business.manual_costs.to_csv(folder / "costs.csv", index=False, float_format="%.2f")
    business.budget_plan.to_csv(folder / "budget_plan.csv", index=False, float_format="%.2f")


def write_crm_export(business: Business, path: Path, fmt: str, as_of: date) -> Path:
    """The CRM's leads and deals as the crm_file source's documented columns."""
    cut = pd.Timestamp(as_of).tz_localize(TZ).tz_convert("UTC")
    leads = business.leads[business.leads["created_at"] < cut]
    managers = business.managers.assign(manager_name=lambda m: m["name"] + " " + m["last_name"])
    first_response = business.lead_status_history[business.lead_status_history["type_id"] == 2]
    lead_rows = pd.DataFrame({
        "lead_id": leads["lead_id"], "created_at": leads["created_at"].dt.tz_convert(TZ).map(lambda t: t.isoformat()),
        "status": leads["status_id"],
        "non_target": leads["status_semantic"].eq("F").map({True: "true", False: "false"}),
        "manager_id": leads["manager_id"],
        "manager_name": leads["manager_id"].map(managers.set_index("user_id")["manager_name"]),
        "phone": leads["phone"], "email": leads["email"], "client_id": leads["client_id"],
        "utm_source": leads["utm_source"], "utm_medium": leads["utm_medium"], "utm_campaign": leads["utm_campaign"],
        "utm_content": leads["utm_content"], "utm_term": leads["utm_term"],
        "first_response_at": leads["lead_id"].map(first_response.set_index("lead_id")["created_at"])
        .map(lambda t: t.tz_convert(TZ).isoformat() if pd.notna(t) else ""),
    })
    deals = business.deals[business.deals["created_at"] < cut]
    contacts = business.contacts.set_index("contact_id")
    deal_rows = pd.DataFrame({
        "deal_id": deals["deal_id"], "lead_id": deals["lead_id"],
        "contact_phone": deals["contact_id"].map(contacts["phone"]),
        "contact_email": deals["contact_id"].map(contacts["email"]),
        "created_at": deals["created_at"].dt.tz_convert(TZ).map(lambda t: t.isoformat()),
        "closed_at": deals["closed_at"].map(lambda t: t.tz_convert(TZ).isoformat() if pd.notna(t) else ""),
        "stage": deals["stage_semantic"].map({"S": "won", "F": "lost", "P": "open"}),
        "amount": deals["amount"].map(lambda a: f"{a:.2f}"), "currency": deals["currency"],
        "manager_id": deals["manager_id"],
    })
    manager_rows = managers[["user_id", "manager_name", "email"]].rename(columns={"user_id": "manager_id"})
    tables = {"leads": lead_rows, "deals": deal_rows, "managers": manager_rows}
    if fmt == "xlsx":
        target = path if path.suffix == ".xlsx" else path / "crm_export.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(target) as writer:
            for name, frame in tables.items():
                frame.to_excel(writer, sheet_name=name, index=False)
        return target
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(path / f"{name}.csv", index=False)
    return path
