"""Bitrix24 connector: a first page then `batch` calls for the rest, QUERY_LIMIT_EXCEEDED,
phones to E.164, client id field, stage history items, and the webhook code never in logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

import pytest

from ingestion.bitrix24 import settings
from ingestion.sandbox.apis import php_params
from tests.ingestion.fake_api import FakeApi, Reply, Request

CODE = "k8s9webhookcode77"


def lead(n: int) -> dict:
    return {"ID": str(n), "TITLE": f"Lead {n}", "STATUS_ID": "NEW", "STATUS_SEMANTIC_ID": "P",
            "SOURCE_ID": "WEB", "ASSIGNED_BY_ID": "17", "DATE_CREATE": "2026-09-02T10:15:42+03:00",
            "DATE_MODIFY": f"2026-09-03T08:{n % 60:02d}:10+03:00", "CONTACT_ID": None,
            "UTM_SOURCE": "facebook", "UTM_MEDIUM": "cpc", "UTM_CAMPAIGN": "ua_leads",
            "PHONE": [{"ID": "1", "VALUE_TYPE": "WORK", "VALUE": "067 123 45 67", "TYPE_ID": "PHONE"}],
            "EMAIL": [{"ID": "2", "VALUE_TYPE": "WORK", "VALUE": " Client@Example.UA ", "TYPE_ID": "EMAIL"}],
            "UF_CRM_1704817278": "1382483615.1522331416"}


LEADS = 175


def lead_page(start: int, leads: list[dict]) -> dict:
    reply = {"result": leads[start:start + 50], "total": len(leads), "time": {}}
    if start + 50 < len(leads):
        reply["next"] = start + 50
    return reply


def all_leads() -> list[dict]:
    return [lead(n) for n in range(1, LEADS + 1)]


def bitrix(request: Request, leads: Callable[[], list[dict]] = all_leads) -> Reply:
    """A portal; `leads` gives its leads as a list call reads them at that moment."""
    assert request.path.startswith(f"/rest/1/{CODE}/")
    method = request.path.rsplit("/", 1)[1].removesuffix(".json")
    body = request.json() or {}
    start = int(body.get("start", 0))
    if method == "crm.lead.list":
        assert "UF_CRM_1704817278" in body["select"] and "PHONE" in body["select"]
        return Reply(body=lead_page(start, leads()))
    if method == "batch":  # as the real API: {"result": {"result": {name: page}, "result_error": [], ...}}
        pages = {}
        for name, command in body["cmd"].items():
            sub_method, _, query = command.partition("?")
            params = parse_qs(query)
            selected = [v for key, values in params.items() if key.startswith("select[") for v in values]
            assert sub_method == "crm.lead.list" and "UF_CRM_1704817278" in selected
            pages[name] = lead_page(int(params["start"][0]), leads())
        return Reply(body={"result": {"result": {n: p["result"] for n, p in pages.items()}, "result_error": [],
                                      "result_total": {n: p["total"] for n, p in pages.items()},
                                      "result_next": {n: p["next"] for n, p in pages.items() if "next" in p}},
                           "time": {}})
    if method == "crm.stagehistory.list":
        items = [] if body["entityTypeId"] == 2 else [
            {"ID": "8812", "TYPE_ID": "1", "OWNER_ID": "1", "CREATED_TIME": "2026-09-02T10:15:42+03:00",
             "STATUS_ID": "NEW", "STATUS_SEMANTIC_ID": "P"}]
        return Reply(body={"result": {"items": items}, "total": len(items), "time": {}})
    if method == "crm.status.list":
        return Reply(body={"result": [{"ID": "1", "ENTITY_ID": "STATUS", "STATUS_ID": "JUNK",
                                       "NAME": "Junk", "SORT": "70", "SEMANTICS": "F"}], "total": 1})
    if method == "user.get":
        return Reply(body={"result": [{"ID": "17", "ACTIVE": True, "NAME": "Olena",
                                       "LAST_NAME": "Petrenko", "EMAIL": "olena@example.ua"}], "total": 1})
    return Reply(body={"result": [], "total": 0, "time": {}})


@pytest.fixture()
def portal(monkeypatch: pytest.MonkeyPatch):
    with FakeApi(bitrix) as api:
        monkeypatch.setenv("SOURCES__BITRIX24__WEBHOOK_URL", f"{api.url}/rest/1/{CODE}/")
        monkeypatch.setenv("SOURCES__BITRIX24__CLIENT_ID_FIELD", "UF_CRM_1704817278")
        yield api


def test_leads_pages_phones_and_client_id(portal, load, query, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    portal.fail_next(Reply(503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}),
                     path="crm.lead.list")
    load("bitrix24")
    assert query("select count(*), count(distinct id) from raw_bitrix24.leads") == [(175, 175)]
    assert query("select phone_e164, email_normalized, client_id from raw_bitrix24.leads where id = '1'") == [
        ("+380671234567", "client@example.ua", "1382483615.1522331416")]
    assert query("select owner_id, status_id from raw_bitrix24.lead_stage_history") == [("1", "NEW")]
    assert query("select status_id, semantics from raw_bitrix24.statuses") == [("JUNK", "F")]
    assert query("select name, active from raw_bitrix24.users") == [("Olena", True)]
    lead_calls = [r for r in portal.requests if r.path.endswith("crm.lead.list.json")]
    assert [r.json()["start"] for r in lead_calls] == [0, 0]  # the 503, then the first page
    batches = [r.json()["cmd"] for r in portal.requests if r.path.endswith("batch.json")]
    assert [list(cmd) for cmd in batches] == [["p50", "p100", "p150"]]  # the other 3 pages in one request
    load("bitrix24")  # incremental: re-reads from the last DATE_MODIFY, merges
    assert query("select count(*) from raw_bitrix24.leads") == [(175,)]
    assert CODE not in caplog.text


def test_a_batch_stopped_by_the_operation_time_limit_is_asked_again(monkeypatch: pytest.MonkeyPatch, load,
                                                                     query) -> None:
    """The method gets blocked while the batch of pages after the first runs: the batch reply
    (HTTP 200) carries OPERATION_TIME_LIMIT for a sub-call. The connector waits and asks for the
    batch again, and every lead is loaded once."""
    monkeypatch.setattr("ingestion.bitrix24.settings.OPERATION_BLOCK_WAIT_SECONDS", 0.01)
    blocked = {"batches": 0}

    def handle(request: Request) -> Reply:
        if request.path.endswith("/batch.json"):
            blocked["batches"] += 1
            if blocked["batches"] == 1:
                return Reply(body={"result": {"result": {}, "result_error": {"p50": {
                    "error": "OPERATION_TIME_LIMIT", "error_description": "Method is blocked due to operation "
                                                                          "time limit."}},
                    "result_total": {}, "result_next": {}}, "time": {}})
        return bitrix(request)

    with FakeApi(handle) as api:
        monkeypatch.setenv("SOURCES__BITRIX24__WEBHOOK_URL", f"{api.url}/rest/1/{CODE}/")
        monkeypatch.setenv("SOURCES__BITRIX24__CLIENT_ID_FIELD", "UF_CRM_1704817278")
        load("bitrix24")
    assert blocked["batches"] >= 2
    assert query("select count(*), count(distinct id) from raw_bitrix24.leads") == [(LEADS, LEADS)]


def portal_time(text: str) -> datetime:
    """A filter's or a record's date; one without an offset is the portal's time (Kyiv, summer)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone(timedelta(hours=3)))


