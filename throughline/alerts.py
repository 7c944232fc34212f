"""The one notifier: every alert goes to each URL in THROUGHLINE_ALERT_URLS through apprise.

Slack (`slack://`), Telegram (`tgram://`), e-mail (`mailto://` / `mailtos://`) and any webhook
(`json://`, or its plain `https://` address) are apprise URLs; nothing else in Throughline talks
to a messenger.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import apprise

from ingestion.common.redaction import redact
from throughline.settings import Settings

log = logging.getLogger("throughline.alerts")


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
        """apprise.add without apprise's log lines, which print the whole URL (one it cannot read,
        or the one it loaded): a webhook's https:// address holds its secret in the path."""
        apprise_log = logging.getLogger("apprise")
        level = apprise_log.level
        apprise_log.setLevel(logging.CRITICAL)
        try:
            return bool(self._apprise.add(url))
        finally:
            apprise_log.setLevel(level)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Notifier:
        settings = settings or Settings.from_env()
        return cls(settings.alert_urls, settings.dagster_url)

    def send(self, alert: Alert) -> bool:
        """True when at least one URL is configured and every one accepted the alert."""
        if not self.urls:
            return False
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
