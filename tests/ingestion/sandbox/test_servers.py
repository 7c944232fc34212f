"""The sandbox speaks the real formats (../shared/reference/apis/): auth errors, field shapes,
paging, the as_of and restated switches, and every fault kind; connectors recover or fail clearly."""

from __future__ import annotations

import time
from datetime import date
from urllib.parse import urlencode

import pandas as pd
import pytest
import requests

from ingestion.pipeline import run_source
from ingestion.sandbox.generator import BusinessParams, generate_business
from ingestion.sandbox.server import CREDENTIALS, Sandbox
from throughline.warehouse import Warehouse


@pytest.fixture(scope="module")
def business():
    return generate_business(BusinessParams(seed=4, start_date=date(2026, 9, 1), days=12, visitors_per_day=40))


@pytest.fixture()
def sandbox(business, tmp_path):
    with Sandbox(business, files_dir=tmp_path / "files") as sb:
        yield sb


def google_token(sb: Sandbox) -> str:
    form = {"grant_type": "refresh_token", "client_id": CREDENTIALS["google_client_id"],
            "client_secret": CREDENTIALS["google_client_secret"], "refresh_token": CREDENTIALS["google_refresh_token"]}
    return requests.post(f"{sb.url('google_ads')}/token", data=form, timeout=10).json()["access_token"]


def search(sb: Sandbox, token: str, query: str) -> requests.Response:
    return requests.post(f"{sb.url('google_ads')}/v26/customers/1234567890/googleAds:searchStream",
                         json={"query": query}, headers={"Authorization": f"Bearer {token}"}, timeout=10)


CAMPAIGNS = ("SELECT campaign.id, metrics.cost_micros FROM campaign "
             "WHERE segments.date BETWEEN '2026-09-01' AND '2026-09-12'")