def contact(n: int, phone: str, modified: str) -> dict:
    return {"ID": str(n), "NAME": f"Client {n}", "LAST_NAME": None, "DATE_CREATE": "2025-11-03T12:00:00+02:00",
            "DATE_MODIFY": modified, "LEAD_ID": None, "EMAIL": [],
            "PHONE": [{"ID": str(n), "VALUE_TYPE": "MOBILE", "VALUE": phone, "TYPE_ID": "PHONE"}]}


LIST_METHODS = {"crm.lead.list": "leads", "crm.deal.list": "deals", "crm.contact.list": "contacts"}


def passes(record: dict, filters: dict) -> bool:
    """Whether the portal lists `record` under a list method's filter (the keys the connector sends)."""
    for key, value in filters.items():
        if key == ">=DATE_MODIFY":
            passed = portal_time(record["DATE_MODIFY"]) >= portal_time(value)
        elif key == "<DATE_MODIFY":
            passed = portal_time(record["DATE_MODIFY"]) < portal_time(value)
        else:
            assert key == "@ID", key
            passed = record["ID"] in [str(item) for item in value]
        if not passed:
            return False
    return True


def listing(**tables: list[dict]) -> Callable[[Request], Reply]:
    """The portal, with `tables` (leads, deals, contacts: a page or less each) as their list
    methods list them, filters honoured, also inside `batch` calls."""
    def listed(method: str, body: dict) -> dict:
        records = [r for r in tables[LIST_METHODS[method]] if passes(r, body.get("filter") or {})]
        return {"result": records, "total": len(records), "time": {}}

    def handle(request: Request) -> Reply:
        method = request.path.rsplit("/", 1)[1].removesuffix(".json")
        if LIST_METHODS.get(method) in tables:
            return Reply(body=listed(method, request.json()))
        commands = {name: command.partition("?") for name, command in (request.json() or {}).get("cmd", {}).items()}
        if method == "batch" and all(LIST_METHODS.get(sub_method) in tables for sub_method, _, _ in commands.values()):
            pages = {name: listed(sub_method, php_params(query)) for name, (sub_method, _, query) in commands.items()}
            return Reply(body={"result": {"result": {n: p["result"] for n, p in pages.items()}, "result_error": [],
                                          "result_total": {n: p["total"] for n, p in pages.items()},
                                          "result_next": []}, "time": {}})
        return bitrix(request)

    return handle


