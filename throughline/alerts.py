"""The one notifier: every alert goes to each URL in THROUGHLINE_ALERT_URLS through apprise.

Slack (`slack://`), Telegram (`tgram://`), e-mail (`mailto://` / `mailtos://`) and any webhook
(`json://`) are apprise URLs; nothing else in Throughline talks to a messenger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import apprise

from ingestion.common.redaction import redact
from throughline.settings import Settings


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
            lines = [
                f"Fixed: {self.problem} — the check {self.check} on {self.asset} passes again."
            ]
        else:
            lines = [self.problem]
        if self.figure:
            against = f" (threshold {self.threshold})" if self.threshold else ""
            lines.append(f"Figure: {self.figure}{against}")
        if self.subjects:
            lines.append("Where: " + "; ".join(self.subjects))
        if self.since:
            lines.append(f"Since: {self.since}")
        if self.run_id:
            lines.append(f"Run: {run_url(dagster_url, self.run_id)}")
        return redact("\n".join(lines))


class Notifier:
    """Sends alerts to every configured apprise URL; with no URL it sends nothing."""

    def __init__(self, urls: Sequence[str], dagster_url: str) -> None:
        self.urls = tuple(urls)
        self.dagster_url = dagster_url
        self._apprise = apprise.Apprise()
        for url in self.urls:
            if not self._apprise.add(url):
                raise ValueError(
                    f"THROUGHLINE_ALERT_URLS has an entry apprise cannot read "
                    f"({redact(url)}): use slack://, tgram://, mailto://, mailtos:// or json://"
                )

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
