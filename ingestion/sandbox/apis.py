"""Request handlers of the imitated APIs: each answers in its real API's shapes (field names,
strings for int64, paging, auth errors), from the business tables."""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import pandas as pd

from ingestion.sandbox.business import Business, without_nan

if TYPE_CHECKING:
    from ingestion.sandbox.server import Fault, Request, Response

TZ = "Europe/Kyiv"
BITRIX_PAGE = 50
BITRIX_BATCH = 50  # sub-calls in one batch request


def _response(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    from ingestion.sandbox.server import Response

    return Response(status, body, headers or {})


class ApiState:
    """What the servers share: the business, the switches, the issued tokens."""

    def __init__(self, business: Business, credentials: dict[str, str], client_id_field: str) -> None:
        self.business = _text_nulls(business)
        self.credentials = credentials
        self.client_id_field = client_id_field
        self.as_of: date = business.end_date
        self.restated = True
        self._lock = threading.Lock()
        self.bitrix_lock = threading.Lock()
        self.bitrix_tables: dict[tuple, list[dict[str, Any]] | None] = {}  # paged calls re-read one table
        self._tokens: set[str] = set()
        self._counter = itertools.count(1)
        self.meta_token_expired = False
        stats = business.ad_stats.merge(business.ad_accounts[["account_id", "currency", "time_zone"]], on="account_id")
        stats = stats.merge(business.campaigns[["campaign_id", "campaign_name", "channel_type", "status",
                                                "tracking_url_template", "final_url_suffix"]], on="campaign_id")
        stats = stats.merge(business.ad_groups[["ad_group_id", "ad_group_name"]], on="ad_group_id")
        self.ad_rows = stats.merge(business.ads[["ad_id", "ad_name", "final_url", "url_tags"]], on="ad_id")
        self.ad_rows["date"] = pd.to_datetime(self.ad_rows["date"]).dt.date
        # One Meta ad in five was deleted after it ran: Meta lists it, and reports its figures at
        # the ad level, only to a request that asks for deleted ads by status.
        meta_ads = sorted(business.ads.loc[business.ads["platform"] == "meta_ads", "ad_id"])
        self.deleted_meta_ads = frozenset(meta_ads[4::5])

    # -- time and switches --------------------------------------------------------------------
    def as_of_utc(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of).tz_localize(TZ).tz_convert("UTC")

    def stats(self) -> pd.DataFrame:
        """Ad rows before `as_of`, with first-reported figures unless restated."""
        rows = self.ad_rows[self.ad_rows["date"] < self.as_of]
        if self.restated:
            return rows
        initial = self.business.ad_stats_initial.assign(date=lambda f: pd.to_datetime(f["date"]).dt.date)
        figures = initial.set_index(["ad_id", "date"])[["impressions", "clicks", "cost_micros"]]
        rows = rows.set_index(["ad_id", "date"])
        rows.update(figures)
        return rows.reset_index()

    # -- tokens ----------------------------------------------------------------------------------
    def issue_token(self) -> str:
        token = f"ya29.sandbox-{next(self._counter)}"
        with self._lock:
            self._tokens.add(token)
        return token

    def token_valid(self, header: str | None) -> bool:
        token = (header or "").removeprefix("Bearer ").strip()
        with self._lock:
            return token in self._tokens

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()
        self.meta_token_expired = True


def _text_nulls(business: Business) -> Business:
    """A copy whose missing text values are None (JSON null), never NaN."""
    from dataclasses import replace

    return replace(business, **{name: without_nan(getattr(business, name))
                                for name in ("leads", "contacts", "calls", "deals")})


# -- Google Ads ---------------------------------------------------------------------------------
GAQL = re.compile(r"\bFROM\s+(\w+).*?segments\.date\s+BETWEEN\s+'([\d-]+)'\s+AND\s+'([\d-]+)'", re.I | re.S)
GROUPING = {
    "campaign": ["account_id", "campaign_id"],
    "ad_group": ["account_id", "campaign_id", "ad_group_id"],
    "ad_group_ad": ["account_id", "campaign_id", "ad_group_id", "ad_id"],
}


def google_ads(state: ApiState, request: Request) -> Response:
    c = state.credentials
    if request.path == "/token":
        form = request.form()
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret"), form.get("refresh_token")) != (
                "refresh_token", c["google_client_id"], c["google_client_secret"], c["google_refresh_token"]):
            return _response(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        return _response(body={"access_token": state.issue_token(), "expires_in": 3599,
                               "scope": "https://www.googleapis.com/auth/adwords", "token_type": "Bearer"})
    match = re.fullmatch(r"/(v\d+)/customers/(\d+)/googleAds:searchStream", request.path)
    if not match:
        return _google_error(404, "NOT_FOUND", f"Method not found: {request.path}")
    if not state.token_valid(request.headers.get("authorization")):
        return _google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.",
                             {"authenticationError": "OAUTH_TOKEN_EXPIRED"})
    query = (request.json() or {}).get("query", "")
    parsed = GAQL.search(query)
    if not parsed:
        return _google_error(400, "INVALID_ARGUMENT", "Error in query: expected FROM ... WHERE segments.date BETWEEN",
                             {"queryError": "UNEXPECTED_END_OF_QUERY"})
    resource, first, last = parsed.group(1), date.fromisoformat(parsed.group(2)), date.fromisoformat(parsed.group(3))
    customer = match.group(2)
    if resource == "keyword_view":
        rows = _keyword_rows(state, customer, first, last)
    elif resource in GROUPING:
        rows = _stat_rows(state, resource, customer, first, last)
    else:
        return _google_error(400, "INVALID_ARGUMENT", f"Error in query: unknown resource {resource}",
                             {"queryError": "INVALID_RESOURCE_NAME"})
    batches = [{"results": rows[i:i + 10000], "fieldMask": "segments.date", "requestId": "sandbox"}
               for i in range(0, len(rows), 10000)] or [{"fieldMask": "segments.date", "requestId": "sandbox"}]
    return _response(body=batches)


