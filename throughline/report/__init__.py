"""The owner's report: one self-contained HTML page (inline SVG charts, no network) built from
the marts only. The period is the 28 days up to the last complete day with data,
compared with the 28 before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from throughline.health import MANAGER_NAMES, HealthSettings
from throughline.report import charts
from throughline.report.formatting import number, percent, plural
from throughline.report.labels import LABELS
from throughline.settings import ATTRIBUTION_MODELS, Settings, analysis_vars
from throughline.warehouse import Warehouse

PERIOD_DAYS = 28
REPORT_MODEL = "linear"


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def previous(self) -> Period:
        return Period(self.first - timedelta(days=PERIOD_DAYS), self.first - timedelta(days=1))

    def where(self, column: str = "date") -> str:
        return f"{column} between date '{self.first}' and date '{self.last}'"


def percent_change(now: float | None, before: float | None) -> str:
    if now is None or before in (None, 0) or pd.isna(now) or pd.isna(before):
        return "—"
    return f"{(now - before) / abs(before) * 100:+.0f}%"


def points_change(now: float | None, before: float | None, points: str) -> str:
    """The change of a percentage in percentage points: ROMI 294 % -> 403 % is +109 pp, not +37 %."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return "—"
    return f"{now - before:+.0f} {points}"


def ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def romi_pct_sql(revenue: str, spend: str, gross_margin: float) -> str:
    """ROMI in % as the marts define it (dbt macro romi_pct_of), NULL without spend."""
    return f"({revenue} * {gross_margin} - {spend}) / nullif({spend}, 0) * 100"


def romi_and_decision_sql(settings: dict[str, Any]) -> tuple[str, str]:
    """ROMI in % and the marts' budget decision (dbt macro budget_decision) on columns `spend` and
    `revenue` summed over a period, by the analysis settings."""
    romi = romi_pct_sql("revenue", "spend", float(settings.get("gross_margin", 1.0)))
    decision = f"""case when coalesce(spend, 0) = 0 then 'no_spend'
                        when {romi} < {float(settings.get("romi_stop_below", 0))} then 'stop'
                        when {romi} > {float(settings.get("romi_scale_above", 100))} then 'scale' else 'optimize' end"""
    return romi, decision


def kpis(read: Any, period: Period, gross_margin: float = 1.0) -> dict[str, float | None]:
    row = read(f"""
        select sum(spend) as spend, sum(leads) as leads, sum(qualified_leads) as qualified_leads,
               sum(new_customers) as new_customers, sum(revenue) as revenue
        from marts.mart_channel_performance
        where attribution_model = '{REPORT_MODEL}' and {period.where()}
    """).iloc[0]
    values = {k: float(row[k] or 0) for k in ("spend", "leads", "qualified_leads", "new_customers", "revenue")}
    values["cpl"] = ratio(values["spend"], values["leads"])
    values["cac"] = ratio(values["spend"], values["new_customers"])
    romi = ratio(values["revenue"] * gross_margin - values["spend"], values["spend"])
    values["romi_pct"] = None if romi is None else romi * 100
    return values


def data_start(read: Any) -> date | None:
    """The first day every CRM and ad platform has data for: the latest of their first days (a
    lead or won deal, a day of spend), as each source may be loaded from its own start date.
    Manual costs are left out: a cost line still running on START_DATE is loaded whole, so its
    spread reaches back before the other sources' data."""
    first = read("""
        with first_days as (
            select crm_source as source, min(lead_date) as first_day from marts.fct_leads group by crm_source
            union all
            select crm_source, min(won_date) from marts.fct_deals group by crm_source
            union all
            select platform, min(spend_date) from marts.fct_ad_spend where platform <> 'manual' group by platform
        ),

        by_source as (
            select source, min(first_day) as first_day from first_days group by source
        )

        select max(first_day) as d from by_source
    """).iloc[0]["d"]
    return None if first is None or pd.isna(first) else pd.Timestamp(first).date()


