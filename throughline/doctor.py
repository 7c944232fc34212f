"""`throughline doctor`: is each source configured and reachable, is the warehouse there?

Nothing here prints a secret: only key names, hosts and paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

from ingestion.calltracking import default_base_url as calltracking_base_url
from ingestion.common.config import config_value, missing_settings
from ingestion.common.redaction import redact
from ingestion.fx_rates import DEFAULT_BASE_URL as NBU_URL
from ingestion.ga4.settings import DEFAULT_BASE_URL as GA4_URL
from ingestion.google_ads.settings import DEFAULT_BASE_URL as GOOGLE_ADS_URL
from ingestion.meta_ads.settings import DEFAULT_BASE_URL as META_URL
from ingestion.pipeline import SOURCE_NAMES, source_module
from throughline.demo import HOLDS_DEMO, held_demo_business
from throughline.settings import Settings
from throughline.warehouse import Warehouse

# The APIs the sources read from when no base_url is set (GA4's Data API: a property with
# credentials and no export folder).
DEFAULT_ENDPOINTS = {"google_ads": GOOGLE_ADS_URL, "meta_ads": META_URL, "ga4": GA4_URL, "fx_rates": NBU_URL}
# The setting of each source that says where it reads from: a URL or a local path.
LOCATION_KEYS: dict[str, tuple[str, ...]] = {
    "google_ads": ("base_url",),
    "meta_ads": ("base_url",),
    "ga4": ("export_path", "base_url"),
    "bitrix24": ("webhook_url",),
    "crm_file": ("path",),
    "calltracking": ("base_url",),
    "manual_costs": ("costs_path", "plan_path"),
    "fx_rates": ("base_url",),
}
# Settings that name a file (a local path or a published sheet's CSV link): a link must serve it.
# An API's base URL only has to answer (its root may well say 404 or 401).
FILE_KEYS = {("manual_costs", "costs_path"), ("manual_costs", "plan_path")}


# Locales whose character classes are bytes: lower() and upper() leave non-ASCII letters as they are.
BYTE_LOCALES = frozenset({"C", "POSIX"})


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | skipped | warning | failed
    details: str


def run_checks(settings: Settings) -> list[Check]:
    checks = [_check_warehouse(settings)]
    checks.extend(_check_source(name) for name in SOURCE_NAMES)
    if settings.bi_dsn:
        checks.append(_check_bi(settings.bi_dsn))
    else:
        checks.append(Check("BI publication", "skipped", "THROUGHLINE_BI_DSN not set"))
    checks.append(_check_alerts(settings))
    return checks


def _check_alerts(settings: Settings) -> Check:
    from throughline.alerts import URL_FORMS, Notifier

    if not settings.alert_urls:
        return Check("alerts", "skipped", "THROUGHLINE_ALERT_URLS not set: problems show only in the Dagster UI")
    notifier = Notifier(settings.alert_urls, settings.dagster_url)
    if notifier.unreadable:
        return Check("alerts", "failed", f"THROUGHLINE_ALERT_URLS {', '.join(notifier.unreadable)} cannot be "
                     f"read, no alert goes there: {URL_FORMS}")
    return Check("alerts", "ok", f"{len(notifier.urls)} destination(s): "
                 + ", ".join(sorted({url.split("://")[0] for url in notifier.urls})))


def _check_warehouse(settings: Settings) -> Check:
    warehouse = Warehouse.from_settings(settings)  # registers its password as a secret
    try:
        if warehouse.kind == "duckdb" and warehouse.path and not warehouse.path.exists():
            return Check("warehouse", "ok", f"{warehouse.describe()} (created on the first run)")
        conn = warehouse.connect(read_only=True)
        conn.execute("select 1")
        ctype = None
        if warehouse.kind == "postgres":
            ctype = conn.execute("select datctype from pg_database where datname = current_database()").fetchone()[0]
        conn.close()
        if held_demo_business(warehouse):
            return Check("warehouse", "warning", f"{warehouse.describe()} {HOLDS_DEMO}")
        if ctype in BYTE_LOCALES:
            return Check("warehouse", "warning", f"{warehouse.describe()}: the database's locale is {ctype}, "
                         "in which PostgreSQL does not lower-case Cyrillic or other non-Latin letters, so a "
                         "campaign tagged 'Весна' and one tagged 'весна' stay apart (DuckDB joins them). "
                         "Create the database with a UTF-8 locale, e.g. LC_CTYPE 'C.UTF-8' or 'uk_UA.UTF-8'.")
    except Exception as exc:  # any driver error means "not reachable"; say which
        if warehouse.kind == "duckdb" and "Conflicting lock" in str(exc):
            # DuckDB lets no other process in while one writes: a run is in progress
            return Check("warehouse", "ok", f"{warehouse.describe()} (a run is writing it now; "
                                            "readers and the next run wait for it to finish)")
        return Check("warehouse", "failed", f"{warehouse.describe()}: {type(exc).__name__}: {redact(exc)}")
    return Check("warehouse", "ok", warehouse.describe())


def _check_bi(dsn: str) -> Check:
    import psycopg

    target = _host_of(dsn)
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return Check("BI publication", "failed", f"{target}: {type(exc).__name__}")
    return Check("BI publication", "ok", target)


def _settings_problem(module: Any) -> str | None:
    """What the source itself says of a setting it cannot use (an unknown call-tracking provider),
    if anything: making a source reads its settings and checks them, without a request."""
    try:
        module.source()
    except ValueError as error:
        return str(error)
    except Exception:  # a setting not given yet (dlt's missing-config error): reported as missing
        return None
    return None


def _check_source(name: str) -> Check:
    label = f"source {name}"
    module = source_module(name)
    if not module.is_configured():
        required = module.required_settings()
        missing = missing_settings(name, *required)
        if len(missing) == len(required):
            return Check(label, "skipped", "not configured (see .env.example)")
        problem = _settings_problem(module)
        if problem:  # a value the source cannot use: setting the rest would not help
            return Check(label, "failed", problem)
        if missing:  # begun but not finished: the source is skipped until the rest is set
            return Check(label, "failed", f"partly configured, skipped until {', '.join(missing)} set")
        return Check(label, "failed", "configured, but not as it can be read (see .env.example)")
    located = [_check_location(name, key) for key in LOCATION_KEYS[name]]
    located = [check for check in located if check is not None]
    if not located and (endpoint := _default_endpoint(name)):
        located = [_check_url("default endpoint", endpoint)]
    if not located:
        return Check(label, "ok", "configured")
    failed = [check for check in located if check.status == "failed"]
    return Check(label, "failed" if failed else "ok", "; ".join(check.details for check in failed or located))


def _default_endpoint(name: str) -> str | None:
    """The API a source without a base_url reads from (None: it has none, as a file has not)."""
    return calltracking_base_url() if name == "calltracking" else DEFAULT_ENDPOINTS.get(name)


def _check_location(name: str, key: str) -> Check | None:
    """Whether the URL or path the source reads from under `key` answers (None: not set)."""
    value = config_value(name, key)
    if not value:
        return None
    value = str(value).strip()
    if value.lower().startswith(("http://", "https://")):
        return _check_url(key, value, serves_file=(name, key) in FILE_KEYS)
    path = Path(value)
    if path.exists():
        return Check(key, "ok", f"{key}: {path} exists")
    # (a URL without its scheme, a webhook's code in it: never echoed)
    return Check(key, "failed", redact(f"{key}: {value} does not exist"))


def _check_url(label: str, url: str, serves_file: bool = False) -> Check:
    """Whether `url` answers; a file's link must also serve it (its body is not read)."""
    target = _host_of(url)
    try:
        if serves_file:  # followed to the file (a published sheet redirects), asked with GET
            with requests.get(url, timeout=5, stream=True) as response:
                status = response.status_code
        else:
            status = requests.head(url, timeout=5, allow_redirects=False).status_code
    except requests.RequestException as exc:
        return Check(label, "failed", f"{target} unreachable: {type(exc).__name__}")
    if serves_file and status >= 400:
        return Check(label, "failed", f"{label}: {target} answers HTTP {status}, no file there "
                                      "(is the sheet still published, as CSV?)")
    return Check(label, "ok", f"{target} answers (HTTP {status})")


def _host_of(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.hostname}" + (f":{parsed.port}" if parsed.port else "")
