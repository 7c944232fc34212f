"""Marketing health checks: is tracking intact and is every source still arriving?

Each check reads the marts/facts (schema `marts`, plus the campaign matches in `intermediate`),
compares one figure with a threshold from `HealthSettings` and names the source, campaign or
manager behind a failure. Thresholds come from `THROUGHLINE_HEALTH__<NAME>` (upper-case field
name), defaults below.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from throughline.settings import Settings

Reader = Callable[[str], pd.DataFrame]
CRM_SOURCES = ("bitrix24", "crm_file")
MAX_SUBJECTS = 10


@dataclass(frozen=True)
class HealthSettings:
    """Thresholds of the health checks (env THROUGHLINE_HEALTH__<FIELD>)."""

    lookback_days: int = 7  # days (up to today) that the daily checks look at
    min_leads_per_day: int = 5  # a source's day with fewer leads is not judged
    # organic, direct and untracked calls leave 30-60% of leads untagged in a healthy business
    max_untagged_lead_share: float = 0.8  # leads with no UTM/source at all, per source-day
    max_unmatched_lead_share: float = 0.8  # leads linked to no website visitor, per source-day
    max_spend_without_sessions_share: float = 0.05  # of the window's ad spend
    max_unknown_campaign_session_share: float = 0.05  # of paid sessions with a utm_campaign
    max_spend_growth: float = 3.0  # a campaign's latest day vs the mean of its previous days
    min_spend_for_anomaly: float = 100.0  # reporting currency; smaller days are not judged
    min_spend_vs_usual: float = 0.2  # a campaign's latest day below this share of its mean day
    max_missed_call_rate: float = 0.3  # per manager, inbound calls
    min_calls_per_manager: int = 10
    max_callback_minutes: float = 60.0  # median time to call a missed caller back
    max_hours_since_last_lead: float = 24.0
    max_hours_since_load: float = 26.0  # a daily source must load at least this often
    # The sources configured now (None: every source with data). A CRM left behind after a move
    # to another keeps its leads and loads in the warehouse, but it is history, not a broken feed.
    sources: frozenset[str] | None = None

    def judges(self, source: str) -> bool:
        return self.sources is None or source in self.sources

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HealthSettings:
        env = os.environ if env is None else env
        values: dict[str, int | float] = {}
        for item in fields(cls):
            name = f"THROUGHLINE_HEALTH__{item.name.upper()}"
            if name in env and item.type in ("int", "float"):
                cast = int if item.type == "int" else float
                try:
                    values[item.name] = cast(env[name])
                except ValueError:
                    raise ValueError(f"{name}={env[name]!r} is not a number") from None
        return replace(cls(), **values)


@dataclass(frozen=True)
class HealthResult:
    passed: bool
    figure: float | None
    threshold: float
    subjects: Sequence[str] = field(default_factory=tuple)
    since: str = ""

    def metadata(self, problem: str, unit: str = "") -> dict[str, object]:
        return {
            "problem": problem if not self.passed else "none",
            "figure": self.figure,
            "threshold": self.threshold,
            "unit": unit or "-",
            "where": "; ".join(self.subjects) or "-",
            "since": self.since or "-",
        }


@dataclass(frozen=True)
class HealthCheck:
    name: str
    asset_key: tuple[str, str]
    blocking: bool  # a failure stops what is downstream of the asset (severity ERROR), else warns
    problem: str  # what a failure means, in plain words
    evaluate: Callable[[Reader, HealthSettings, datetime], HealthResult]
    unit: str  # of the figure and threshold: "share", "times" (the usual level), "hours" or "minutes"

    @property
    def severity(self) -> str:
        return "ERROR" if self.blocking else "WARN"


def _in_window(column: str, table: str, settings: HealthSettings, alias: str = "") -> str:
    """SQL condition: the last `lookback_days` days of the data itself, so a backfill or a
    historical demo is judged on its own latest days (freshness checks use the clock). `table`
    may carry a where clause."""
    latest = f"(select max({column}) from {table})"
    return f"{alias}{column} >= {latest} - {settings.lookback_days - 1}"


def _share_by_day(
    read: Reader, column: str, threshold: float, settings: HealthSettings, now: datetime
) -> HealthResult:
    """The share of leads with `column` set per CRM source-day, over the lookback window of the
    CRM sources' own latest day with leads (a CRM file's rejected rows are dated by the build). A
    source fails while its latest day is over the threshold, naming its days over it in the
    window: a day the forms lost their UTMs stays in the data, and failing on it all week would
    hold up the reports after the forms were put right. The figure is the worst latest day."""
    crm_days = "marts.mart_data_health where source in ({}) and rows_loaded > 0".format(
        ", ".join(f"'{s}'" for s in CRM_SOURCES))
    frame = read(
        f"select date, source, rows_loaded as leads, {column} as flagged from {crm_days} "
        f"and {_in_window('date', crm_days, settings)}"
    )
    judged = frame[frame["leads"] >= settings.min_leads_per_day].copy()
    if judged.empty:
        return HealthResult(True, None, threshold)
    judged["share"] = judged["flagged"].astype(float) / judged["leads"].astype(float)
    latest = judged[judged["date"] == judged.groupby("source")["date"].transform("max")]
    failing = set(latest.loc[latest["share"] > threshold, "source"])
    bad = judged[(judged["share"] > threshold) & judged["source"].isin(failing)].sort_values("date")
    subjects = [
        f"{r.source} on {pd.Timestamp(r.date).date()}: {r.share:.0%} of {int(r.leads)} leads"
        for r in bad.itertuples()
    ]
    since = str(pd.Timestamp(bad["date"].min()).date()) if len(bad) else ""
    return HealthResult(
        not failing, round(float(latest["share"].max()), 4), threshold, subjects[:MAX_SUBJECTS], since
    )


def leads_without_source(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    return _share_by_day(read, "leads_without_source", s.max_untagged_lead_share, s, now)


def leads_unmatched(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """Leads linked to no website visitor: matched by their own UTMs only, or not at all."""
    return _share_by_day(read, "leads_matched_by_utm + leads_unmatched", s.max_unmatched_lead_share, s, now)


# Ad-platform spend only: manual costs are entered per period and may run into days still ahead,
# which would move the window past the platforms' latest day.
AD_PLATFORM_SPEND = "marts.fct_ad_spend where platform <> 'manual'"


def _ad_spend_by_campaign_day(read: Reader, s: HealthSettings, until: date | None = None) -> pd.DataFrame:
    """Ad-platform spend and clicks in the window (of the days up to `until`, when given) per day x
    platform x campaign, with the campaign's name."""
    spend = AD_PLATFORM_SPEND + (f" and spend_date <= date '{until}'" if until else "")
    return read(
        "select spend_date, platform, campaign_id, max(campaign_name) as campaign_name, "
        f"sum(spend) as spend, sum(clicks) as clicks from {spend} "
        f"and {_in_window('spend_date', spend, s)} "
        "group by spend_date, platform, campaign_id"
    )


