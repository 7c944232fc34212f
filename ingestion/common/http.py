"""One HTTP client for every source: retries with backoff, Retry-After, token refresh, clear errors.

Errors name the source, the endpoint and the page, and never carry a secret (see `redaction`).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from ingestion.common.redaction import redact

log = logging.getLogger("throughline.ingestion")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


# The connection failed, or dropped while the body was read: the same request can succeed.
TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError)


class SourceError(RuntimeError):
    """A source failed in a way a person has to look at; the message says what and where."""

    def __init__(self, source: str, endpoint: str, page: str, reason: str, status: int | None = None,
                 *, retry_later: bool = False):
        self.source, self.endpoint, self.page, self.status = source, endpoint, page, status
        # the API throttles and asked to wait longer than a run retries for: a later run can pass
        self.retry_later = retry_later
        where = f"{endpoint}" + (f" ({page})" if page else "")
        super().__init__(redact(f"{source}: request to {where} failed: {reason}"))


class AuthExpired(Exception):
    """Raised by a source's response check when the API says the token expired."""


# A request that cannot reach the API (refused, reset, timed out) is tried this often at most, even
# where a source allows more attempts to outlast its rate limits (Bitrix24's 11): a server that is
# down would otherwise hold the run and the warehouse's write lock for minutes.
TRANSPORT_ATTEMPTS = 6


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    # A Retry-After longer than this is a quota that resets in hours: fail instead of waiting.
    max_retry_after_seconds: float = 300.0
    timeout_seconds: float = 60.0


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class Pacer:
    """Client-side rate limit (a leaky bucket): a burst of `burst` requests, then `rate` per second."""

    burst: float
    rate: float
    tokens: float = field(init=False)
    checked: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens, self.checked = self.burst, time.monotonic()

    def wait(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.checked) * self.rate)
        self.checked = now
        if self.tokens < 1:
            time.sleep((1 - self.tokens) / self.rate)
            self.tokens, self.checked = 1.0, time.monotonic()
        self.tokens -= 1