def test_google_ads_shapes_auth_and_switches(sandbox, business) -> None:
    bad = requests.post(f"{sandbox.url('google_ads')}/token", data={"grant_type": "refresh_token"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    assert search(sandbox, "nope", CAMPAIGNS).json()["error"]["status"] == "UNAUTHENTICATED"
    token = google_token(sandbox)
    batches = search(sandbox, token, CAMPAIGNS).json()
    row = batches[0]["results"][0]
    assert isinstance(row["metrics"]["costMicros"], str) and isinstance(row["campaign"]["id"], str)
    assert row["customer"]["resourceName"] == "customers/1234567890"
    final = sum(int(r["metrics"]["costMicros"]) for b in batches for r in b.get("results", []))
    expected = business.ad_stats.query("platform == 'google_ads'")["cost_micros"].sum()
    assert final == expected
    sandbox.set_restated(False)
    initial = sum(int(r["metrics"]["costMicros"]) for b in search(sandbox, token, CAMPAIGNS).json()
                  for r in b.get("results", []))
    assert initial < final  # the last days as first reported
    sandbox.set_restated(True)
    sandbox.set_as_of(date(2026, 9, 5))
    days = {r["segments"]["date"] for b in search(sandbox, token, CAMPAIGNS).json() for r in b.get("results", [])}
    assert max(days) == "2026-09-04"
    unknown = search(sandbox, token, CAMPAIGNS.replace("FROM campaign", "FROM nothing"))
    assert unknown.status_code == 400 and unknown.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_meta_paging_and_expired_token(sandbox) -> None:
    url = f"{sandbox.url('meta_ads')}/v26.0/act_7012345678/insights"
    params = {"access_token": CREDENTIALS["meta_access_token"], "level": "ad", "time_increment": 1, "limit": 5,
              "time_range": '{"since":"2026-09-01","until":"2026-09-12"}'}
    first = requests.get(url, params=params, timeout=10).json()
    assert len(first["data"]) == 5 and "next" in first["paging"] and isinstance(first["data"][0]["spend"], str)
    second = requests.get(first["paging"]["next"], params={"access_token": CREDENTIALS["meta_access_token"]},
                          timeout=10).json()
    assert second["data"][0] != first["data"][0]
    expired = requests.get(url, params={**params, "access_token": "bad"}, timeout=10)
    assert expired.status_code == 400 and expired.json()["error"]["code"] == 190


def _meta_spend(url: str, params: dict) -> float:
    """The spend over every page of one insights request."""
    body = requests.get(url, params=params, timeout=10).json()
    spend = sum(float(row["spend"]) for row in body["data"])
    while "next" in body["paging"]:
        body = requests.get(body["paging"]["next"], params={"access_token": CREDENTIALS["meta_access_token"]},
                            timeout=10).json()
        spend += sum(float(row["spend"]) for row in body["data"])
    return spend


def test_meta_reports_deleted_ads_only_to_who_asks_and_the_connector_asks(sandbox, business, tmp_path,
                                                                         monkeypatch) -> None:
    """Meta leaves deleted ads out of an account's ad-level insights unless the request filters on
    every status (meta_ads.md, insights parameters: `filtering` on `ad.effective_status`): the
    connector asks for all of them, so the spend of an ad deleted after it ran is not lost."""
    from ingestion.meta_ads.helpers import every_status

    meta_spend = business.ad_stats.query("platform == 'meta_ads'")["cost_micros"].sum() / 1_000_000
    url = f"{sandbox.url('meta_ads')}/v26.0/act_7012345678/insights"
    params = {"access_token": CREDENTIALS["meta_access_token"], "level": "ad", "time_increment": 1, "limit": 500,
              "time_range": '{"since":"2026-09-01","until":"2026-09-12"}'}
    assert _meta_spend(url, params) < meta_spend - 1  # the deleted ads' spend is left out
    assert _meta_spend(url, {**params, "filtering": every_status("ad.effective_status")}) == pytest.approx(meta_spend)

    monkeypatch.setenv("THROUGHLINE_DATA_DIR", str(tmp_path / "data"))
    for key, value in sandbox.source_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SOURCES__META_ADS__END_DATE", "2026-09-12")
    warehouse = Warehouse.from_url(f"duckdb:///{tmp_path / 'w.duckdb'}")
    run_source("meta_ads", warehouse)
    conn = warehouse.connect()
    try:
        loaded = conn.execute("select sum(spend)::double from raw_meta_ads.ad_insights").fetchone()[0]
        listed = conn.execute("select count(*) from raw_meta_ads.ads").fetchone()[0]
    finally:
        conn.close()
    assert loaded == pytest.approx(meta_spend)
    assert listed == (business.ads["platform"] == "meta_ads").sum()


def test_bitrix_auth_and_paging(sandbox, business) -> None:
    base = sandbox.url("bitrix24")
    denied = requests.post(f"{base}/rest/1/wrongcode/crm.lead.list.json", json={}, timeout=10)
    assert denied.status_code == 401 and denied.json()["error"] == "INVALID_CREDENTIALS"
    page = requests.post(f"{base}/rest/1/{CREDENTIALS['bitrix_webhook_code']}/crm.lead.list.json",
                         json={"start": 0}, timeout=10).json()
    assert page["total"] == len(business.leads) and len(page["result"]) == 50 and page["next"] == 50
    assert all(isinstance(v, str) for v in (page["result"][0]["ID"], page["result"][0]["ASSIGNED_BY_ID"]))


def test_bitrix_batch_and_form_bodies(sandbox, business) -> None:
    base = f"{sandbox.url('bitrix24')}/rest/1/{CREDENTIALS['bitrix_webhook_code']}"
    pages = [requests.post(f"{base}/crm.lead.list.json", json={"start": start, "order": {"ID": "ASC"}},
                           timeout=10).json() for start in (0, 50)]
    commands = {"first": "crm.lead.list?start=0&order%5BID%5D=ASC", "second": "crm.lead.list?start=50&order[ID]=ASC",
                "bad": "crm.nothing.list?start=0"}
    reply = requests.post(f"{base}/batch.json", json={"halt": 0, "cmd": commands}, timeout=10).json()["result"]
    assert reply["result"] == {"first": pages[0]["result"], "second": pages[1]["result"]}
    leads = len(business.leads)
    assert 50 < leads <= 100
    assert reply["result_total"] == {"first": leads, "second": leads}
    assert [int(r["ID"]) for r in reply["result"]["second"]] == sorted(int(i) for i in business.leads["lead_id"])[50:]
    assert reply["result_next"] == {"first": 50}
    not_found = {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}
    assert reply["result_error"] == {"bad": not_found}
    too_long = {f"c{n}": "crm.lead.list?start=0" for n in range(51)}
    assert requests.post(f"{base}/batch.json", json={"cmd": too_long}, timeout=10).status_code == 400
    form = requests.post(f"{base}/crm.lead.list.json", data="start=50&order%5BID%5D=ASC",
                         headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10).json()
    assert form["result"] == pages[1]["result"]


def test_bitrix_lists_the_leads_of_given_ids(sandbox, business) -> None:
    """`@ID` keeps the leads of the ids listed (a JSON list, or filter[@ID][n] in a batch
    command); an unknown id lists nothing, and the other filters still apply."""
    base = f"{sandbox.url('bitrix24')}/rest/1/{CREDENTIALS['bitrix_webhook_code']}"
    ids = sorted(int(i) for i in business.leads["lead_id"])[:3]
    asked = requests.post(f"{base}/crm.lead.list.json", json={"filter": {"@ID": [*ids, 99999]}}, timeout=10).json()
    assert sorted(int(r["ID"]) for r in asked["result"]) == ids and asked["total"] == 3
    leads = business.leads[business.leads["lead_id"].isin(ids)]
    modified_before = sorted(leads.loc[leads["modified_at"] < pd.Timestamp("2026-09-02T12:00:00+03:00"), "lead_id"])
    assert 0 < len(modified_before) < len(ids)
    query = urlencode([*((f"filter[@ID][{n}]", i) for n, i in enumerate(ids)),
                       ("filter[<DATE_MODIFY]", "2026-09-02T12:00:00")])  # the portal's time: +03:00
    reply = requests.post(f"{base}/batch.json", json={"halt": 1, "cmd": {"ids": f"crm.lead.list?{query}"}},
                          timeout=10).json()["result"]
    assert sorted(int(r["ID"]) for r in reply["result"]["ids"]) == modified_before


@pytest.mark.parametrize("kind, check", [
    ("rate_limit", lambda r: r.status_code == 429 and r.headers["Retry-After"] == "1"),
    ("server_error", lambda r: r.status_code == 500),
    ("malformed", lambda r: r.status_code == 200 and not _is_json(r)),
])
def test_each_fault_kind_in_the_real_shape(sandbox, kind, check) -> None:
    token = google_token(sandbox)
    sandbox.faults.inject("google_ads", kind, times=1, path="searchStream")
    assert check(search(sandbox, token, CAMPAIGNS))
    assert search(sandbox, token, CAMPAIGNS).status_code == 200  # once only


def test_slow_expired_and_dropped(sandbox) -> None:
    token = google_token(sandbox)
    sandbox.faults.inject("google_ads", "slow", times=1, seconds=1)
    started = time.monotonic()
    assert search(sandbox, token, CAMPAIGNS).status_code == 200 and time.monotonic() - started >= 1
    sandbox.faults.inject("google_ads", "expired_token", times=1, path="searchStream")
    assert search(sandbox, token, CAMPAIGNS).status_code == 401
    sandbox.faults.inject("nbu", "drop_connection", times=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sandbox.url('nbu')}/NBUStatService/v1/statdirectory/exchange",
                     params={"date": "20260901", "json": ""}, timeout=10)


def test_connector_refreshes_an_expired_token_and_names_a_malformed_page(sandbox, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("THROUGHLINE_DATA_DIR", str(tmp_path / "data"))
    for key, value in sandbox.source_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SOURCES__GOOGLE_ADS__END_DATE", "2026-09-12")
    warehouse = Warehouse.from_url(f"duckdb:///{tmp_path / 'w.duckdb'}")
    sandbox.faults.inject("google_ads", "malformed", times=1, path="searchStream")
    with pytest.raises(Exception, match="searchStream.*not valid JSON"):
        run_source("google_ads", warehouse)
    sandbox.faults.inject("google_ads", "expired_token", times=1, path="searchStream")
    run_source("google_ads", warehouse)  # refreshes once and loads everything
    conn = warehouse.connect()
    try:
        assert conn.execute("select count(distinct date) from raw_google_ads.campaign_stats").fetchone()[0] == 12
    finally:
        conn.close()


def _is_json(response: requests.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


def test_columns_the_sandbox_leaves_empty_are_typed_not_dropped(sandbox, tmp_path, monkeypatch) -> None:
    """Fields empty in every record of a load (URL suffixes, last names, Ringostat's gclid) get
    their typed columns instead of a dlt warning on every load; a lead field stays off deals."""
    from dlt.common import logger as dlt_logger

    monkeypatch.setenv("THROUGHLINE_DATA_DIR", str(tmp_path / "data"))
    for key, value in sandbox.source_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SOURCES__GOOGLE_ADS__END_DATE", "2026-09-12")
    dlt_warnings: list[str] = []  # dlt's logger does not propagate to pytest's caplog
    monkeypatch.setattr(dlt_logger, "warning", lambda message, *args, **kwargs: dlt_warnings.append(message),
                        raising=False)
    warehouse = Warehouse.from_url(f"duckdb:///{tmp_path / 'w.duckdb'}")
    for source in ("google_ads", "bitrix24", "calltracking"):
        run_source(source, warehouse)
    assert not [message for message in dlt_warnings if "did not receive any data" in message], dlt_warnings
    conn = warehouse.connect(read_only=True)
    try:
        columns = dict(conn.execute(
            "select table_schema || '.' || table_name || '.' || column_name, data_type "
            "from information_schema.columns").fetchall())
        empty = conn.execute("select count(last_name), count(date_closed), count(*) from raw_bitrix24.leads").fetchone()
    finally:
        conn.close()
    assert columns["raw_google_ads.ad_stats.ad_final_url_suffix"] == "VARCHAR"
    assert columns["raw_bitrix24.leads.date_closed"] == "TIMESTAMP WITH TIME ZONE"
    assert columns["raw_calltracking.calls.gclid"] == "VARCHAR"
    assert empty[:2] == (0, 0) and empty[2] == len(sandbox.business.leads)
    assert "raw_bitrix24.leads.client_id" in columns and "raw_bitrix24.deals.client_id" not in columns