def weekly_by_channel(read: Any, first: date, last: date) -> pd.DataFrame:
    """Each channel's new customers and cost per customer in every week beginning (a Monday)
    between `first` and `last`. A week without the channel's row had no customer: 0 customers,
    and no cost per customer (NaN, where its chart line breaks)."""
    rows = read(f"""
        select period_start, channel, new_customers, cac from marts.mart_channel_scorecard
        where period_grain = 'week' and attribution_model = '{REPORT_MODEL}'
          and period_start between date '{first}' and date '{last}'
    """)
    every = pd.MultiIndex.from_product([pd.date_range(first, last, freq="W-MON"), sorted(rows["channel"].unique())],
                                       names=["period_start", "channel"])
    weekly = (rows.assign(period_start=pd.to_datetime(rows["period_start"]))
              .set_index(["period_start", "channel"]).reindex(every).reset_index())
    return weekly.assign(new_customers=weekly["new_customers"].fillna(0))


def manager_table(read: Any, period: Period) -> pd.DataFrame:
    """The sales managers' figures over `period`; the median first response is taken over the
    period's leads, not over the mart's daily medians."""
    return read(f"""
        with responses as (
            select coalesce(m.manager_name, l.manager_id, '(unassigned)') as manager_name,
                   percentile_cont(0.5) within group (order by l.first_response_minutes)
                       as median_first_response_minutes
            from marts.fct_leads as l
            left join marts.dim_manager as m on m.crm_source = l.crm_source and m.manager_id = l.manager_id
            where {period.where('l.lead_date')}
            group by 1
        ),

        performance as (
            select manager_name, sum(leads_assigned) as leads_assigned,
                   sum(leads_non_target) * 1.0 / nullif(sum(leads_assigned), 0) as non_target_rate,
                   sum(deals_won) as deals_won,
                   sum(deals_won) * 1.0 / nullif(sum(deals_won) + sum(deals_lost), 0) as win_rate,
                   sum(revenue) as revenue
            from marts.mart_manager_performance where {period.where()}
            group by 1
        )

        select p.manager_name, p.leads_assigned, p.non_target_rate, r.median_first_response_minutes,
               p.deals_won, p.win_rate, p.revenue
        from performance as p
        left join responses as r on r.manager_name = p.manager_name
        order by p.revenue desc
    """)


def campaign_table(read: Any, period: Period, settings: dict[str, Any]) -> pd.DataFrame:
    """Each campaign's spend, revenue, ROMI and budget decision over the period. One that first
    spent less than `campaign_judged_after_days` before the period's end is 'too_early': its leads
    have not had time to buy. One with revenue but no spend in the period is 'no_spend'."""
    romi, decision = romi_and_decision_sql(settings)
    judged_from = period.last - timedelta(days=int(settings["campaign_judged_after_days"]))
    return read(f"""
        with summed as (
            select p.campaign_name, p.platform, c.first_spend_date, sum(p.spend) as spend, sum(p.revenue) as revenue
            from marts.mart_campaign_performance as p
            left join marts.dim_campaign as c on c.platform = p.platform and c.campaign_id = p.campaign_id
            where p.attribution_model = '{REPORT_MODEL}' and {period.where('p.date')} and p.platform <> '(untracked)'
              and p.campaign_id is not null  -- a cost of a whole channel (an SEO retainer) is no campaign
            group by p.platform, p.campaign_id, p.campaign_name, c.first_spend_date
            having sum(p.spend) > 0 or sum(p.revenue) > 0
        )

        select campaign_name, platform, spend, revenue, {romi} as romi_pct,
               case when spend > 0 and first_spend_date > date '{judged_from}' then 'too_early'
                    else {decision} end as decision
        from summed order by romi_pct desc nulls last, revenue desc
    """)


def pacing_table(read: Any, month: date) -> pd.DataFrame:
    """The month's budget pacing, a campaign plan under its campaign's name (matched as the mart
    matches its spend: channel and id in any case), else the id the plan gives."""
    return read(f"""
        with names as (
            select channel, lower(campaign_id) as campaign_key, min(campaign_name) as campaign_name
            from marts.dim_campaign group by 1, 2
        )

        select p.channel, coalesce(n.campaign_name, p.campaign_id) as campaign, p.planned_spend, p.actual_spend,
               p.pacing_pct, p.days_elapsed_pct, p.projected_spend
        from marts.mart_budget_pacing as p
        left join names as n on n.channel = p.channel and n.campaign_key = lower(p.campaign_id)
        where p.month = date '{month}'
        order by p.channel, p.campaign_id
    """)