@dataclass
class ApiClient:
    """A requests session bound to one source.

    `authorize` adds credentials to each request's headers/params; `refresh` renews them once
    after a 401 (or when `classify` raises AuthExpired). `classify` lets a source turn an API's
    own error body into a retry (return seconds to wait, -1 for the usual backoff); None leaves
    the decision to the HTTP status.
    """

    source: str
    base_url: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    headers: Mapping[str, str] = field(default_factory=dict)
    authorize: Callable[[dict[str, str], dict[str, Any]], None] | None = None
    refresh: Callable[[], None] | None = None
    classify: Callable[[requests.Response], str | float | None] | None = None
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def request(
        self,
        method: str,
        path: str,
        *,
        page: str = "",
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = self.url(path)
        endpoint = path.split("?")[0] if not path.startswith("http") else url.split("?")[0]
        refreshed = False
        attempt = unreached = 0
        while True:
            attempt += 1
            req_headers = {**self.headers, **(headers or {})}
            req_params = dict(params or {})
            if self.authorize:
                self.authorize(req_headers, req_params)
            wait: float | None
            try:
                response = self.session.request(
                    method, url, params=req_params or None, json=json_body, data=data,
                    headers=req_headers, timeout=self.policy.timeout_seconds,
                )
            except TRANSPORT_ERRORS as exc:
                reason = f"{type(exc).__name__}: {exc}"
                wait = self._backoff(attempt)
                unreached += 1
            except requests.RequestException as exc:  # a request it cannot send: a bad URL or header
                raise SourceError(self.source, endpoint, page, f"{type(exc).__name__}: {exc}") from None
            else:
                try:
                    verdict = self._verdict(response)
                except AuthExpired:
                    verdict = "auth"
                if verdict == "ok":
                    return response
                if verdict == "auth":
                    if self.refresh and not refreshed:
                        log.info("%s: access token expired, refreshing once", self.source)
                        self.refresh()
                        refreshed = True
                        attempt -= 1
                        continue
                    raise SourceError(self.source, endpoint, page,
                                      f"HTTP {response.status_code}: not authorised "
                                      f"({_snippet(response)}); check the source's credentials",
                                      response.status_code)
                if verdict == "fail":
                    raise SourceError(self.source, endpoint, page,
                                      f"HTTP {response.status_code}: {_snippet(response)}",
                                      response.status_code)
                wait = verdict if verdict >= 0 else self._backoff(attempt)
                reason = f"HTTP {response.status_code}: {_snippet(response)}"
                if wait > self.policy.max_retry_after_seconds:
                    raise SourceError(self.source, endpoint, page,
                                      f"{reason}; the API asks to wait {wait:.0f} s, longer than "
                                      f"the {self.policy.max_retry_after_seconds:.0f} s we retry for "
                                      "(a daily quota?)", response.status_code, retry_later=True)
            if attempt >= self.policy.max_attempts or unreached >= TRANSPORT_ATTEMPTS:
                raise SourceError(self.source, endpoint, page,
                                  f"gave up after {attempt} attempts; last error: {reason}")
            log.warning("%s: %s %s (%s) failed (%s); retry %d in %.1f s",
                        self.source, method, endpoint, page or "-", redact(reason), attempt, wait)
            self.sleep(wait)

    def get_json(self, path: str, *, page: str = "", **kwargs: Any) -> Any:
        return _json(self.request("GET", path, page=page, **kwargs), self.source, path, page)

    def post_json(self, path: str, *, page: str = "", **kwargs: Any) -> Any:
        return _json(self.request("POST", path, page=page, **kwargs), self.source, path, page)

    def _verdict(self, response: requests.Response) -> str | float:
        """'ok', 'auth', 'fail', or seconds to wait before retrying (-1: the usual backoff)."""
        if self.classify is not None:
            wait = self.classify(response)
            if wait is not None:
                return wait
        if response.status_code < 400:
            return "ok"
        if response.status_code == 401:
            return "auth"
        if response.status_code in RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return retry_after if retry_after is not None else -1.0
        return "fail"

    def _backoff(self, attempt: int) -> float:
        base = self.policy.backoff_seconds * (2 ** (attempt - 1))
        return min(self.policy.backoff_max_seconds, base) * (0.75 + random.random() / 2)


def records(source: str, endpoint: str, page: str, rows: Iterable[Any],
            convert: Callable[[Any], dict[str, Any]], id_field: str | None = None) -> list[dict[str, Any]]:
    """Each row of a reply as `convert` makes it a record; a row it cannot read (a null time, a
    number written otherwise) fails naming the endpoint, the page and the row, not as a bare
    Python error."""
    converted = []
    for number, row in enumerate(rows, start=1):
        try:
            converted.append(convert(row))
        except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as error:
            named = row.get(id_field) if id_field and isinstance(row, dict) else None
            which = f"{id_field} {named!r}" if named is not None else f"row {number}"
            raise SourceError(source, endpoint, page, f"{which} cannot be read ({type(error).__name__}: "
                              f"{error}): {_brief(_as_json(row))}") from error
    return converted


def unexpected_body(source: str, endpoint: str, page: str, expected: str, body: Any) -> SourceError:
    """The error for a response of another shape than the API's, with the start of what came: an
    error object in a 200 reply says why."""
    return SourceError(source, endpoint, page, f"expected {expected}, got: {_brief(_as_json(body))}")


def _as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _brief(text: str, limit: int = 300) -> str:
    """The start of a reply or a row for an error (SourceError redacts its whole message)."""
    return " ".join(text.split())[:limit]


def _snippet(response: requests.Response, limit: int = 300) -> str:
    return redact(_brief(response.text or "", limit)) or "(empty body)"


def _json(response: requests.Response, source: str, path: str, page: str) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError) as exc:
        raise SourceError(source, path.split("?")[0], page,
                          f"the response is not valid JSON ({exc}); body starts: "
                          f"{_snippet(response, 120)}") from exc