def _google_error(status: int, code: str, message: str, error_code: dict | None = None) -> Response:
    details = [{"@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                "errors": [{"errorCode": error_code or {}, "message": message}], "requestId": "sandbox"}]
    return _response(status, {"error": {"code": status, "message": message, "status": code, "details": details}})


def _stat_rows(state: ApiState, resource: str, customer: str, first: date, last: date) -> list[dict]:
    stats = state.stats()
    stats = stats[(stats["platform"] == "google_ads") & (stats["account_id"] == customer)
                  & (stats["date"] >= first) & (stats["date"] <= last)]
    keys = GROUPING[resource] + ["date"]
    attributes = ["currency", "time_zone", "campaign_name", "channel_type", "status", "tracking_url_template",
                  "final_url_suffix", "ad_group_name", "ad_name", "final_url"]
    grouped = stats.groupby(keys, as_index=False).agg(
        impressions=("impressions", "sum"), clicks=("clicks", "sum"), cost_micros=("cost_micros", "sum"),
        conversions=("conversions", "sum"), **{a: (a, "first") for a in attributes})
    rows = []
    for r in grouped.itertuples(index=False):
        row: dict[str, Any] = {
            "customer": {"resourceName": f"customers/{customer}", "id": customer,
                         "currencyCode": r.currency, "timeZone": r.time_zone},
            "campaign": {"resourceName": f"customers/{customer}/campaigns/{r.campaign_id}", "id": r.campaign_id,
                         "name": r.campaign_name, "status": r.status, "advertisingChannelType": r.channel_type,
                         "trackingUrlTemplate": r.tracking_url_template, "finalUrlSuffix": r.final_url_suffix},
            "segments": {"date": r.date.isoformat()},
            "metrics": {"impressions": str(r.impressions), "clicks": str(r.clicks),
                        "costMicros": str(r.cost_micros), "conversions": float(r.conversions),
                        "conversionsValue": 0.0},
        }
        if resource in ("ad_group", "ad_group_ad"):
            row["adGroup"] = {"resourceName": f"customers/{customer}/adGroups/{r.ad_group_id}",
                              "id": r.ad_group_id, "name": r.ad_group_name}
        if resource == "ad_group_ad":
            row["adGroupAd"] = {"resourceName": f"customers/{customer}/adGroupAds/{r.ad_group_id}~{r.ad_id}",
                                "status": "ENABLED",
                                "ad": {"resourceName": f"customers/{customer}/ads/{r.ad_id}", "id": r.ad_id,
                                       "name": r.ad_name, "finalUrls": [r.final_url],
                                       "urlCustomParameters": []}}
        rows.append(row)
    return rows


def _keyword_rows(state: ApiState, customer: str, first: date, last: date) -> list[dict]:
    b = state.business
    stats = b.keyword_stats.assign(date=pd.to_datetime(b.keyword_stats["date"]).dt.date)
    stats = stats[(stats["account_id"] == customer) & (stats["date"] >= first) & (stats["date"] <= last)
                  & (stats["date"] < state.as_of)].merge(b.keywords, on=["account_id", "campaign_id", "ad_group_id",
                                                                        "criterion_id"])
    return [{
        "customer": {"resourceName": f"customers/{customer}", "id": customer, "currencyCode": "UAH"},
        "campaign": {"resourceName": f"customers/{customer}/campaigns/{r.campaign_id}", "id": r.campaign_id},
        "adGroup": {"resourceName": f"customers/{customer}/adGroups/{r.ad_group_id}", "id": r.ad_group_id},
        "adGroupCriterion": {"resourceName": f"customers/{customer}/adGroupCriteria/{r.ad_group_id}~{r.criterion_id}",
                             "criterionId": r.criterion_id, "keyword": {"text": r.keyword_text,
                                                                        "matchType": r.match_type}},
        "segments": {"date": r.date.isoformat()},
        "metrics": {"impressions": str(r.impressions), "clicks": str(r.clicks), "costMicros": str(r.cost_micros),
                    "conversions": 0.0},
    } for r in stats.itertuples(index=False)]


# -- Meta -------------------------------------------------------------------------------------------
def meta_ads(state: ApiState, request: Request) -> Response:
    token = request.query.get("access_token") or (request.headers.get("authorization") or "").removeprefix("Bearer ")
    if token != state.credentials["meta_access_token"] or state.meta_token_expired:
        state.meta_token_expired = False  # the next token "refresh" by the operator works again
        return _response(400, {"error": {"message": "Error validating access token: Session has expired.",
                                         "type": "OAuthException", "code": 190, "error_subcode": 463,
                                         "fbtrace_id": "sandbox"}})
    match = re.fullmatch(r"/(v[\d.]+)/act_(\d+)/(insights|ads)", request.path)
    if not match:
        return _response(400, {"error": {"message": "Unknown path", "type": "GraphMethodException", "code": 100}})
    account, edge = match.group(2), match.group(3)
    limit = int(request.query.get("limit", 25))
    offset = int(base64.b64decode(request.query["after"]).decode()) if request.query.get("after") else 0
    status_field = "effective_status" if edge == "ads" else "ad.effective_status"
    hidden = set() if "DELETED" in _statuses_asked(request, status_field) else state.deleted_meta_ads
    if edge == "ads":
        ads = state.business.ads[(state.business.ads["account_id"] == account)
                                 & ~state.business.ads["ad_id"].isin(hidden)]
        rows = [{"id": a.ad_id, "name": a.ad_name, "adset_id": a.ad_group_id, "campaign_id": a.campaign_id,
                 "effective_status": "DELETED" if a.ad_id in state.deleted_meta_ads else "ACTIVE",
                 "updated_time": "2026-01-01T00:00:00+0000",
                 "creative": {"id": a.creative_id, "url_tags": a.url_tags,
                              "object_story_spec": {"link_data": {"link": a.final_url}}}}
                for a in ads.itertuples(index=False)]
    else:
        window = _json_param(request.query.get("time_range"))
        first, last = date.fromisoformat(window["since"]), date.fromisoformat(window["until"])
        stats = state.stats()
        stats = stats[(stats["platform"] == "meta_ads") & (stats["account_id"] == account)
                      & (stats["date"] >= first) & (stats["date"] <= last) & ~stats["ad_id"].isin(hidden)
                      & ((stats["impressions"] > 0) | (stats["cost_micros"] > 0))].sort_values(["date", "ad_id"])
        rows = [{
            "account_id": account, "account_currency": r.currency, "campaign_id": r.campaign_id,
            "campaign_name": r.campaign_name, "adset_id": r.ad_group_id, "adset_name": r.ad_group_name,
            "ad_id": r.ad_id, "ad_name": r.ad_name, "impressions": str(r.impressions), "clicks": str(r.clicks),
            "reach": str(int(r.impressions * 0.7)), "spend": f"{r.cost_micros / 1_000_000:.2f}",
            "actions": [{"action_type": "link_click", "value": str(r.clicks)},
                        {"action_type": "lead", "value": str(r.leads)}],
            "date_start": r.date.isoformat(), "date_stop": r.date.isoformat(),
        } for r in stats.itertuples(index=False)]
    page = rows[offset:offset + limit]
    body: dict[str, Any] = {"data": page, "paging": {"cursors": {
        "before": base64.b64encode(str(offset).encode()).decode(),
        "after": base64.b64encode(str(offset + len(page)).encode()).decode()}}}
    if offset + limit < len(rows):
        following = {**request.query, "after": body["paging"]["cursors"]["after"]}
        query = "&".join(f"{k}={v}" for k, v in following.items() if k != "access_token")
        body["paging"]["next"] = f"http://{request.headers.get('host')}{request.path}?{query}"
    return _response(body=body)


def _statuses_asked(request: Request, field: str) -> set[str]:
    """The ad statuses a `filtering` on `field` asks for; without one Meta leaves deleted and
    archived ads out."""
    for condition in _json_param(request.query.get("filtering")) or []:
        if condition.get("field") == field and condition.get("operator") == "IN":
            return set(condition.get("value", []))
    return {"ACTIVE", "PAUSED"}


def _json_param(text: str | None) -> Any:
    import json

    return json.loads(text or "{}")


# -- Bitrix24 ---------------------------------------------------------------------------------
def _kyiv(ts: Any) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    local = pd.Timestamp(ts).tz_convert(TZ)
    return local.isoformat(timespec="seconds")


def bitrix24(state: ApiState, request: Request) -> Response:
    match = re.fullmatch(r"/rest/(\d+)/([^/]+)/([\w.]+?)(?:\.json)?", request.path)
    if not match or match.group(2) != state.credentials["bitrix_webhook_code"]:
        return _response(401, {"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"})
    method = match.group(3)
    body = _bitrix_body(request)
    if method == "batch":
        return _bitrix_batch(state, body)
    status, reply = _bitrix_call(state, method, body)
    return _response(status, reply)


def _bitrix_body(request: Request) -> dict[str, Any]:
    if not request.body:
        return {}
    if request.body.lstrip().startswith(b"{"):
        return request.json()
    return php_params(request.body.decode())


def php_params(query: str) -> dict[str, Any]:
    """A PHP-style query string (filter[>ID]=5&select[0]=ID) as the nested body it stands for."""
    body: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        head, *path = re.findall(r"^[^\[]+|(?<=\[)[^\]]*(?=\])", key)
        node, name = body, head
        for part in path:
            node = node.setdefault(name, {})
            name = part if part else str(len(node))
        node[name] = value
    return {k: _php_lists(v) for k, v in body.items()}


def _php_lists(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {k: _php_lists(v) for k, v in value.items()}
    return list(items.values()) if all(k.isdigit() for k in items) else items


def _bitrix_call(state: ApiState, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    start = int(body.get("start", 0) or 0)
    table = _bitrix_table(state, method, body)
    if table is None:
        return 404, {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}
    page = table[start:start + BITRIX_PAGE] if start >= 0 else table[:BITRIX_PAGE]
    reply: dict[str, Any] = {"result": {"items": page} if method == "crm.stagehistory.list" else page,
                             "total": len(table), "time": {"start": 0, "finish": 0, "duration": 0}}
    if start >= 0 and start + BITRIX_PAGE < len(table):
        reply["next"] = start + BITRIX_PAGE
    return 200, reply


def _bitrix_batch(state: ApiState, body: dict[str, Any]) -> Response:
    commands = body.get("cmd") or {}
    if len(commands) > BITRIX_BATCH:
        return _response(400, {"error": "ERROR_BATCH_LENGTH_EXCEEDED",
                               "error_description": f"Max batch length exceeded ({BITRIX_BATCH})"})
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    totals: dict[str, int] = {}
    nexts: dict[str, int] = {}
    for name, command in commands.items():
        method, _, query = command.partition("?")
        status, reply = _bitrix_call(state, method.removesuffix(".json"), php_params(query))
        if status != 200:
            errors[name] = reply
            if str(body.get("halt", 0)) not in ("0", "false", ""):
                break
            continue
        results[name] = reply["result"]
        totals[name] = reply["total"]
        if "next" in reply:
            nexts[name] = reply["next"]
    # PHP encodes an empty map as []: the real API answers "result_error": [] when all went well.
    return _response(body={"result": {"result": results, "result_error": errors or [], "result_total": totals,
                                      "result_next": nexts or [], "result_time": {}},
                           "time": {"start": 0, "finish": 0, "duration": 0}})


def _bitrix_filter(rows: list[dict[str, Any]], flt: dict[str, Any]) -> list[dict[str, Any]]:
    for key, value in (flt or {}).items():
        for op in (">=", "<=", ">", "<", "=", "@"):
            if key.startswith(op):
                field = key[len(op):]
                break
        else:
            op, field = "=", key
        if op == "@":  # in a list: {"@ID": [1043, "1044"]}, or filter[@ID][0]=1043 in a query string
            listed = {str(item) for item in (value if isinstance(value, list) else [value])}
            rows = [r for r in rows if str(r.get(field)) in listed]
        elif field == "ID":
            rows = [r for r in rows if _compare(int(r["ID"]), op, int(value))]
        elif field in ("DATE_MODIFY", "DATE_CREATE"):
            bound = pd.Timestamp(value)
            bound = bound.tz_localize(TZ) if bound.tzinfo is None else bound
            rows = [r for r in rows if _compare(pd.Timestamp(r[field]), op, bound)]
        else:
            rows = [r for r in rows if _compare(str(r.get(field)), op, str(value))]
    return rows


def _compare(left: Any, op: str, right: Any) -> bool:
    return {">=": left >= right, "<=": left <= right, ">": left > right, "<": left < right, "=": left == right}[op]


def _bitrix_table(state: ApiState, method: str, body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The full filtered, ordered list a paged call reads from; built once per query and as_of."""
    key = (method, state.as_of, json.dumps({k: v for k, v in body.items() if k != "start"}, sort_keys=True))
    with state.bitrix_lock:
        if key not in state.bitrix_tables:
            if len(state.bitrix_tables) >= 8:
                state.bitrix_tables.clear()
            state.bitrix_tables[key] = _build_bitrix_table(state, method, body)
        return state.bitrix_tables[key]


def _build_bitrix_table(state: ApiState, method: str, body: dict[str, Any]) -> list[dict[str, Any]] | None:
    b, cut = state.business, state.as_of_utc()
    # Records are served with their final fields, but never modified later than "now" (as_of):
    # extending as_of makes later changes show up with a newer DATE_MODIFY, as in a live CRM.
    seen = cut - pd.Timedelta(seconds=1)
    if method == "crm.lead.list":
        leads = b.leads[b.leads["created_at"] < cut]
        rows = [{
            "ID": str(r.lead_id), "TITLE": r.title, "NAME": r.name, "LAST_NAME": None,
            "STATUS_ID": r.status_id, "STATUS_SEMANTIC_ID": r.status_semantic, "SOURCE_ID": r.source_id,
            "ASSIGNED_BY_ID": str(r.manager_id), "CONTACT_ID": str(r.contact_id),
            "DATE_CREATE": _kyiv(r.created_at), "DATE_MODIFY": _kyiv(min(r.modified_at, seen)), "DATE_CLOSED": "",
            "OPPORTUNITY": f"{r.opportunity:.2f}", "CURRENCY_ID": r.currency,
            "UTM_SOURCE": r.utm_source, "UTM_MEDIUM": r.utm_medium, "UTM_CAMPAIGN": r.utm_campaign,
            "UTM_CONTENT": r.utm_content, "UTM_TERM": r.utm_term,
            "PHONE": [{"ID": str(r.lead_id * 2), "VALUE_TYPE": "WORK", "VALUE": r.phone, "TYPE_ID": "PHONE"}],
            "EMAIL": [{"ID": str(r.lead_id * 2 + 1), "VALUE_TYPE": "WORK", "VALUE": r.email, "TYPE_ID": "EMAIL"}]
            if r.email else [],
            state.client_id_field: r.client_id or "",
        } for r in leads.itertuples(index=False)]
    elif method == "crm.deal.list":
        deals = b.deals[b.deals["created_at"] < cut]
        rows = [{
            "ID": str(r.deal_id), "TITLE": r.title, "LEAD_ID": None if pd.isna(r.lead_id) else str(r.lead_id),
            "CONTACT_ID": str(r.contact_id), "CATEGORY_ID": "0", "STAGE_ID": r.stage_id,
            "STAGE_SEMANTIC_ID": r.stage_semantic, "CLOSED": "Y" if r.closed else "N",
            # an open deal's is its planned close: Bitrix24 sets a week after its creation
            "CLOSEDATE": _kyiv(r.closed_at if r.closed else r.created_at + timedelta(days=7)) or "",
            "DATE_CREATE": _kyiv(r.created_at),
            "DATE_MODIFY": _kyiv(min(r.modified_at, seen)), "OPPORTUNITY": f"{r.amount:.2f}", "CURRENCY_ID": r.currency,
            "ASSIGNED_BY_ID": str(r.manager_id),
        } for r in deals.itertuples(index=False)]
    elif method == "crm.contact.list":
        contacts = b.contacts[b.contacts["created_at"] < cut]
        rows = [{
            "ID": str(r.contact_id), "NAME": r.name, "LAST_NAME": None, "DATE_CREATE": _kyiv(r.created_at),
            "DATE_MODIFY": _kyiv(r.modified_at), "LEAD_ID": str(r.lead_id),
            "PHONE": [{"ID": "1", "VALUE_TYPE": "MOBILE", "VALUE": r.phone, "TYPE_ID": "PHONE"}],
            "EMAIL": [{"ID": "2", "VALUE_TYPE": "WORK", "VALUE": r.email, "TYPE_ID": "EMAIL"}] if r.email else [],
        } for r in contacts.itertuples(index=False)]
    elif method == "crm.status.list":
        return [{"ID": str(i + 1), "ENTITY_ID": r.entity_id, "STATUS_ID": r.status_id, "NAME": r.name,
                 "NAME_INIT": r.name, "SORT": str(r.sort), "SYSTEM": "Y", "CATEGORY_ID": None,
                 "SEMANTICS": r.semantics} for i, r in enumerate(b.statuses.itertuples(index=False))]
    elif method == "user.get":
        return [{"ID": str(r.user_id), "ACTIVE": bool(r.active), "NAME": r.name, "LAST_NAME": r.last_name,
                 "EMAIL": r.email, "WORK_POSITION": r.work_position, "USER_TYPE": "employee"}
                for r in b.managers.itertuples(index=False)]
    elif method == "crm.stagehistory.list":
        lead = int(body.get("entityTypeId", 1)) == 1
        history = b.lead_status_history if lead else b.deal_stage_history
        history = history[history["created_at"] < cut]
        rows = [{"ID": str(r.history_id), "TYPE_ID": str(r.type_id),
                 "OWNER_ID": str(r.lead_id if lead else r.deal_id), "CREATED_TIME": _kyiv(r.created_at),
                 **({"STATUS_ID": r.status_id, "STATUS_SEMANTIC_ID": r.status_semantic} if lead else
                    {"CATEGORY_ID": "0", "STAGE_ID": r.stage_id, "STAGE_SEMANTIC_ID": r.stage_semantic})}
                for r in history.itertuples(index=False)]
        return _bitrix_filter(rows, body.get("filter"))
    else:
        return None
    rows = _bitrix_filter(rows, body.get("filter"))
    if "DATE_MODIFY" in (body.get("order") or {}):
        rows.sort(key=lambda r: (pd.Timestamp(r["DATE_MODIFY"]), int(r["ID"])))
    return rows


# -- call tracking ---------------------------------------------------------------------------------
def _calls(state: ApiState) -> pd.DataFrame:
    calls = state.business.calls
    return calls[calls["started_at"] < state.as_of_utc()]


def ringostat(state: ApiState, request: Request) -> Response:
    if request.headers.get("auth-key") != state.credentials["ringostat_auth_key"]:
        return _response(401, {"error": "Unauthorized", "message": "Invalid Auth-key"})
    first = pd.Timestamp(request.query["from"]).tz_localize(TZ)
    last = pd.Timestamp(request.query["to"]).tz_localize(TZ)
    calls = _calls(state)
    calls = calls[(calls["started_at"] >= first) & (calls["started_at"] <= last)]
    if len(calls) > 6500:
        return _response(400, {"error": "Too many calls in the period: split it (max 6500)"})
    managers = state.business.managers.set_index("user_id")
    rows = [{
        "uniqueid": r.call_id, "calldate": pd.Timestamp(r.started_at).tz_convert(TZ).strftime("%Y-%m-%d %H:%M:%S"),
        # an outbound call (a callback) dials the customer from the tracking line
        "caller": r.caller_phone if r.direction == "in" else r.tracking_number,
        "dst": r.tracking_number if r.direction == "in" else r.caller_phone, "disposition": r.disposition,
        "call_type": "in" if r.direction == "in" else "out", "duration": str(r.duration_seconds),
        "waittime": str(r.wait_seconds), "billsec": str(r.talk_seconds),
        "connected_with": f"{managers.loc[r.manager_id, 'name']} {managers.loc[r.manager_id, 'last_name']}"
        if r.answered else "", "pool_name": r.pool_name, "utm_source": r.utm_source or "",
        "utm_medium": r.utm_medium or "", "utm_campaign": r.utm_campaign or "", "utm_content": r.utm_content or "",
        "utm_term": r.utm_term or "", "client_id": r.client_id or "", "landing": r.landing_url or "",
        "recording": r.recording_url or "", "has_recording": 1 if r.recording_url else 0,
    } for r in calls.itertuples(index=False)]
    return _response(body=rows)


def callrail(state: ApiState, request: Request) -> Response:
    header = request.headers.get("authorization", "")
    key = state.credentials["callrail_api_key"]
    if header not in (f'Token token="{key}"', f"Token token={key}"):
        return _response(401, {"error": "HTTP Token: Access denied."})
    first = pd.Timestamp(request.query["start_date"]).tz_localize(TZ)
    last = pd.Timestamp(request.query["end_date"]).tz_localize(TZ) + pd.Timedelta(days=1)
    calls = _calls(state)
    calls = calls[(calls["started_at"] >= first) & (calls["started_at"] < last)].sort_values("started_at")
    per_page = min(int(request.query.get("per_page", 100)), 250)
    page = int(request.query.get("page", 1))
    chunk = calls.iloc[(page - 1) * per_page: page * per_page]
    managers = state.business.managers.set_index("user_id")
    rows = [{
        "id": f"CAL{r.call_id.replace('.', '')}", "answered": bool(r.answered),
        "business_phone_number": f"+{r.tracking_number}", "customer_phone_number": f"+{r.caller_phone}",
        "direction": "inbound" if r.direction == "in" else "outbound", "duration": int(r.duration_seconds),
        "start_time": pd.Timestamp(r.started_at).tz_convert(TZ).isoformat(timespec="milliseconds"),
        "tracking_phone_number": f"+{r.tracking_number}", "voicemail": False,
        "recording": r.recording_url, "source_name": r.pool_name, "utm_source": r.utm_source,
        "utm_medium": r.utm_medium, "utm_campaign": r.utm_campaign, "utm_content": r.utm_content,
        "utm_term": r.utm_term, "ga": f"GA1.2.{r.client_id}" if r.client_id else None,
        "agent_email": managers.loc[r.manager_id, "email"] if r.answered else None,
        "landing_page_url": r.landing_url,
    } for r in chunk.itertuples(index=False)]
    total_pages = max(1, -(-len(calls) // per_page))
    return _response(body={"page": page, "per_page": per_page, "total_pages": total_pages,
                           "total_records": len(calls), "calls": rows})


# -- NBU -----------------------------------------------------------------------------------------
def nbu(state: ApiState, request: Request) -> Response:
    if request.path != "/NBUStatService/v1/statdirectory/exchange":
        return _response(404, {"error": "not found"})
    day = datetime.strptime(request.query.get("date", ""), "%Y%m%d").date()
    rates = state.business.fx_rates
    rows = rates[(pd.to_datetime(rates["date"]).dt.date == day) & (day < state.as_of + timedelta(days=1))]
    if request.query.get("valcode"):
        rows = rows[rows["currency"] == request.query["valcode"].upper()]
    return _response(body=[{"r030": int(r.r030), "txt": r.txt, "rate": float(r.rate), "cc": r.currency,
                            "exchangedate": day.strftime("%d.%m.%Y")} for r in rows.itertuples(index=False)])


HANDLERS = {"google_ads": google_ads, "meta_ads": meta_ads, "bitrix24": bitrix24, "ringostat": ringostat,
            "callrail": callrail, "nbu": nbu}


def fault_response(api: str, fault: Fault) -> Response:
    retry_after = str(fault.options.get("retry_after", 1))
    if fault.kind == "server_error":
        return _response(int(fault.options.get("status", 500)), {"error": "Internal server error"})
    if api == "meta_ads":
        return _response(400, {"error": {"message": "(#80000) There have been too many calls from this ad-account.",
                                         "type": "OAuthException", "code": 80000, "error_subcode": 2446079,
                                         "is_transient": True}})
    if api == "bitrix24":
        return _response(503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"})
    if api == "google_ads":
        return _response(429, {"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).",
                                         "status": "RESOURCE_EXHAUSTED"}}, {"Retry-After": retry_after})
    return _response(429, {"error": "Rate limit exceeded"}, {"Retry-After": retry_after})