def data_health(read: Any, period: Period) -> pd.Series:
    """The period's data-health figures, and every row the file checks set aside: the mart dates
    those on the day of the build, whichever period their rows belong to."""
    return read(f"""
        select sum(leads_without_source) as untagged, sum(leads_matched_by_utm + leads_unmatched) as unmatched,
               sum(leads_matched_by_client_id + leads_matched_by_phone + leads_matched_by_utm
                   + leads_unmatched) as leads,
               sum(spend_without_sessions) as spend_without_sessions,
               sum(sessions_unknown_campaign) as unknown, sum(duplicate_leads) as duplicates,
               (select sum(rows_rejected) from marts.mart_data_health) as rejected
        from marts.mart_data_health where {period.where()}
    """).iloc[0]


def gather(warehouse: Warehouse, lang: str, today: date | None = None) -> dict[str, Any]:
    """The report's figures over the PERIOD_DAYS ending on the latest complete day with data: before
    `today` (the business's), of which the hourly CRM run has loaded only a part; manual costs
    spread over days still ahead do not move the period either."""
    read = warehouse.read_frame
    today = today or Settings.from_env().today()
    last = read(f"select max(date) as d from marts.mart_channel_performance where date < date '{today}'").iloc[0]["d"]
    if last is None or pd.isna(last):
        raise ValueError("the marts are empty: run `throughline run` (or `make demo`) first")
    last = pd.Timestamp(last).date()
    period = Period(last - timedelta(days=PERIOD_DAYS - 1), last)
    settings = analysis_vars()
    margin = float(settings.get("gross_margin", 1.0))
    romi, decision = romi_and_decision_sql(settings)
    now, previous, start = kpis(read, period, margin), period.previous(), data_start(read)
    # compared only with a previous period the data wholly covers: a part of one shows a made-up growth
    covered = start is not None and start <= previous.first
    before = kpis(read, previous, margin) if covered else dict.fromkeys(now)
    scorecard = read(f"""
        with summed as (
            select channel, sum(spend) as spend, sum(leads) as leads, sum(new_customers) as new_customers,
                   sum(revenue) as revenue
            from marts.mart_channel_performance
            where attribution_model = '{REPORT_MODEL}' and {period.where()}
            group by channel
        )
        select *, spend / nullif(leads, 0) as cpl, spend / nullif(new_customers, 0) as cac,
               {romi} as romi_pct, {decision} as decision
        from summed where spend > 0 or leads > 0 or revenue > 0
        order by revenue desc, spend desc
    """)
    # whole weeks of data only: one still running, or begun before the data, would show too little
    weekly = weekly_by_channel(read, max(period.first - timedelta(days=56), start or date.min),
                               period.last - timedelta(days=6))
    models = read(f"""select channel, attribution_model, sum(revenue) as revenue
                      from marts.mart_channel_performance where {period.where()}
                      group by channel, attribution_model""")
    campaigns = campaign_table(read, period, settings)
    spent = campaigns["decision"] != "no_spend"
    paths = read("""select path, conversions, revenue, avg_days_to_convert from marts.mart_touch_paths
                    where conversion_type = 'deal' order by conversions desc, revenue desc limit 10""")
    managers = manager_table(read, period)
    calls = read(f"""
        select coalesce(m.manager_name, c.manager_id) as manager_name, sum(calls) as calls,
               sum(answered) as answered, sum(missed) as missed,
               sum(missed) * 1.0 / nullif(sum(calls), 0) as missed_rate,
               sum(missed_called_back) * 1.0 / nullif(sum(missed), 0) as callback_rate
        from marts.mart_call_quality as c
        left join {MANAGER_NAMES} as m on m.manager_id = c.manager_id
        where {period.where('c.date')} group by 1 order by calls desc
    """)
    pacing = pacing_table(read, last.replace(day=1))
    health = data_health(read, period)
    return {"period": period, "now": now, "before": before, "scorecard": scorecard, "weekly": weekly,
            "models": models, "campaigns": campaigns[spent], "unspent_campaigns": campaigns[~spent],
            "campaign_judged_after_days": settings["campaign_judged_after_days"], "paths": paths,
            "managers": managers, "calls": calls, "pacing": pacing, "health": health, "lang": lang}