# Sessions per local date, channel and UTMs: the BigQuery export's, or where a day has none the GA4
# Data API's daily report, as mart_data_health counts them.
SESSION_COUNTS = "intermediate.int_session_counts"


def spend_without_sessions(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """Ad spend on campaign-days with clicks that no session of that day carries. Judged up to
    the latest day of sessions (GA may load a day after the ad platforms) and before today (the
    morning run loads today's clicks so far). A day without clicks brought no visit to carry it."""
    latest_session_day = read(f"select max(session_date) as day from {SESSION_COUNTS}")["day"].iloc[0]
    until = Settings.from_env().today(now) - timedelta(days=1)
    if not pd.isna(latest_session_day):
        until = min(until, pd.Timestamp(latest_session_day).date())
    spend = _ad_spend_by_campaign_day(read, s, until)
    threshold = s.max_spend_without_sessions_share
    total = float(spend["spend"].sum())
    if total <= 0:
        return HealthResult(True, None, threshold)
    # every campaign a utm_campaign may name is carried by it, not only the one it is reported under
    carried = read(
        "select distinct s.session_date as spend_date, m.platform, m.campaign_id "
        f"from {SESSION_COUNTS} as s inner join intermediate.int_campaign_matches as m "
        "on m.utm_campaign = s.utm_campaign "
        f"where s.session_date between date '{pd.Timestamp(spend['spend_date'].min()).date()}' and date '{until}'"
    )
    keys = ["spend_date", "platform", "campaign_id"]
    merged = spend.merge(carried, on=keys, how="left", indicator=True)
    lost = merged[(merged["_merge"] == "left_only") & (merged["spend"] > 0) & (merged["clicks"] > 0)]
    per = lost.groupby(["platform", "campaign_id"]).agg(
        campaign_name=("campaign_name", "max"),
        spend=("spend", "sum"),
        since=("spend_date", "min"),
    )
    per = per.sort_values("spend", ascending=False)
    share = float(per["spend"].sum()) / total
    subjects = [
        f"{platform} campaign '{r.campaign_name}' ({campaign_id}): {float(r.spend):,.2f} spent"
        for (platform, campaign_id), r in per.iterrows()
    ]
    passed = share <= threshold
    since = "" if passed else str(pd.Timestamp(per["since"].min()).date())
    return HealthResult(passed, round(share, 4), threshold, subjects[:MAX_SUBJECTS], since)


def sessions_unknown_campaign(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """Paid sessions in the window whose utm_campaign matches no ad-platform campaign, as
    mart_data_health counts them (int_session_counts.is_paid_traffic)."""
    frame = read(
        "select s.session_date, s.utm_campaign, s.sessions, m.campaign_id "
        f"from {SESSION_COUNTS} as s left join intermediate.int_campaign_matches as m "
        "on m.utm_campaign = s.utm_campaign and m.channel = s.channel and m.is_chosen "
        f"where {_in_window('session_date', SESSION_COUNTS, s, 's.')} "
        "and s.is_paid_traffic and s.utm_campaign is not null"
    )
    threshold = s.max_unknown_campaign_session_share
    total = float(frame["sessions"].sum())
    if total <= 0:
        return HealthResult(True, None, threshold)
    unknown = frame[frame["campaign_id"].isna()]
    share = float(unknown["sessions"].sum()) / total
    counts = unknown.groupby("utm_campaign").agg(sessions=("sessions", "sum"), since=("session_date", "min"))
    counts = counts.sort_values("sessions", ascending=False)
    subjects = [
        f"utm_campaign '{name}': {int(row['sessions'])} sessions" for name, row in counts.iterrows()
    ]
    passed = share <= threshold
    since = "" if passed else str(pd.Timestamp(unknown["session_date"].min()).date())
    return HealthResult(passed, round(share, 4), threshold, subjects[:MAX_SUBJECTS], since)


def _campaign_spend_days(read: Reader, s: HealthSettings, now: datetime) -> pd.DataFrame:
    """Per ad-platform campaign in the window: its spend on the latest whole day of ad spend (0
    when it spent nothing that day: a platform whose whole account stopped returns no rows) and
    its mean day before that. Today is left out: the morning run loads today's spend so far, a
    fraction of a day. Manual costs are left out: they are spread over periods that end by design."""
    frame = _ad_spend_by_campaign_day(read, s).sort_values("spend_date").astype({"spend": float})
    today = Settings.from_env().today(now)
    frame = frame[pd.to_datetime(frame["spend_date"]).dt.date < today]
    day = frame["spend_date"].max()
    rows = []
    for (platform, campaign_id), days in frame.groupby(["platform", "campaign_id"]):
        before = days[days["spend_date"] < day]
        if before.empty:
            continue
        rows.append({
            "platform": platform, "campaign_id": campaign_id, "day": str(pd.Timestamp(day).date()),
            "campaign_name": days["campaign_name"].iloc[-1],
            "latest": float(days.loc[days["spend_date"] == day, "spend"].sum()),
            "usual": float(before["spend"].mean()),
        })
    return pd.DataFrame(rows, columns=["platform", "campaign_id", "day", "campaign_name", "latest", "usual"])


def _spend_subject(r: pd.Series) -> str:
    return (
        f"{r['platform']} campaign '{r['campaign_name']}' ({r['campaign_id']}) on {r['day']}: "
        f"{r['latest']:,.2f} vs {r['usual']:,.2f} a day on average before"
    )


def spend_spike(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """Each campaign's spend on the latest whole day of ad spend against its mean day before it."""
    days = _campaign_spend_days(read, s, now)
    judged = days[days["latest"] >= s.min_spend_for_anomaly]
    growth = (judged["latest"] / judged["usual"].where(judged["usual"] > 0)).fillna(float("inf"))
    bad = judged[growth > s.max_spend_growth]
    worst = float(growth.max()) if len(growth) else 0.0
    figure = round(worst, 2) if worst != float("inf") else None
    subjects = [_spend_subject(r) for _, r in bad.iterrows()]
    since = min(bad["day"]) if len(bad) else ""
    return HealthResult(bad.empty, figure, s.max_spend_growth, subjects[:MAX_SUBJECTS], since)


def spend_drop(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """Campaigns whose spend on the latest whole day of ad spend fell below `min_spend_vs_usual`
    of their mean day before it (a stop to zero included)."""
    days = _campaign_spend_days(read, s, now)
    judged = days[days["usual"] >= s.min_spend_for_anomaly]
    share = judged["latest"] / judged["usual"]
    bad = judged[share < s.min_spend_vs_usual]
    subjects = [_spend_subject(r) for _, r in bad.iterrows()]
    since = min(bad["day"]) if len(bad) else ""
    figure = round(float(share.min()), 4) if len(share) else None
    return HealthResult(bad.empty, figure, s.min_spend_vs_usual, subjects[:MAX_SUBJECTS], since)


NO_MANAGER = "(no manager)"
# A name per manager id, for calls: call tracking names no CRM (dim_manager has a row per CRM and id).
MANAGER_NAMES = ("(select manager_id, max(manager_name) as manager_name from marts.dim_manager "
                 "group by manager_id)")
ALL_CALLS = "all inbound calls"
ALL_MISSED_CALLS = "all missed calls"


def _manager_calls(read: Reader, s: HealthSettings, now: datetime) -> pd.DataFrame:
    calls = read(
        "select c.call_date, c.started_at, c.manager_id, c.is_missed, c.callback_minutes, m.manager_name "
        f"from marts.fct_calls as c left join {MANAGER_NAMES} as m on m.manager_id = c.manager_id "
        f"where c.direction = 'inbound' and {_in_window('call_date', 'marts.fct_calls', s, 'c.')}"
    )
    names = calls["manager_name"].fillna(calls["manager_id"]).fillna(NO_MANAGER)
    calls["manager"] = names.astype(str)
    return calls


def missed_calls(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """Share of inbound calls missed in the window, over all of them and per manager. A call that
    rang out usually reached no manager at all (call tracking names who answered), so the rate
    over all calls is what catches a line nobody picks up; the managers' show who misses."""
    calls = _manager_calls(read, s, now)
    if len(calls) < s.min_calls_per_manager:
        return HealthResult(True, None, s.max_missed_call_rate)
    overall = calls.assign(manager=ALL_CALLS).groupby("manager")
    managers = calls[calls["manager"] != NO_MANAGER].groupby("manager")
    per = pd.concat([
        grouped.agg(calls=("is_missed", "size"), missed=("is_missed", "sum"), since=("call_date", "min"))
        for grouped in (overall, managers)
    ])
    per = per[per["calls"] >= s.min_calls_per_manager]
    per["rate"] = per["missed"].astype(float) / per["calls"]
    bad = per[per["rate"] > s.max_missed_call_rate].sort_values("rate", ascending=False)
    subjects = [
        f"{name if name == ALL_CALLS else f'manager {name}'}: "
        f"missed {int(r.missed)} of {int(r.calls)} calls ({r.rate:.0%})"
        for name, r in bad.iterrows()
    ]
    since = str(pd.Timestamp(bad["since"].min()).date()) if len(bad) else ""
    return HealthResult(
        bad.empty, round(float(per["rate"].max()), 4), s.max_missed_call_rate, subjects, since
    )


def slow_callbacks(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """How long the median missed caller waited for a call back, over all missed inbound calls
    and per manager. A missed call not called back counts as never once it is older than the
    limit (a younger one may still be): unlike the call-quality mart's median, which is over the
    calls that were called back, a caller nobody rings back makes this worse, not absent."""
    calls = _manager_calls(read, s, now)
    missed = calls[calls["is_missed"].astype(bool)].copy()
    age_minutes = (pd.Timestamp(now) - pd.to_datetime(missed["started_at"], utc=True)).dt.total_seconds() / 60
    never = missed["callback_minutes"].isna() & (age_minutes > s.max_callback_minutes)
    missed["waited"] = missed["callback_minutes"].astype(float).where(~never, float("inf"))
    judged = missed[missed["waited"].notna()]
    if judged.empty:
        return HealthResult(True, None, s.max_callback_minutes)
    overall = judged.assign(manager=ALL_MISSED_CALLS).groupby("manager")
    managers = judged[judged["manager"] != NO_MANAGER].groupby("manager")
    per = pd.concat([
        grouped.agg(median=("waited", "median"), calls=("waited", "size"), since=("call_date", "min"),
                    never=("waited", lambda w: int((w == float("inf")).sum())))
        for grouped in (managers, overall)
    ])
    bad = per[per["median"] > s.max_callback_minutes].sort_values("median", ascending=False, kind="stable")

    def subject(name: str, r: pd.Series) -> str:
        who = name if name == ALL_MISSED_CALLS else f"manager {name}"
        never = f"{int(r['never'])} of {int(r['calls'])} missed calls not called back"
        if r["median"] == float("inf"):
            return f"{who}: {never}"
        return (f"{who}: the median missed caller waited {r['median']:.0f} min for a call back"
                + (f" ({never}, counted as never)" if r["never"] else ""))

    subjects = [subject(name, r) for name, r in bad.iterrows()]
    worst = float(per["median"].max())
    figure = round(worst, 1) if worst != float("inf") else None
    since = str(pd.Timestamp(bad["since"].min()).date()) if len(bad) else ""
    return HealthResult(bad.empty, figure, s.max_callback_minutes, subjects, since)


def _hours_since(moment: object, now: datetime | pd.Timestamp) -> float | None:
    if moment is None or pd.isna(moment):
        return None
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return (pd.Timestamp(now).tz_convert("UTC") - stamp).total_seconds() / 3600


def hours_since_last_lead(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """Hours between each CRM source's newest lead and the newest website visit or tracked call
    (the clock when there is neither): traffic still arriving while leads stop means the CRM
    feed broke. A configured CRM without any lead fails too (a new feed that never delivered).
    When every source stops, `sources_refreshed_on_schedule` tells."""
    frame = read(
        "select crm_source, max(created_at) as last_lead from marts.fct_leads group by crm_source"
    )
    frame = frame[frame["crm_source"].map(s.judges)]
    configured = [crm for crm in CRM_SOURCES if crm in (s.sources or ())]
    without_leads = [crm for crm in configured if crm not in set(frame["crm_source"])]
    if s.sources is not None and not configured:
        return HealthResult(True, None, s.max_hours_since_last_lead)
    visits = read(
        "select max(latest) as latest from (select max(started_at) as latest from marts.fct_sessions "
        "union all select max(started_at) from marts.fct_calls where direction = 'inbound') as traffic"
    )
    latest = visits["latest"].iloc[0] if len(visits) else None
    reference = now if latest is None or pd.isna(latest) else pd.Timestamp(latest)
    ages = {r.crm_source: _hours_since(r.last_lead, reference) for r in frame.itertuples()}
    ages = {source: age for source, age in ages.items() if age is not None}
    threshold = s.max_hours_since_last_lead
    if not ages and not without_leads:
        return HealthResult(False, None, threshold, ("no lead in fct_leads at all",))
    stale = {k: v for k, v in ages.items() if v > threshold}
    last = frame.set_index("crm_source")["last_lead"]
    subjects = [f"{crm}: no lead at all" for crm in without_leads] + [
        f"{k}: last lead {v:.0f} h before the latest website visit" for k, v in stale.items()
    ]
    since = str(min(pd.Timestamp(last[k]) for k in stale)) if stale else ""
    figure = round(max(stale.values()), 1) if stale else round(min(ages.values()), 1) if ages else None
    return HealthResult(not stale and not without_leads, figure, threshold, subjects, since)


def stale_sources(read: Reader, s: HealthSettings, now: datetime) -> HealthResult:
    """Hours since each source last loaded (the dlt loads behind mart_data_health)."""
    frame = read(
        "select source, max(last_loaded_at) as last_loaded_at from marts.mart_data_health "
        "where last_loaded_at is not null group by source"
    )
    ages = {r.source: _hours_since(r.last_loaded_at, now) for r in frame.itertuples() if s.judges(r.source)}
    ages = {k: v for k, v in ages.items() if v is not None}
    if not ages:
        return HealthResult(True, None, s.max_hours_since_load)
    stale = {k: v for k, v in ages.items() if v > s.max_hours_since_load}
    subjects = [f"{k}: last loaded {v:.0f} h ago" for k, v in sorted(stale.items())]
    last = frame.set_index("source")["last_loaded_at"]
    since = str(min(pd.Timestamp(last[k]) for k in stale)) if stale else ""
    return HealthResult(
        not stale, round(max(ages.values()), 1), s.max_hours_since_load, subjects, since
    )


HEALTH = ("marts", "mart_data_health")
HEALTH_CHECKS = [
    HealthCheck(
        "leads_without_source",
        HEALTH,
        True,
        "Too many leads arrive with no UTM or source: web forms may have stopped passing UTMs.",
        leads_without_source,
        "share",
    ),
    HealthCheck(
        "leads_matched_to_no_visitor",
        HEALTH,
        False,
        "Too many leads match no website visitor: forms or call tracking may have lost the "
        "client id.",
        leads_unmatched,
        "share",
    ),
    HealthCheck(
        "spend_without_sessions",
        ("marts", "fct_ad_spend"),
        False,
        "Money is spent on campaigns that bring no tracked visit: a campaign may have been renamed "
        "or lost its UTM tags.",
        spend_without_sessions,
        "share",
    ),
    HealthCheck(
        "sessions_unknown_campaign",
        ("marts", "fct_sessions"),
        False,
        "Paid visits carry a utm_campaign that no ad platform knows: a campaign was renamed "
        "without its UTM, or the tag has a typo.",
        sessions_unknown_campaign,
        "share",
    ),
    HealthCheck(
        "spend_spike",
        ("marts", "fct_ad_spend"),
        False,
        "A campaign's daily spend jumped far above its usual level.",
        spend_spike,
        "times",
    ),
    HealthCheck(
        "spend_drop",
        ("marts", "fct_ad_spend"),
        False,
        "A campaign's daily spend fell far below its usual level, or stopped: ads may have been "
        "rejected, the budget or the card run out, or the spend export broken.",
        spend_drop,
        "share",
    ),
    HealthCheck(
        "missed_calls",
        ("marts", "fct_calls"),
        False,
        "A manager misses too many incoming calls.",
        missed_calls,
        "share",
    ),
    HealthCheck(
        "slow_callbacks",
        ("marts", "fct_calls"),
        False,
        "Missed callers wait too long for a call back.",
        slow_callbacks,
        "minutes",
    ),
    HealthCheck(
        "hours_since_last_lead",
        ("marts", "fct_leads"),
        True,
        "No new lead for too long: the CRM integration may be broken.",
        hours_since_last_lead,
        "hours",
    ),
    # Warns: a source whose loads fail leaves its figures at its last good load, and the other
    # sources' reports go on (the follow-up run); the data-health mart and the report show it.
    HealthCheck(
        "sources_refreshed_on_schedule",
        HEALTH,
        False,
        "A data source has not been refreshed on schedule.",
        stale_sources,
        "hours",
    ),
]


def utc_now() -> datetime:
    return datetime.now(UTC)