def filters(requests: list[Request], method: str) -> list[dict | None]:
    """The filter of every `method` call, those inside `batch` calls too, in order."""
    found = []
    for request in requests:
        if request.path.endswith(f"/{method}.json"):
            found.append(request.json().get("filter"))
        elif request.path.endswith("/batch.json"):
            calls = (command.partition("?") for command in request.json()["cmd"].values())
            found += [php_params(query).get("filter") for sub_method, _, query in calls if sub_method == method]
    return found


def across_an_upgrade(monkeypatch: pytest.MonkeyPatch, load: Callable[[str], object], setting: str,
                      loaded: Callable[[], list[tuple]]) -> list[list[tuple]]:
    """What `loaded` reads after a load with START_DATE 2026-09-01 by a release without `setting`
    (left empty), then after two loads by this one."""
    monkeypatch.setenv("SOURCES__BITRIX24__START_DATE", "2026-09-01")
    with monkeypatch.context() as earlier_release:
        earlier_release.setattr(settings, setting, frozenset())
        load("bitrix24")
    before = loaded()
    load("bitrix24")
    load("bitrix24")
    return [before, loaded()]


def test_contacts_are_loaded_whole_first_then_by_date_modify(portal, monkeypatch: pytest.MonkeyPatch, load,
                                                             query) -> None:
    """START_DATE bounds the first load of leads, not of contacts: contact 5, last edited in
    November 2025, may own leads and deals after it, and is loaded. The next load asks
    only for the contacts modified since the newest one it saw (contact 6, 3 September 08:00)."""
    contacts = [contact(5, "067 123 45 67", "2025-11-03T12:00:00+02:00"),
                contact(6, "050 765 43 21", "2026-09-03T08:00:00+03:00")]
    portal.handler = listing(contacts=contacts)
    monkeypatch.setenv("SOURCES__BITRIX24__START_DATE", "2026-09-01")
    load("bitrix24")
    contacts[1] |= {"NAME": "Client 6, edited", "DATE_MODIFY": "2026-09-04T09:00:00+03:00"}
    load("bitrix24")

    assert query("select id, name, phone_e164 from raw_bitrix24.contacts order by id") == [
        ("5", "Client 5", "+380671234567"), ("6", "Client 6, edited", "+380507654321")]
    assert filters(portal.requests, "crm.contact.list") == [None, {">=DATE_MODIFY": "2026-09-03T08:00:00+03:00"}]
    assert filters(portal.requests, "crm.lead.list")[0] == {">=DATE_MODIFY": "2026-09-01T00:00:00"}