def warnings(health: pd.Series, t: dict[str, Any], currency: str, lang: str = "en") -> list[str]:
    """The period's data problems, judged by the health checks' own thresholds."""
    def count(name: str) -> int:
        value = health[name]
        return 0 if value is None or pd.isna(value) else int(value)

    def say(key: str, n: int, **values: Any) -> str:
        return plural(t[key], n, lang).format(n=n, **values)

    limits = HealthSettings.from_env()
    leads, found = count("leads"), []
    if leads and count("untagged") / leads > limits.max_untagged_lead_share:
        found.append(say("w_untagged", count("untagged"), total=leads))
    if leads and count("unmatched") / leads > limits.max_unmatched_lead_share:
        found.append(say("w_unmatched", count("unmatched"), total=leads))
    spend = health["spend_without_sessions"]
    if spend is not None and not pd.isna(spend) and spend > 0:
        found.append(t["w_spend"].format(amount=f"{number(spend, lang=lang)} {currency}"))
    for name, key in (("unknown", "w_unknown"), ("duplicates", "w_duplicates"), ("rejected", "w_rejected")):
        if count(name) > 0:
            found.append(say(key, count(name)))
    return found


def render(data: dict[str, Any], currency: str) -> str:
    lang = data["lang"]
    t = LABELS[lang]
    env = Environment(loader=PackageLoader("throughline.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["n"] = lambda value, digits=0: number(value, digits, lang)
    env.filters["pct"] = lambda value, scale=1.0: percent(value, scale, lang)

    def shown(value: str) -> str:  # a standard channel, "(unassigned)" and the like, in the report's language
        return t.get(f"value_{value}", value)

    env.filters["shown"] = shown
    env.filters["shown_path"] = lambda path: " > ".join(shown(channel) for channel in path.split(" > "))
    scorecard = data["scorecard"]
    weekly = data["weekly"].assign(channel=data["weekly"]["channel"].map(shown))
    models = data["models"].pivot_table(index="channel", columns="attribution_model", values="revenue",
                                        aggfunc="sum").fillna(0)
    models = models[[m for m in ATTRIBUTION_MODELS if m in models.columns]]
    campaigns = data["campaigns"]
    best = campaigns.head(5)
    worst = campaigns.drop(best.index).tail(5).iloc[::-1]  # no campaign in both tables
    unspent = data["unspent_campaigns"]
    unspent_revenue = None if unspent.empty else plural(t["unspent_campaigns"], len(unspent), lang).format(
        n=len(unspent), amount=f"{number(unspent['revenue'].sum(), lang=lang)} {currency}")

    def fmt(value: float, digits: int = 0) -> str:
        return number(value, digits, lang)

    return env.get_template("report.html").render(
        t=t, currency=currency, model=t[f"model_{REPORT_MODEL}"], data=data, change=percent_change,
        points_change=points_change,
        warnings=warnings(data["health"], t, currency, lang),
        spend_revenue_svg=charts.grouped_bars(
            [shown(c) for c in scorecard["channel"]],
            {t["spend"]: list(scorecard["spend"].astype(float)),
             t["revenue"]: list(scorecard["revenue"].astype(float))}, fmt),
        weekly_svg=charts.lines(weekly, "period_start", "channel", "new_customers", fmt),
        cac_svg=charts.lines(weekly, "period_start", "channel", "cac", fmt),
        models_table=models, best_campaigns=best, worst_campaigns=worst,
        unspent_revenue=unspent_revenue,
    )


def write_report(out: Path, lang: str = "en", settings: Settings | None = None) -> Path:
    settings = settings or Settings.from_env()
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {', '.join(LABELS)}, not {lang!r}")
    html = render(gather(Warehouse.from_settings(settings), lang, settings.today()), settings.reporting_currency)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(out)
    return out
