"""The owner's report opens in headless Debian chromium with no console error, its charts
render, and its figures equal the marts' for the same period."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from types import SimpleNamespace

import pytest

from throughline.report import gather, number, render, write_report
from throughline.settings import Settings

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each row's cells (header row first) of the report's table `table_id`."""
    body = re.search(f'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "uk"])
def test_report_renders_with_the_marts_figures(lang, settings_env, served_warehouse, artifacts_dir) -> None:
    from playwright.sync_api import sync_playwright

    path = write_report(settings_env / f"report_{lang}.html", lang=lang, settings=Settings.from_env())
    # the golden business's last credited day is 2026-10-05: the period is 2026-09-08..2026-10-05
    expected = served_warehouse.read_frame("""
        select sum(spend) as spend, sum(leads) as leads, sum(revenue) as revenue
        from marts.mart_channel_performance
        where attribution_model = 'linear' and date between date '2026-09-08' and date '2026-10-05'
    """).iloc[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        assert errors == []
        assert "2026-09-08" in page.inner_text("body")
        charts = page.query_selector_all("svg.chart")
        assert len(charts) == 3
        assert all(chart.bounding_box()["height"] > 100 for chart in charts[:1])
        assert page.query_selector_all("svg.chart rect, svg.chart polyline")
        for kpi, digits in (("spend", 0), ("leads", 0), ("revenue", 0)):
            value = page.inner_text(f'[data-kpi="{kpi}"] .value')
            assert value.startswith(number(expected[kpi], digits)), (kpi, value)
        shot = artifacts_dir / ("report.png" if lang == "en" else f"report_{lang}.png")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()




def test_report_manager_median_is_over_the_periods_leads() -> None:
    """A manager's median first response over a period is the median of the period's leads
    (10, 20, 30 on one day, 100 on another: 25), not the median of the daily medians (60)."""
    from datetime import date

    import duckdb

    from throughline.report import Period, manager_table

    conn = duckdb.connect()
    conn.execute("""
        create schema marts;
        create table marts.dim_manager as select 'bitrix24' as crm_source, '7' as manager_id,
            'Olena Petrenko' as manager_name;
        create table marts.fct_leads as select 'bitrix24' as crm_source, * from (values
            ('7', date '2026-09-02', 10.0), ('7', date '2026-09-02', 20.0), ('7', date '2026-09-02', 30.0),
            ('7', date '2026-09-03', 100.0), ('7', date '2026-10-01', 1.0), (null, date '2026-09-02', 5.0)
        ) as t(manager_id, lead_date, first_response_minutes);
        create table marts.mart_manager_performance as select * from (values
            (date '2026-09-02', 'Olena Petrenko', 3, 0, 20.0, 1, 0, 1000.0),
            (date '2026-09-03', 'Olena Petrenko', 1, 1, 100.0, 0, 1, 0.0),
            (date '2026-09-02', '(unassigned)', 1, 0, 5.0, 0, 0, 0.0)
        ) as t(date, manager_name, leads_assigned, leads_non_target, median_first_response_minutes,
               deals_won, deals_lost, revenue);
    """)
    table = manager_table(lambda sql: conn.sql(sql).df(), Period(date(2026, 9, 1), date(2026, 9, 30)))
    rows = table.set_index("manager_name")
    assert rows.loc["Olena Petrenko", "median_first_response_minutes"] == pytest.approx(25)
    assert rows.loc["Olena Petrenko", "leads_assigned"] == 4
    assert rows.loc["Olena Petrenko", "non_target_rate"] == pytest.approx(0.25)
    assert rows.loc["(unassigned)", "median_first_response_minutes"] == pytest.approx(5)


def test_report_data_health_counts_the_periods_rows_and_every_rejected_one() -> None:
    """Rows set aside from the manual files are dated on the build day, after the period: they are
    all counted, but that day's leads and duplicates are not the period's."""
    import duckdb

    from throughline.report import Period, data_health

    conn = duckdb.connect()
    conn.execute("""
        create schema marts;
        create table marts.mart_data_health as select * from (values
            (date '2026-09-10', 'bitrix24', 1, 3, 0, 1, 0, 250.0, 2, 0, 0),
            (date '2026-10-01', 'crm_file', 0, 2, 0, 0, 2, 0.0, 0, 1, 3),
            (date '2026-10-01', 'manual_costs', 0, 0, 0, 0, 0, 0.0, 0, 0, 2)
        ) as t(date, source, leads_without_source, leads_matched_by_client_id, leads_matched_by_phone,
               leads_matched_by_utm, leads_unmatched, spend_without_sessions, sessions_unknown_campaign,
               duplicate_leads, rows_rejected);
    """)
    health = data_health(lambda sql: conn.sql(sql).df(), Period(date(2026, 9, 3), date(2026, 9, 30)))
    assert {k: float(v) for k, v in health.items()} == {
        "untagged": 1, "unmatched": 1, "leads": 4, "spend_without_sessions": 250, "unknown": 2, "duplicates": 0,
        "rejected": 5}


def test_report_pacing_shows_the_month_elapsed_and_campaign_names(served_warehouse) -> None:
    """13 % of a plan spent after 4 of October's 31 days (12.9 %) is on pace, and the table says
    both; a campaign plan shows its campaign's name, found by channel and id in any case, and
    keeps its id where no campaign has it."""
    import duckdb

    from throughline.report import pacing_table

    conn = duckdb.connect()
    conn.execute("""
        create schema marts;
        create table marts.dim_campaign as select * from (values
            ('meta_ads', 'ABC201', 'Leads Broad', 'Paid Social'),
            ('google_ads', 'abc201', 'Search Brand', 'Paid Search')
        ) as t(platform, campaign_id, campaign_name, channel);
        create table marts.mart_budget_pacing as select * from (values
            (date '2026-10-01', 'Paid Social', 'abc201', 10000.0, 1300.0, 13.0, 12.9, 10075.0),
            (date '2026-10-01', 'Paid Social', 'spring-promo', 500.0, 0.0, 0.0, 12.9, 0.0),
            (date '2026-10-01', 'Organic Search', null, 3100.0, 400.0, 12.9, 12.9, 3100.0),
            (date '2026-09-01', 'Paid Social', 'abc201', 9000.0, 9000.0, 100.0, 100.0, 9000.0)
        ) as t(month, channel, campaign_id, planned_spend, actual_spend, pacing_pct, days_elapsed_pct,
               projected_spend);
    """)
    pacing = pacing_table(lambda sql: conn.sql(sql).df(), date(2026, 10, 1))
    assert [(r.channel, r.campaign, r.days_elapsed_pct) for r in pacing.itertuples()] == [
        ("Organic Search", None, 12.9), ("Paid Social", "Leads Broad", 12.9), ("Paid Social", "spring-promo", 12.9)]
    data = gather(served_warehouse, "en", today=date(2026, 10, 6))
    table = cells(render({**data, "pacing": pacing}, "UAH"), "pacing")
    assert table[0][4:6] == ["Of plan", "Month elapsed"]
    assert table[2] == ["Paid Social", "Leads Broad", "10\u202f000", "1\u202f300", "13%", "13%", "10\u202f075"]


UKRAINIAN_CHANNELS = {
    "Paid Search": "Платний пошук", "Paid Social": "Платні соцмережі", "Video": "Відео",
    "Organic Search": "Органічний пошук", "Organic Social": "Органічні соцмережі", "Email": "Email-розсилки",
    "Messengers": "Месенджери", "Webinars": "Вебінари", "Referral": "Переходи з сайтів", "Offline": "Офлайн",
    "Direct": "Прямі переходи", "Other": "Інше", "(unattributed)": "(без джерела)"}


def test_report_in_ukrainian_names_every_standard_channel_in_ukrainian(served_warehouse) -> None:
    """Tables, chart legends, paths and pacing show the channel_rules channels in Ukrainian; a
    channel the business made up keeps its name."""
    import pandas as pd

    data = gather(served_warehouse, "uk", today=date(2026, 10, 6))
    data["pacing"] = pd.DataFrame([("Paid Social", None, 100.0, 10.0, 10.0, 12.9, 77.5),
                                   ("Influencers", None, 100.0, 0.0, 0.0, 12.9, 0.0)],
                                  columns=["channel", "campaign", "planned_spend", "actual_spend", "pacing_pct",
                                           "days_elapsed_pct", "projected_spend"])
    html = render(data, "UAH")
    assert {row[0] for row in cells(html, "scorecard")[1:]} == {
        UKRAINIAN_CHANNELS[c] for c in data["scorecard"]["channel"]}
    assert {row[0] for row in cells(html, "models")[1:]} == {UKRAINIAN_CHANNELS[c] for c in data["models"]["channel"]}
    assert [row[0] for row in cells(html, "paths")[1:]] == ["Платний пошук > Прямі переходи > Платні соцмережі"]
    assert [row[0] for row in cells(html, "pacing")[1:]] == ["Платні соцмережі", "Influencers"]
    legends = set(re.findall(r'font-size="11">([^<]+)</text>', html))
    assert {UKRAINIAN_CHANNELS[c] for c in data["weekly"]["channel"]} | {"Витрати", "Виручка"} == legends
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert [c for c in UKRAINIAN_CHANNELS if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)] == []


@pytest.mark.parametrize(("lang", "titles", "headers"), [
    ("en", ["Spend and revenue by channel, EUR", "Cost per customer by week, EUR",
            "Attribution models side by side: revenue by channel in the period, EUR"],
     {"scorecard": ["Channel", "Spend, EUR", "Leads", "Cost per lead, EUR", "New customers", "Cost per customer, EUR",
                    "Revenue, EUR", "ROMI", "Decision"],
      "campaigns-top": ["Campaign", "Spend, EUR", "Revenue, EUR", "ROMI", "Decision"],
      "paths": ["Path", "Sales", "Revenue, EUR", "Days from first touch to enquiry"],
      "managers": ["Manager", "Leads", "Non-target", "First response, min", "Deals won", "Win rate", "Revenue, EUR"],
      "pacing": ["Channel", "Campaign", "Plan, EUR", "Spent, EUR", "Of plan", "Month elapsed", "Projected, EUR"]}),
    ("uk", ["Витрати і виручка за каналами, EUR", "Ціна клієнта за тижнями, EUR",
            "Порівняння моделей атрибуції: виручка каналів за період, EUR"],
     {"scorecard": ["Канал", "Витрати, EUR", "Ліди", "Ціна ліда, EUR", "Нові клієнти", "Ціна клієнта, EUR",
                    "Виручка, EUR", "ROMI", "Рішення"],
      "pacing": ["Канал", "Кампанія", "План, EUR", "Витрачено, EUR", "Від плану", "Минуло місяця", "Прогноз, EUR"]}),
])
def test_report_money_columns_and_charts_name_the_currency(served_warehouse, lang, titles, headers) -> None:
    html = render(gather(served_warehouse, lang, today=date(2026, 10, 6)), "EUR")
    assert [h for h in re.findall(r"<h2>([^<]+)</h2>", html) if "EUR" in h] == titles
    assert {table: cells(html, table)[0] for table in headers} == headers


def test_report_campaigns_too_young_to_judge_and_revenue_without_spend() -> None:
    """Over 2026-09-03..09-30 with 14 days to judge: a campaign first spending on 09-16 (14 days
    before the end) is judged, one from 09-17 is too early whatever its ROMI; revenue of a
    campaign whose cost fell before the period stays in the table as 'no_spend'."""
    import duckdb

    from throughline.report import Period, campaign_table

    conn = duckdb.connect()
    conn.execute("""
        create schema marts;
        create table marts.dim_campaign as select * from (values
            ('google_ads', '1', date '2026-08-01'), ('google_ads', '2', date '2026-08-01'),
            ('google_ads', '3', date '2026-09-16'), ('meta_ads', '4', date '2026-09-17'),
            ('manual', 'webinar', date '2026-09-28'), ('meta_ads', '5', date '2026-08-01')
        ) as t(platform, campaign_id, first_spend_date);
        create table marts.mart_campaign_performance as select * from (values
            (date '2026-09-10', 'google_ads', '1', 'Brand', 'linear', 1000.0, 500.0),
            (date '2026-09-10', 'google_ads', '2', 'Generic', 'linear', 100.0, 300.0),
            (date '2026-09-20', 'google_ads', '3', 'Boundary judged', 'linear', 100.0, 150.0),
            (date '2026-09-20', 'meta_ads', '4', 'Boundary early', 'linear', 100.0, 900.0),
            (date '2026-09-28', 'manual', 'webinar', 'Webinar', 'linear', 300.0, 0.0),
            (date '2026-08-15', 'meta_ads', '5', 'Summer', 'linear', 700.0, 0.0),
            (date '2026-09-12', 'meta_ads', '5', 'Summer', 'linear', 0.0, 2000.0),
            (date '2026-09-12', 'meta_ads', '5', 'Summer', 'first_touch', 0.0, 9000.0),
            (date '2026-09-12', '(untracked)', null, 'autumn', 'linear', 0.0, 400.0)
        ) as t(date, platform, campaign_id, campaign_name, attribution_model, spend, revenue);
    """)
    settings = {"gross_margin": 1.0, "romi_stop_below": 0, "romi_scale_above": 100, "campaign_judged_after_days": 14}
    table = campaign_table(lambda sql: conn.sql(sql).df(), Period(date(2026, 9, 3), date(2026, 9, 30)), settings)
    assert [(r.campaign_name, float(r.spend), float(r.revenue), r.decision) for r in table.itertuples()] == [
        ("Boundary early", 100, 900, "too_early"),  # ROMI 800 %
        ("Generic", 100, 300, "scale"),  # 200 %
        ("Boundary judged", 100, 150, "optimize"),  # 50 %
        ("Brand", 1000, 500, "stop"),  # -50 %
        ("Webinar", 300, 0, "too_early"),  # -100 %
        ("Summer", 0, 2000, "no_spend")]


@pytest.mark.parametrize(("lang", "note", "unspent"), [
    ("en", "one that began spending less than 14 days before the period's end is too early to judge",
     "3\u202f467 UAH of the period's revenue came from 2 campaigns with no spend in the period"),
    ("uk", "кампанію, що почала витрачати менш ніж за 14 дн. до кінця періоду, оцінювати зарано",
     "3\u202f467 UAH виручки періоду принесли 2 кампанії без витрат у періоді")])
def test_report_says_how_campaigns_are_judged_and_names_revenue_without_spend(served_warehouse, lang, note,
                                                                               unspent) -> None:
    """Over 2026-09-08..10-05 only the webinar spends (09-08..09-10); Google 101 and Meta 201 spent
    on 09-01 and 09-02 and earn a linear third each of D1 (4 200 UAH) and D3 (1 000 UAH): 3 466.67.
    Ending 09-10, every campaign first spent 8 or 9 days before: too early to judge."""
    text = unescape(render(gather(served_warehouse, lang, today=date(2026, 10, 6)), "UAH"))
    assert note in text and unspent in text
    campaigns = gather(served_warehouse, lang, today=date(2026, 9, 11))["campaigns"]
    assert sorted(campaigns["campaign_name"]) == ["Leads Broad", "Search Brand", "webinar_2026-09-05"]
    assert set(campaigns["decision"]) == {"too_early"}


def test_report_campaigns_carry_the_budget_decision(served_warehouse) -> None:
    """The campaign tables say scale / optimize / stop by the marts' rule on the period's ROMI."""
    campaigns = gather(served_warehouse, "en")["campaigns"]
    assert len(campaigns) > 0
    for row in campaigns.itertuples():
        romi = (row.revenue - row.spend) / row.spend * 100
        expected = "stop" if romi < 0 else "scale" if romi > 100 else "optimize"
        assert row.decision == expected, row


def test_report_period_ends_on_the_last_complete_day(served_warehouse) -> None:
    """Today is incomplete (the hourly CRM run loads its leads as they come), and costs spread over
    days still ahead give the marts rows after it: the period ends on the latest day with data
    before today, and every section stops there."""
    from throughline.report import PERIOD_DAYS

    # the golden business has rows on every day 2026-09-01..09-10, then on 09-20 and 10-05 only
    for today, last in ((date(2026, 9, 21), date(2026, 9, 20)), (date(2026, 9, 20), date(2026, 9, 10)),
                        (date(2026, 9, 30), date(2026, 9, 20))):
        period = gather(served_warehouse, "en", today=today)["period"]
        assert (period.first, period.last) == (last - timedelta(days=PERIOD_DAYS - 1), last)
    # on 2026-10-05 the repeat deal D3 won that day (1 000 UAH) is not in yet: only D1, 100 USD x 42
    data = gather(served_warehouse, "en", today=date(2026, 10, 5))
    assert data["now"]["revenue"] == pytest.approx(4200)
    assert data["managers"]["revenue"].sum() == pytest.approx(4200)
    assert "Budget pacing in 2026-09" in render(data, "UAH")


def test_report_compares_only_with_a_previous_period_the_data_covers(served_warehouse) -> None:
    """The golden business's spend and leads begin on 2026-09-01 (a stray visit in June aside):
    the 28 days before 2026-09-08..10-05 hold only a week of them, and the report showed growth of
    hundreds of per cent against them."""
    data = gather(served_warehouse, "en", today=date(2026, 10, 6))
    assert data["period"].previous().first == date(2026, 8, 11)
    assert set(data["before"].values()) == {None}
    changes = re.findall(r'<div class="change">([^<]*)</div>', render(data, "UAH"))
    assert len(changes) == 8 and all(change.startswith("—") for change in changes)


def small_business(rows: str) -> SimpleNamespace:
    """A warehouse of hand-made marts: every table the report reads, empty, then `rows` (SQL)."""
    import duckdb

    conn = duckdb.connect()
    conn.execute("""
        create schema marts;
        create table marts.mart_channel_performance (date date, channel varchar, attribution_model varchar,
            spend decimal(20, 6), leads double, qualified_leads double, new_customers double, revenue decimal(20, 6));
        create table marts.mart_channel_scorecard (period_grain varchar, period_start date, channel varchar,
            attribution_model varchar, new_customers double, cac decimal(18, 2));
        create table marts.fct_ad_spend (spend_date date, platform varchar);
        create table marts.fct_leads (crm_source varchar, manager_id varchar, lead_date date,
            first_response_minutes double);
        create table marts.fct_deals (crm_source varchar, won_date date);
        create table marts.mart_campaign_performance (date date, platform varchar, campaign_id varchar,
            campaign_name varchar, attribution_model varchar, spend decimal(20, 6), revenue decimal(20, 6));
        create table marts.dim_campaign (platform varchar, campaign_id varchar, campaign_name varchar,
            channel varchar, first_spend_date date);
        create table marts.dim_manager (crm_source varchar, manager_id varchar, manager_name varchar);
        create table marts.mart_manager_performance (date date, manager_name varchar, leads_assigned bigint,
            leads_non_target bigint, deals_won bigint, deals_lost bigint, revenue decimal(20, 6));
        create table marts.mart_touch_paths (path varchar, conversion_type varchar, conversions bigint,
            revenue decimal(20, 6), avg_days_to_convert double);
        create table marts.mart_call_quality (date date, manager_id varchar, calls bigint, answered bigint,
            missed bigint, missed_called_back bigint);
        create table marts.mart_budget_pacing (month date, channel varchar, campaign_id varchar,
            planned_spend decimal(20, 6), actual_spend decimal(20, 6), pacing_pct decimal(18, 2),
            days_elapsed_pct decimal(18, 2), projected_spend decimal(20, 6));
        create table marts.mart_data_health (date date, source varchar, leads_without_source bigint,
            leads_matched_by_client_id bigint, leads_matched_by_phone bigint, leads_matched_by_utm bigint,
            leads_unmatched bigint, spend_without_sessions decimal(20, 6), sessions_unknown_campaign bigint,
            duplicate_leads bigint, rows_rejected bigint);
    """)
    conn.execute(rows)
    return SimpleNamespace(read_frame=lambda sql: conn.sql(sql).df())


def days(first: str, last: str) -> str:
    return f"unnest(generate_series(date '{first}', date '{last}', interval 1 day))::date"


# A steady business with START_DATE 2026-09-01: Google Ads 1 000 UAH, 10 leads, half a new customer
# and 5 000 UAH of revenue a day, in Paid Search, with its first won deal on 09-02.
STEADY = f"""
    insert into marts.fct_ad_spend select {days('2026-09-01', '2026-11-30')}, 'google_ads';
    insert into marts.fct_leads (crm_source, lead_date) select 'bitrix24', {days('2026-09-01', '2026-11-30')};
    insert into marts.fct_deals values ('bitrix24', date '2026-09-02');
    insert into marts.mart_channel_performance
        select {days('2026-09-01', '2026-11-30')}, 'Paid Search', 'linear', 1000, 10, 10, 0.5, 5000;
"""
# an SEO retainer 2026-08-01..12-31 (15 300 UAH, 100 a day): running on START_DATE, it is loaded whole
RETAINER = f"""
    insert into marts.fct_ad_spend select {days('2026-08-01', '2026-12-31')}, 'manual';
    insert into marts.mart_channel_performance
        select {days('2026-08-01', '2026-12-31')}, 'Organic Search', 'linear', 100, 0, 0, 0, 0;
"""
# the CRM given its own START_DATE a year earlier: a lead a day from 2025-09-01
CRM_A_YEAR_BACK = f"""
    insert into marts.fct_leads (crm_source, lead_date) select 'bitrix24', {days('2025-09-01', '2026-08-31')};
    insert into marts.mart_channel_performance
        select {days('2025-09-01', '2026-08-31')}, '(unattributed)', 'linear', 0, 1, 1, 0, 0;
"""
# the label of a KPI's change and ROMI's unit of change
PREVIOUS = {"en": ("vs previous period", "pp"), "uk": ("до попереднього періоду", "в. п.")}


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("earlier", [RETAINER, CRM_A_YEAR_BACK], ids=["retainer", "crm_a_year_back"])
def test_report_compares_from_the_day_every_crm_and_ad_platform_has_data(lang, earlier) -> None:
    """On 2026-10-13 the period is 09-15..10-12 and the previous one 08-18..09-14, half of it before
    the ads' data begins. The report showed Spend +83 % (30 800 against 16 800 UAH with the retainer),
    Leads, New customers and Revenue +100 %; now no change. From 10-27 (previous period
    09-01..09-28) the steady business shows +0 % everywhere; on 10-26 (from 08-31) not yet."""
    business, (previous, points) = small_business(STEADY + earlier), PREVIOUS[lang]
    for today in (date(2026, 10, 13), date(2026, 10, 26)):
        data = gather(business, lang, today=today)
        assert set(data["before"].values()) == {None}
        assert re.findall(r'<div class="change">([^<]*)</div>', render(data, "UAH")) == [f"— {previous}"] * 8
    data = gather(business, lang, today=date(2026, 10, 27))
    spend = 28 * 1000 + (28 * 100 if earlier == RETAINER else 0)
    assert (data["before"]["spend"], data["before"]["leads"], data["before"]["new_customers"],
            data["before"]["revenue"]) == (spend, 280, 14, 140_000)
    changes = re.findall(r'<div class="change">([^<]*)</div>', render(data, "UAH"))
    assert changes == [f"+0% {previous}"] * 7 + [f"+0 {points} {previous}"]


def test_report_warnings_name_the_reporting_currency() -> None:
    import pandas as pd

    from throughline.report import warnings
    from throughline.report.labels import LABELS

    health = pd.Series({"leads": 100, "untagged": 1, "unmatched": 1, "spend_without_sessions": 1500.0,
                        "unknown": 0, "duplicates": 0, "rejected": 0})
    assert warnings(health, LABELS["en"], "EUR") == [
        "1\u202f500 EUR was spent on campaigns that no visit or lead carries (tagging?)."]


def test_report_warnings_count_in_each_language_and_survive_an_empty_period() -> None:
    import pandas as pd

    from throughline.report import warnings
    from throughline.report.labels import LABELS

    def duplicates(n: int, lang: str) -> list[str]:
        health = pd.Series({"leads": 100, "untagged": 0, "unmatched": 0, "spend_without_sessions": 0,
                            "unknown": 0, "duplicates": n, "rejected": 0})
        return warnings(health, LABELS[lang], "UAH", lang)

    assert duplicates(1, "en") == ["1 duplicate lead (the same person twice within a day)."]
    assert duplicates(2, "en") == ["2 duplicate leads (the same person twice within a day)."]
    assert [duplicates(n, "uk")[0].split(" (")[0] for n in (1, 3, 5, 11, 21, 22)] == [
        "1 дубль ліда", "3 дублі лідів", "5 дублів лідів", "11 дублів лідів", "21 дубль ліда", "22 дублі лідів"]
    # a period with no data-health rows sums to NULL everywhere: no warning, no error
    empty = pd.Series({k: float("nan") for k in ("leads", "untagged", "unmatched", "spend_without_sessions",
                                                  "unknown", "duplicates", "rejected")})
    assert warnings(empty, LABELS["uk"], "UAH", "uk") == []


def test_report_numbers_use_each_languages_decimal_mark() -> None:
    from throughline.report.formatting import number, percent

    assert number(1234567.891, 2, "en") == "1\u202f234\u202f567.89"
    assert number(1234567.891, 2, "uk") == "1\u202f234\u202f567,89"
    assert percent(0.355, 100, "uk") == "36%" and number(None, 1, "uk") == "—"


def test_report_weekly_charts_show_whole_weeks_and_campaign_tables_do_not_overlap(served_warehouse) -> None:
    data = gather(served_warehouse, "en", today=date(2026, 10, 5))
    weeks = data["weekly"]["period_start"]
    assert len(weeks) and all(pd_date(w) + timedelta(days=6) <= data["period"].last for w in weeks)
    html = render(data, "UAH")

    def names(table: str) -> list[str]:
        body = re.search(f'<table id="{table}">(.*?)</table>', html, re.S).group(1)
        return re.findall(r"<tr><td>([^<]+)</td>", body)

    best, worst = names("campaigns-top"), names("campaigns-worst")
    assert best and not set(best) & set(worst)
    assert len(best) + len(worst) == min(len(data["campaigns"]), 10)


@pytest.mark.parametrize(("lang", "header", "days"), [
    ("en", "Days from first touch to enquiry", "17.0"), ("uk", "Днів від першого контакту до звернення", "17,0")])
def test_report_path_days_run_from_the_first_touch_to_the_enquiry(served_warehouse, lang, header, days) -> None:
    """A won deal converts at its lead's time: D1's path runs from v1's first session (09-01 09:00)
    to its lead L1 (09-05 09:00), 4 days, not the 18.9 to its close (09-20 07:00); D3, without a
    lead, to its creation (10-01 09:00), 30 days. The column says so: (4 + 30) / 2 = 17 days."""
    paths = cells(render(gather(served_warehouse, lang, today=date(2026, 10, 6)), "UAH"), "paths")
    assert paths[0][-1] == header
    assert [row[-1] for row in paths[1:]] == [days]


def pd_date(value: object) -> date:
    import pandas as pd

    return pd.Timestamp(value).date()


def test_romi_changes_in_percentage_points() -> None:
    from throughline.report import percent_change, points_change

    assert points_change(403.0, 294.0, "pp") == "+109 pp" and percent_change(403.0, 294.0) == "+37%"
    assert points_change(-100.0, 403.0, "в. п.") == "-503 в. п." and points_change(None, 5.0, "pp") == "—"


def test_report_weekly_charts_show_a_quiet_week_as_0_and_no_cost_per_customer_where_none_bought() -> None:
    """Weeks of 09-07, 09-14 and 09-21: Paid Search 3 000 UAH a week and 2, 0 and 2 new customers
    (cost per customer 1 500, none, 1 500); Offline 1 customer, no row, 1. The charts joined the
    weeks around 09-14: Offline a flat line at 1 (it had 0), Paid Search at 1 500 UAH (it had no
    customer to divide by). The retainer's weeks before the data began (from 08-03) are not drawn."""
    import pandas as pd

    from throughline.report.charts import segments

    retainer_weeks = "".join(f", ('week', date '2026-{week}', 'Organic Search', 'linear', 0, null)"
                             for week in ("08-03", "08-31", "09-07", "09-14", "09-21"))
    business = small_business(STEADY + RETAINER + f"""
        insert into marts.mart_channel_scorecard values
            ('week', date '2026-09-07', 'Paid Search', 'linear', 2, 1500),
            ('week', date '2026-09-14', 'Paid Search', 'linear', 0, null),
            ('week', date '2026-09-21', 'Paid Search', 'linear', 2, 1500),
            ('week', date '2026-09-07', 'Offline', 'linear', 1, 0),
            ('week', date '2026-09-21', 'Offline', 'linear', 1, 0),
            ('week', date '2026-09-14', 'Offline', 'first_touch', 1, 0){retainer_weeks};
    """)
    weekly = gather(business, "en", today=date(2026, 9, 28))["weekly"]  # the period ends on 09-27
    w1, w2, w3 = (pd.Timestamp(f"2026-09-{day}") for day in ("07", "14", "21"))
    assert segments(weekly, "period_start", "channel", "new_customers") == {
        "Offline": [[(w1, 1), (w2, 0), (w3, 1)]], "Organic Search": [[(w1, 0), (w2, 0), (w3, 0)]],
        "Paid Search": [[(w1, 2), (w2, 0), (w3, 2)]]}
    assert segments(weekly, "period_start", "channel", "cac") == {
        "Offline": [[(w1, 0)], [(w3, 0)]], "Paid Search": [[(w1, 1500)], [(w3, 1500)]]}
