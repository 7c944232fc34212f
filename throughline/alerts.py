"""The one notifier: every alert goes to each URL in THROUGHLINE_ALERT_URLS through apprise.

Slack (`slack://`), Telegram (`tgram://`), e-mail (`mailto://` / `mailtos://`) and any webhook
(`json://`, or its plain `https://` address) are apprise URLs; nothing else in Throughline talks
to a messenger.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import apprise

from ingestion.common.redaction import redact
from throughline.settings import Settings

log = logging.getLogger("throughline.alerts")
# Any address in a line of apprise's: it names those it reads and some it posts to, and a
# webhook's secret is in its path.
ADDRESS = re.compile(r"\b([a-z][a-z0-9+.-]*)://[^\s'\"<>]+", re.IGNORECASE)


class AddressesMasked(logging.Filter):
    """Keeps only each address's scheme in apprise's log lines (`json://…`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = ADDRESS.sub(r"\1://…", record.getMessage()), None
        return True


_apprise_log = logging.getLogger("apprise")
if not any(isinstance(existing, AddressesMasked) for existing in _apprise_log.filters):
    _apprise_log.addFilter(AddressesMasked())


@contextmanager
def _apprise_logs_from(level: int) -> Iterator[None]:
    """Drops apprise's log lines below `level`, and those of urllib3 under it: at DEBUG both print
    the path they post to, which holds a webhook's secret, in forms no pattern can tell."""
    loggers = [_apprise_log, logging.getLogger("urllib3")]
    saved = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(level, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for logger, old in zip(loggers, saved, strict=True):
            logger.setLevel(old)


def run_url(dagster_url: str, run_id: str) -> str:
    """The run's page in the Dagster UI."""
    return f"{dagster_url.rstrip('/')}/runs/{run_id}"


@dataclass(frozen=True)
class Alert:
    """A broken check (or its recovery) in words a marketer reads."""

    check: str
    asset: str
    problem: str  # what broke, in plain words
    figure: str = ""
    threshold: str = ""
    subjects: Sequence[str] = field(default_factory=tuple)  # sources, campaigns, managers
    since: str = ""
    run_id: str = ""
    recovered: bool = False

    def title(self) -> str:
        state = "back to normal" if self.recovered else "problem"
        return f"Throughline {state}: {self.check} on {self.asset}"

    def body(self, dagster_url: str) -> str:
        if self.recovered:
            fixed = f"Fixed: {self.problem} — the check" if self.problem else "Fixed: the check"
            lines = [f"{fixed} {self.check} on {self.asset} passes again."]
        else:
            lines = [self.problem]
        if self.figure:
            against = f" (threshold {self.threshold})" if self.threshold else ""
            lines.append(f"Figure: {self.figure}{against}")
        elif self.threshold:  # no figure to give (no baseline, nobody called back): "Where" says why
            lines.append(f"Threshold: {self.threshold}")
        if self.subjects:
            lines.append("Where: " + "; ".join(self.subjects))
        if self.since:
            lines.append(f"Since: {self.since}")
        if self.run_id:
            lines.append(f"Run: {run_url(dagster_url, self.run_id)}")
        return redact("\n".join(lines))


def with_unit(value: str, unit: str) -> str:
    """A health check's figure or threshold as a marketer reads it: 0.4642 of leads is 46.4 %,
    4.17 times the usual day's spend is 4.17×."""
    if not value or not unit:
        return value
    number = float(value)
    if unit == "share":
        return f"{number * 100:.1f} %"
    return {"times": f"{number:g}×", "hours": f"{number:g} h", "minutes": f"{number:g} min"}.get(unit, value)


WEBHOOK_SCHEMES = {"http": "json", "https": "jsons"}
URL_FORMS = "use slack://, tgram://, mailto://, mailtos://, json:// or a webhook's https:// address"


def as_webhook(url: str) -> str | None:
    """A plain http(s) address as apprise's JSON webhook (json:// or jsons://), else None."""
    scheme, separator, rest = url.partition("://")
    webhook_scheme = WEBHOOK_SCHEMES.get(scheme.lower())
    return f"{webhook_scheme}://{rest}" if separator and webhook_scheme else None


class Notifier:
    """Sends alerts to every configured apprise URL; with no URL it sends nothing. An entry
    apprise cannot read is named in `unreadable` (by position and scheme: the rest of a URL may
    hold a token) and logged, and the alerts still go to the others; `throughline doctor`
    reports it."""

    def __init__(self, urls: Sequence[str], dagster_url: str) -> None:
        self.dagster_url = dagster_url
        self._apprise = apprise.Apprise()
        readable: list[str] = []
        self.unreadable: list[str] = []
        for position, url in enumerate(urls, start=1):
            webhook = as_webhook(url)
            if self._add_quietly(url) or (webhook is not None and self._add_quietly(webhook)):
                readable.append(url)
            else:
                self.unreadable.append(f"entry {position} ({url.partition('://')[0]}://…)")
                log.error("THROUGHLINE_ALERT_URLS %s cannot be read: %s", self.unreadable[-1], URL_FORMS)
        self.urls = tuple(readable)

    def _add_quietly(self, url: str) -> bool:
        """apprise.add without apprise's log lines: it calls a webhook's https:// address
        unsupported before its json:// form is tried, and an entry that neither form reads is
        named above, with what the URLs may look like."""
        with _apprise_logs_from(logging.CRITICAL):
            return bool(self._apprise.add(url))

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Notifier:
        settings = settings or Settings.from_env()
        return cls(settings.alert_urls, settings.dagster_url)

    def send(self, alert: Alert) -> bool:
        """True when at least one URL is configured and every one accepted the alert."""
        if not self.urls:
            return False
        with _apprise_logs_from(logging.INFO):
            return bool(self._apprise.notify(title=alert.title(), body=alert.body(self.dagster_url)))

    def send_all(self, alerts: Iterable[Alert], log: Any) -> int:
        """Send each alert; log the title of any not delivered. Returns how many were sent."""
        sent = 0
        for alert in alerts:
            if self.send(alert):
                sent += 1
            else:
                log.warning("alert not delivered (THROUGHLINE_ALERT_URLS): %s", alert.title())
        return sent