def test_contacts_an_earlier_release_listed_from_start_date_are_listed_whole_once(
        portal, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """A release before contacts were listed whole listed them from START_DATE, and left its
    cursor: contact 5, last edited in November 2025, never arrived. The first load after the
    upgrade lists the contacts whole once (contact 5 arrives), the next one by DATE_MODIFY."""
    contacts = [contact(5, "067 123 45 67", "2025-11-03T12:00:00+02:00"),
                contact(6, "050 765 43 21", "2026-09-03T08:00:00+03:00")]
    portal.handler = listing(contacts=contacts)
    assert across_an_upgrade(monkeypatch, load, "WHOLE_ON_FIRST_LOAD",
                             lambda: query("select id from raw_bitrix24.contacts order by id")) == [
        [("6",)], [("5",), ("6",)]]
    assert filters(portal.requests, "crm.contact.list") == [
        {">=DATE_MODIFY": "2026-09-01T00:00:00"}, None, {">=DATE_MODIFY": "2026-09-03T08:00:00+03:00"}]


START = "2026-09-01T00:00:00"  # SOURCES__BITRIX24__START_DATE=2026-09-01, as the connector filters on it


def converted_lead(n: int, modified: str, source: str, campaign: str) -> dict:
    return lead(n) | {"STATUS_ID": "CONVERTED", "STATUS_SEMANTIC_ID": "S", "CONTACT_ID": "2069",
                      "DATE_CREATE": "2026-08-25T10:15:42+03:00", "DATE_MODIFY": modified,
                      "UTM_SOURCE": source, "UTM_MEDIUM": "cpc", "UTM_CAMPAIGN": campaign}


def won_deal(n: int, lead_id: str | None, modified: str) -> dict:
    return {"ID": str(n), "TITLE": f"Deal {n}", "LEAD_ID": lead_id, "CONTACT_ID": "2069", "CATEGORY_ID": "0",
            "STAGE_ID": "WON", "STAGE_SEMANTIC_ID": "S", "CLOSED": "Y", "CLOSEDATE": "2026-09-05T03:00:00+03:00",
            "DATE_CREATE": "2026-08-27T12:00:00+03:00", "DATE_MODIFY": modified, "OPPORTUNITY": "15000.00",
            "CURRENCY_ID": "UAH", "ASSIGNED_BY_ID": "17"}


def deals_of_an_older_lead() -> tuple[list[dict], list[dict]]:
    """Lead 1043, converted and last edited on 27 August, before START_DATE; lead 7, edited on
    3 September. Deal 20 of lead 1043, won on 5 September; deal 21 of lead 7, the last deal
    edited; deal 22 without a lead ("0")."""
    leads = [converted_lead(1043, "2026-08-27T12:00:00+03:00", "facebook", "ua_leads"), lead(7)]
    deals = [won_deal(20, "1043", "2026-09-05T15:00:00+03:00"), won_deal(21, "7", "2026-09-05T18:00:00+03:00"),
             won_deal(22, "0", "2026-09-03T09:00:00+03:00")]
    return leads, deals


def asked_by_id(requests: list[Request]) -> list[dict]:
    return [found for found in filters(requests, "crm.lead.list") if found and "@ID" in found]


def test_the_lead_of_a_deal_last_modified_before_start_date_is_asked_for_by_id(
        portal, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """START_DATE bounds the lead listing, and lead 1043 was last edited before it, while its deal
    20 is listed: the lead is asked for by id (the leads the deals name, if modified before
    START_DATE: lead 7 is listed) and loaded with its UTMs. The next load reads deal 21 again (at
    the cursor) and asks only for its lead 7 (which the API does not return); the one after lists
    deal 21 and new deal 23 and asks for their leads 7 and 1050, the latter last edited on
    21 August."""
    leads, deals = deals_of_an_older_lead()
    portal.handler = listing(leads=leads, deals=deals)
    monkeypatch.setenv("SOURCES__BITRIX24__START_DATE", "2026-09-01")
    load("bitrix24")
    assert query("select id, status_id, utm_source, utm_medium, utm_campaign, phone_e164, client_id "
                 "from raw_bitrix24.leads order by id") == [
        ("1043", "CONVERTED", "facebook", "cpc", "ua_leads", "+380671234567", "1382483615.1522331416"),
        ("7", "NEW", "facebook", "cpc", "ua_leads", "+380671234567", "1382483615.1522331416")]
    assert asked_by_id(portal.requests) == [{"@ID": ["1043", "7"], "<DATE_MODIFY": START}]

    load("bitrix24")
    assert asked_by_id(portal.requests) == [{"@ID": ["1043", "7"], "<DATE_MODIFY": START},
                                            {"@ID": ["7"], "<DATE_MODIFY": START}]

    leads.append(converted_lead(1050, "2026-08-21T16:00:00+03:00", "google", "brand"))
    deals.append(won_deal(23, "1050", "2026-09-06T10:00:00+03:00"))
    load("bitrix24")
    assert asked_by_id(portal.requests)[2:] == [{"@ID": ["1050", "7"], "<DATE_MODIFY": START}]
    assert query("select id, utm_source, utm_campaign from raw_bitrix24.leads order by id") == [
        ("1043", "facebook", "ua_leads"), ("1050", "google", "brand"), ("7", "facebook", "ua_leads")]
    assert query("select count(*) from raw_bitrix24.deals") == [(4,)]


def test_deals_an_earlier_release_loaded_have_their_leads_asked_for_once(
        portal, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """A release before the leads of deals were asked for by id loaded deal 20 without lead 1043.
    The first load after the upgrade lists the deals from START_DATE again, once, and loads lead
    1043; the next lists them from the cursor and asks only for the lead of deal 21 there."""
    leads, deals = deals_of_an_older_lead()
    portal.handler = listing(leads=leads, deals=deals)
    assert across_an_upgrade(monkeypatch, load, "LEADS_LOOKED_UP_FOR",
                             lambda: query("select id from raw_bitrix24.leads order by id")) == [
        [("7",)], [("1043",), ("7",)]]
    assert filters(portal.requests, "crm.deal.list") == [
        {">=DATE_MODIFY": START}, {">=DATE_MODIFY": START}, {">=DATE_MODIFY": "2026-09-05T18:00:00+03:00"}]
    assert asked_by_id(portal.requests) == [{"@ID": ["1043", "7"], "<DATE_MODIFY": START},
                                            {"@ID": ["7"], "<DATE_MODIFY": START}]


def by_date_modify(leads: list[dict]) -> list[dict]:
    return sorted(leads, key=lambda r: (r["DATE_MODIFY"], int(r["ID"])))


@pytest.mark.parametrize("new_lead", [False, True], ids=["edited", "edited and a new lead"])
def test_a_lead_edited_during_the_listing_is_not_lost(new_lead: bool, monkeypatch: pytest.MonkeyPatch,
                                                      load, query) -> None:
    """Offset pages sorted by DATE_MODIFY shift when a lead is edited while they are read. Lead 3
    (9th by DATE_MODIFY, on the first page) is edited right after the first page is served: it
    moves to the end, every lead after it slides back one place, and the one that slid into the
    first page (51st) is on no page read. The connector saw 174 of the 175 it counted, lists
    again, and loads all 175, lead 3 as edited. When a new lead arrives at the same moment, it
    sees 175, as many as the first page counted, but the later pages count 176: it lists again
    too."""
    edited = {"first_page_served": False}

    def leads_now() -> list[dict]:
        leads = all_leads()
        if edited["first_page_served"]:
            leads[2] |= {"TITLE": "Lead 3, edited", "DATE_MODIFY": "2026-09-03T09:30:00+03:00"}
            if new_lead:
                leads.append(lead(LEADS + 1) | {"DATE_MODIFY": "2026-09-03T09:31:00+03:00"})
        return by_date_modify(leads)

    def handle(request: Request) -> Reply:
        reply = bitrix(request, leads_now)
        if request.path.endswith("crm.lead.list.json"):
            edited["first_page_served"] = True
        return reply

    first_listing = by_date_modify(all_leads())
    slid = first_listing[50]["ID"]
    assert [r["ID"] for r in first_listing].index("3") < 50
    with FakeApi(handle) as api:
        monkeypatch.setenv("SOURCES__BITRIX24__WEBHOOK_URL", f"{api.url}/rest/1/{CODE}/")
        monkeypatch.setenv("SOURCES__BITRIX24__CLIENT_ID_FIELD", "UF_CRM_1704817278")
        load("bitrix24")
        lead_lists = [r for r in api.requests if r.path.endswith("crm.lead.list.json")]
    assert len(lead_lists) == 2  # listed again
    leads = LEADS + new_lead
    assert query("select count(*), count(distinct id) from raw_bitrix24.leads") == [(leads, leads)]
    assert query(f"select count(*) from raw_bitrix24.leads where id = '{slid}'") == [(1,)]
    assert query("select title from raw_bitrix24.leads where id = '3'") == [("Lead 3, edited",)]


def test_a_listing_short_every_time_keeps_its_cursor(monkeypatch: pytest.MonkeyPatch, load, query,
                                                     caplog) -> None:
    """A CRM edited during every listing: what was listed is loaded, the warning says so, and
    the cursor does not move: the next run lists from where this one started."""
    edits = {"count": 0}

    def leads_now() -> list[dict]:  # before each listing's first page, one more lead was edited
        leads = all_leads()
        for n in range(edits["count"]):
            leads[n]["DATE_MODIFY"] = f"2026-09-03T09:{n:02d}:00+03:00"
        return by_date_modify(leads)

    def handle(request: Request) -> Reply:
        reply = bitrix(request, leads_now)
        if request.path.endswith("crm.lead.list.json"):
            edits["count"] += 1
        return reply

    with FakeApi(handle) as api:
        monkeypatch.setenv("SOURCES__BITRIX24__WEBHOOK_URL", f"{api.url}/rest/1/{CODE}/")
        monkeypatch.setenv("SOURCES__BITRIX24__CLIENT_ID_FIELD", "UF_CRM_1704817278")
        monkeypatch.setenv("SOURCES__BITRIX24__START_DATE", "2026-09-01")
        load("bitrix24")
        load("bitrix24")
        filters = [r.json().get("filter") for r in api.requests if r.path.endswith("crm.lead.list.json")]
    assert len(filters) == 6  # three listings a run
    assert filters == [{">=DATE_MODIFY": "2026-09-01T00:00:00"}] * 6
    assert "listed 174 of the 175 records it counted" in caplog.text
    assert query("select count(distinct id) from raw_bitrix24.leads") == [(175,)]
