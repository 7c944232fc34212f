"""The golden business plus the inputs real accounts send that once went wrong: a UTM cut in the
middle of a Cyrillic letter, a CRM-file phone that is not a phone, a visitor id shared by many
callers, same-day repeat deals, a won deal without a close date (won on its creation day), a cost that does not divide
evenly, a Google Display campaign, a customer from a channel nobody pays for, a CRM file naming
managers without ids, a call agent named by an e-mail no CRM user has and a CRM contact with
neither phone nor e-mail. Each expected figure is worked out by hand below."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.dbt import golden
from tests.dbt.conftest import query_of
from throughline.publish import check_no_contact_data
from throughline.settings import ATTRIBUTION_MODELS

SHARED_CALLERS = 21  # one more than max_leads_per_visitor
# Sources and mediums as real links and GA4 write them, with the channel GA4's default channel
# groups give them (their social and search site lists, and paid mediums ^(.*cp.*|ppc|retargeting|paid.*)$)
GA4_STYLE_SOURCES = [
    ("m.facebook.com", "cpc", "Paid Social"),
    ("facebook", "retargeting", "Paid Social"),
    ("l.instagram.com", "referral", "Organic Social"),
    ("linkedin.com", "referral", "Organic Social"),
    ("web.telegram.org", "referral", "Messengers"),
    ("search.yahoo.com", "organic", "Organic Search"),
    ("startpage", "organic", "Organic Search"),
    ("google", "cpa", "Paid Search"),
    ("blog.example.com", "social-media", "Organic Social"),
    # Meta's {{site_source_name}} for Audience Network and Messenger: its placements, Paid Social
    ("an", "paid", "Paid Social"),
    ("msg", "cpc", "Paid Social"),
    # a social network's video ads (Meta's spend is Paid Social), its videos, and search engines
    # and Instagram as referrers
    ("facebook", "cpv", "Paid Social"),
    ("tiktok", "paid_video", "Paid Social"),
    ("instagram", "video", "Organic Social"),
    ("duckduckgo.com", "referral", "Organic Search"),
    ("www.google.com.ua", "referral", "Organic Search"),
    ("mail.google.com", "referral", "Referral"),
    ("www.instagram.com", "referral", "Organic Social"),
]
BITRIX_LEADS_OF_USER_1 = sum(lead["assigned_by_id"] == "1" for lead in golden.leads()) + 2 + SHARED_CALLERS  # L8, L10


@pytest.fixture(scope="module")
def query(build_warehouse):
    tables = golden.raw_tables()
    leads = [
        # a UTM cut after the first byte of "П" (%D0%9F): not UTF-8 once decoded
        golden.lead("L8", "2026-09-06T10:00:00", phone="+380678888888", utm=("facebook", "cpc", "%D0")),
        # a campaign with an encoded line break: every channel rule's campaign pattern is .*
        golden.lead("L10", "2026-09-06T12:00:00", phone="+380679999999", utm=("google", "cpc", "spring%0Asale")),
        # 21 leads whose phones all called one dynamic number with the same visitor id
        *[golden.lead(f"S{n}", "2026-09-06T11:00:00", phone=f"+3806755500{n:02d}") for n in range(SHARED_CALLERS)],
        # filed on contact C7, who has a name only: no phone or e-mail on the lead or the contact
        golden.lead("L11", "2026-09-07T10:00:00", manager="2", utm=("newsletter", "email", "autumn"),
                    contact_id="C7"),
    ]
    contacts = [{"id": "C7", "phone_e164": None, "date_create": golden.kyiv(golden.ts("2026-09-07T10:00:00"))}]
    calls = [
        {**golden.calls()[0], "call_id": f"SHARED{n}", "caller_phone_e164": f"+3806755500{n:02d}",
         "client_id": "vshared", "started_at": golden.ts("2026-09-06T10:30:00")}
        for n in range(SHARED_CALLERS)
    ]
    # a call to the dynamic number from a browser without a GA cookie: no client id
    calls.append({**golden.calls()[0], "call_id": "NOCOOKIE", "caller_phone_e164": "+380675550999",
                  "client_id": None, "started_at": golden.ts("2026-09-10T10:00:00")})
    # CallRail names the agent by e-mail, one no CRM user has
    calls.append({**golden.calls()[0], "call_id": "AGENT", "caller_phone_e164": "+380675550998", "client_id": None,
                  "manager": "Reception@Studio.example.ua", "started_at": golden.ts("2026-09-11T10:00:00")})
    deal = golden.deals()[0]
    deals = [
        # L7's path is one Referral session (v4): a customer from a channel with no spend
        {**deal, "id": "D4", "lead_id": "L7", "contact_id": None, "opportunity": "300.00", "currency_id": "UAH",
         "closedate": golden.kyiv(golden.ts("2026-09-25T07:00:00"))},
        # two deals of one contact won at the same moment: "9" comes before "10"
        *[{**deal, "id": deal_id, "lead_id": "L8", "contact_id": None, "opportunity": "100.00",
           "currency_id": "UAH", "closedate": golden.kyiv(golden.ts("2026-09-26T07:00:00"))}
          for deal_id in ("10", "9")],
        # won in dollars, but the CRM gives no close date: converted at its creation day's rate (42)
        {**deal, "id": "D5", "lead_id": "L3", "contact_id": None, "opportunity": "50.00", "currency_id": "USD",
         "closedate": None, "date_create": golden.kyiv(golden.ts("2026-09-20T07:00:00"))},
        # C7's deal from L11, then one without a lead
        {**deal, "id": "20", "lead_id": "L11", "contact_id": "C7", "opportunity": "200.00", "currency_id": "UAH",
         "closedate": golden.kyiv(golden.ts("2026-09-15T07:00:00")),
         "date_create": golden.kyiv(golden.ts("2026-09-08T07:00:00"))},
        {**deal, "id": "21", "lead_id": None, "contact_id": "C7", "opportunity": "400.00", "currency_id": "UAH",
         "closedate": golden.kyiv(golden.ts("2026-10-03T07:00:00")),
         "date_create": golden.kyiv(golden.ts("2026-10-01T07:00:00"))},
    ]
    file_lead = {"created_at": golden.ts("2026-09-07T09:00:00"), "status": "new", "non_target": False,
                 "phone": "n/a", "phone_e164": None, "manager_id": None, "manager_name": None}
    crm_file_leads = [
        # assigned to the CRM file's manager 1, not Bitrix24's user 1
        *[{**file_lead, "lead_id": f"F{n}", "email": f"buyer{n}@example.ua", "manager_id": "1"} for n in (1, 2)],
        # a file without manager ids: one manager, however the name's case and spaces were typed
        # (no-break spaces, as a name pasted from the web or a sheet has them, too)
        {**file_lead, "lead_id": "F3", "email": "buyer3@example.ua", "manager_name": "Ivan Bondar"},
        {**file_lead, "lead_id": "F4", "email": "buyer4@example.ua", "manager_name": "  ivan \u00a0 BONDAR\u00a0"},
        # first response: the history's first change (10:00) wins over the file's own column (09:05)
        {**file_lead, "lead_id": "F5", "email": "buyer15@example.ua", "status": "in work",
         "first_response_at": golden.ts("2026-09-07T09:05:00")},
        # only the file's column
        {**file_lead, "lead_id": "F6", "email": "buyer16@example.ua",
         "first_response_at": golden.ts("2026-09-07T09:30:00")},
        # marked junk with neither: processed (it left its initial status), no response time
        {**file_lead, "lead_id": "F7", "email": "buyer17@example.ua", "status": "junk", "non_target": True},
    ]
    crm_file_history = [{"lead_id": "F5", "changed_at": golden.ts("2026-09-07T09:00:00"), "status": "new"},
                        {"lead_id": "F5", "changed_at": golden.ts("2026-09-07T10:00:00"), "status": "in work"},
                        {"lead_id": "F5", "changed_at": golden.ts("2026-09-07T11:00:00"), "status": "won"}]
    file_deal = {"created_at": golden.ts("2026-09-08T09:00:00"), "amount": 1000.0, "currency": "UAH",
                 "contact_email": None, "manager_id": None}
    crm_file_deals = [
        {**file_deal, "deal_id": "FD1", "lead_id": "F3", "closed_at": golden.ts("2026-09-10T09:00:00"),
         "stage": "won", "manager_name": "Ivan Bondar"},
        # a manager named by a deal only
        {**file_deal, "deal_id": "FD2", "lead_id": None, "contact_email": "buyer5@example.ua",
         "closed_at": golden.ts("2026-09-11T09:00:00"), "stage": "lost", "manager_name": "Olha Shevchenko"},
    ]
    campaigns = tables["raw_google_ads.campaign_stats"]
    display = {**campaigns.iloc[0].to_dict(), "campaign_id": "103", "campaign_name": "Display Remarketing",
               "advertising_channel_type": "DISPLAY", "cost_micros": 250_000_000, "cost": 250.0}
    # a Google Ads search campaign named as Meta's "Leads Broad", which v1's facebook / cpc visit carries
    same_name = {**campaigns.iloc[0].to_dict(), "campaign_id": "104", "campaign_name": "Leads Broad",
                 "advertising_channel_type": "SEARCH", "cost_micros": 100_000_000, "cost": 100.0}
    costs = tables["raw_manual_costs.costs"]
    influencer = {**costs.iloc[0].to_dict(), "date_from": date(2026, 9, 1), "date_to": date(2026, 9, 7),
                  "channel": "Organic Social", "campaign": "influencer_sept", "amount": 6000.0, "row_number": 3}
    # a dollar fee booked past the last day with a rate (2026-10-31, 41 UAH), under the name of
    # Meta's campaign "Leads Broad", which v1's session carries
    agency_fee = {**costs.iloc[0].to_dict(), "date_from": date(2026, 10, 30), "date_to": date(2026, 11, 2),
                  "channel": "Paid Social", "campaign": "Leads Broad", "amount": 400.0, "currency": "USD",
                  "row_number": 4}
    events = [
        # a Google Ads click GA4 exported as google / organic with its "(organic)" campaign placeholder
        *[{**event, "gclid": "Cj0KGCLID"} for event in
          golden.session_events("vgclid", 7001, "2026-09-05T08:00:00", "google", "organic", "(organic)")],
        # a real organic visit with the same placeholder
        *golden.session_events("vorganic", 7002, "2026-09-05T08:30:00", "google", "organic", "(organic)"),
        # a mailing whose merge tag filled the reader's address into the campaign
        *golden.session_events("vmailed", 7003, "2026-09-05T08:40:00", "newsletter", "email",
                               "Sept%20Olena.K%40Gmail.com"),
        *[event for n, (source, medium, _) in enumerate(GA4_STYLE_SOURCES) for event in
          golden.session_events(f"vstyle{n}", 7100 + n, "2026-09-05T09:00:00", source, medium)],
    ]
    # the Data API's daily report (values as the connector stores them): 20 October, a day the export
    # has no session of, counts; 4 September, which the export has, does not
    report = [("2026-10-20", "facebook", "cpc", "Leads Broad", "/sofas", 4),
              ("2026-10-20", "facebook", "cpc", "Leads Broad", "/chairs", 3),
              ("2026-10-20", "google", "organic", "(organic)", "/blog", 5),
              ("2026-09-04", "google", "cpc", "101", "/", 100)]
    daily_traffic = pd.DataFrame(
        [{"date": day, "session_source": source, "session_medium": medium, "session_campaign_name": campaign,
          "session_manual_ad_content": "(not set)", "session_manual_term": "(not set)", "landing_page": page,
          "sessions": sessions, "total_users": sessions} for day, source, medium, campaign, page, sessions in report])
    tables.update({
        "raw_ga4.daily_traffic": daily_traffic,
        "raw_ga4.events": pd.concat([tables["raw_ga4.events"], pd.DataFrame(events)], ignore_index=True),
        "raw_bitrix24.leads": pd.concat([tables["raw_bitrix24.leads"], pd.DataFrame(leads)], ignore_index=True),
        "raw_bitrix24.deals": pd.concat([tables["raw_bitrix24.deals"], pd.DataFrame(deals)], ignore_index=True),
        "raw_bitrix24.contacts": pd.concat([tables["raw_bitrix24.contacts"], pd.DataFrame(contacts)],
                                           ignore_index=True),
        "raw_calltracking.calls": pd.concat([tables["raw_calltracking.calls"], pd.DataFrame(calls)],
                                            ignore_index=True),
        "raw_crm_file.leads": pd.DataFrame(crm_file_leads),
        "raw_crm_file.deals": pd.DataFrame(crm_file_deals),
        "raw_crm_file.lead_status_history": pd.DataFrame(crm_file_history),
        "raw_crm_file.managers": pd.DataFrame([{"manager_id": "1", "manager_name": "Anna Koval",
                                                "email": "anna@example.ua"}]),
        "raw_google_ads.campaign_stats": pd.concat([campaigns, pd.DataFrame([display, same_name])],
                                                   ignore_index=True),
        "raw_manual_costs.costs": pd.concat([costs, pd.DataFrame([influencer, agency_fee])],
                                            ignore_index=True),
    })
    return query_of(build_warehouse(tables, "messy"))


def test_a_utm_that_does_not_decode_is_kept_as_it_came(query) -> None:
    assert query("select utm_campaign from marts.fct_leads where lead_id = 'L8'") == [("%d0",)]


def test_a_campaign_with_a_line_break_still_matches_its_channel_rule(query) -> None:
    assert query("select channel from intermediate.int_traffic_channels where utm_source = 'google' "
                 "and utm_medium = 'cpc' and utm_campaign = 'spring' || chr(10) || 'sale'") == [("Paid Search",)]


def test_a_crm_file_phone_that_is_no_phone_does_not_join_contacts(query) -> None:
    assert query("select lead_id, contact_key from intermediate.int_leads where crm_source = 'crm_file' "
                 "and lead_id in ('F1', 'F2') order by lead_id") == [("F1", "buyer1@example.ua"),
                                                                      ("F2", "buyer2@example.ua")]


def test_a_crm_file_leads_response_is_its_first_status_change_and_non_target_is_processed(query) -> None:
    assert query("select lead_id, first_response_minutes, is_processed from intermediate.int_leads "
                 "where lead_id in ('F1', 'F5', 'F6', 'F7') order by lead_id") == [
        ("F1", None, False), ("F5", 60.0, True), ("F6", 30.0, True), ("F7", None, True)]


def test_a_visitor_linked_by_phone_to_too_many_leads_is_a_shared_id(query) -> None:
    assert query("select reason from intermediate.int_visitors_flagged where client_id = 'vshared'") == [
        ("leads_per_visitor",)]
    # the leads fall back to the next match method: no visitor, no UTM of their own
    assert query("select match_method, count(*) from marts.fct_leads where lead_id like 'S%' group by 1") == [
        ("unmatched", SHARED_CALLERS)]


def test_the_first_of_two_deals_won_at_once_is_the_lower_id(query) -> None:
    assert query("select deal_id, is_new_customer from marts.fct_deals where deal_id in ('9', '10') "
                 "order by deal_id") == [("10", False), ("9", True)]


def test_a_contact_without_phone_or_e_mail_is_one_customer_of_its_lead_and_its_deal_without_one(query) -> None:
    """C7 has only a name. Its lead L11 and deal 20 from it (200 UAH, won 15 September) and its deal
    21 without a lead (400 UAH, won 3 October) all take the contact's id as key: one new customer,
    whose second deal is a repeat sale in its September cohort (L11's channel, Email: no other
    customer), not a second customer of October."""
    key = "contact:bitrix24:C7"
    assert query("select contact_key from intermediate.int_leads where lead_id = 'L11'") == [(key,)]
    assert query("select d.deal_id, i.contact_key, d.is_new_customer, d.is_repeat_sale from marts.fct_deals as d "
                 "join intermediate.int_deals as i using (crm_source, deal_id) where d.deal_id in ('20', '21') "
                 "order by 1") == [("20", key, True, False), ("21", key, False, True)]
    assert query("select cohort_month, months_since, customers, repeat_customers, revenue from marts.mart_cohorts "
                 "where acquisition_channel = 'Email' order by 1, 2") == [
        (date(2026, 9, 1), 0, 1, 0, pytest.approx(200)), (date(2026, 9, 1), 1, 1, 1, pytest.approx(400))]


def test_a_won_deal_without_a_close_date_counts_on_its_creation_day(query) -> None:
    """D5 (50 USD, no close date, created 2026-09-20 at the day's rate 42) is won on that day, so
    every model's attributed revenue and won deals still add up to the deals' (conservation)."""
    assert query("select won_date, closed_date, revenue from marts.fct_deals where deal_id = 'D5'") == [
        (date(2026, 9, 20), date(2026, 9, 20), pytest.approx(50 * 42))]
    won = query("select count(*), sum(revenue) from marts.fct_deals where is_won")[0]
    assert query("select attribution_model, sum(deals_won), sum(revenue) from marts.mart_channel_performance "
                 "group by 1 order by 1") == [
        (model, pytest.approx(won[0]), pytest.approx(won[1]))
        for model in sorted(ATTRIBUTION_MODELS)]


def test_an_uneven_cost_spreads_to_its_exact_amount(query) -> None:
    # 6 000 over 7 days: six days of 857.142857 and a last day of 857.142858
    assert query("select count(*), cast(sum(spend) as text), cast(max(spend) as text) from marts.fct_ad_spend "
                 "where campaign_id = 'influencer_sept'") == [(7, "6000.000000", "857.142858")]


def test_a_google_display_campaign_is_paid_search_spend(query) -> None:
    assert query("select channel, sum(spend) from marts.fct_ad_spend where campaign_id = '103' group by 1") == [
        ("Paid Search", pytest.approx(250))]


def test_a_cohort_from_a_channel_without_spend_costs_nothing(query) -> None:
    # D4: cohort September, first touch Referral, no spend: CAC 0 / 1 = 0, LTV over CAC undefined;
    # October (the latest won deal's month, D3) has no sale of this cohort: revenue 0, LTV stays
    assert query("select months_since, customers, revenue, cumulative_revenue, ltv, cac, ltv_to_cac "
                 "from marts.mart_cohorts where cohort_month = date '2026-09-01' "
                 "and acquisition_channel = 'Referral' order by months_since") == [
        (0, 1, pytest.approx(300), pytest.approx(300), pytest.approx(300), pytest.approx(0), None),
        (1, 1, pytest.approx(0), pytest.approx(300), pytest.approx(300), pytest.approx(0), None)]


def test_revenue_is_on_the_deal_paths_only(query) -> None:
    counted = ("select count(*) > 0, count(revenue) = 0, count(revenue) = count(*) from marts.mart_touch_paths "
               "where conversion_type = ")
    assert query(counted + "'lead'") == [(True, True, False)]
    assert query(counted + "'deal'") == [(True, False, True)]


def test_two_crms_giving_two_people_one_manager_id_keep_them_apart(query) -> None:
    """Bitrix24's user 1 is Olena Petrenko (the golden leads of manager 1, L8 and the shared
    callers' leads); the CRM file's manager 1 is Anna Koval (F1, F2): each keeps her own leads
    under her own name."""
    assert query("select crm_source, manager_name from marts.dim_manager where manager_id = '1' order by 1") == [
        ("bitrix24", "Olena Petrenko"), ("crm_file", "Anna Koval")]
    assert query("select manager_name, sum(leads_assigned) from marts.mart_manager_performance "
                 "where manager_id = '1' group by 1 order by 1") == [
        ("Anna Koval", 2), ("Olena Petrenko", BITRIX_LEADS_OF_USER_1)]


def test_a_dynamic_number_call_without_a_client_id_is_still_a_website_call(query) -> None:
    """The number carried visitors' client ids on other calls, so it is dynamic: the call has no
    session to take a source from and is Direct, not the number's pool name as an offline source."""
    assert query("select number_type, utm_source, utm_medium, channel from marts.fct_calls "
                 "where call_id = 'NOCOOKIE'") == [("dynamic", "(direct)", "(none)", "Direct")]


def test_a_call_agent_no_crm_user_matches_is_published_without_their_e_mail(query) -> None:
    """An unknown agent's e-mail became the call-quality mart's manager id, and the contact-data
    guard then stopped every export and the BI publication."""
    assert query("select manager_id from marts.fct_calls where call_id = 'AGENT'") == [("reception",)]
    managers = pd.DataFrame(query("select distinct manager_id from marts.mart_call_quality"), columns=["manager_id"])
    assert "reception" in set(managers["manager_id"])
    check_no_contact_data("mart_call_quality", managers)


def test_a_manual_cost_past_the_last_rate_is_converted_at_that_rate(query) -> None:
    # 400 USD over 30 October to 2 November: 100 USD a day at 41 UAH, November at 31 October's rate
    assert query("select spend_date, spend from marts.fct_ad_spend where platform = 'manual' "
                 "and currency = 'USD' order by 1") == [
        (date(2026, 10, day), pytest.approx(4100)) for day in (30, 31)] + [
        (date(2026, 11, day), pytest.approx(4100)) for day in (1, 2)]


def test_campaigns_named_alike_leave_a_tags_visits_to_its_channels_campaign(query) -> None:
    """Meta's "Leads Broad", a Google Ads search campaign and a manual fee of the same name: the
    facebook / cpc visits are reported under Meta's campaign (by platform name, Google's took them),
    and the other two are still tagged: not spend without sessions."""
    assert query("select platform, campaign_id, matched_by_id, is_chosen from intermediate.int_campaign_matches "
                 "where utm_campaign = 'leads broad' and channel = 'Paid Social' order by is_chosen desc, 1") == [
        ("meta_ads", "201", False, True), ("google_ads", "104", False, False), ("manual", "leads broad", False, False)]
    assert query("select platform, campaign_id from marts.mart_campaign_performance where sessions > 0 "
                 "and campaign_name like 'Leads Broad%' group by 1, 2") == [("meta_ads", "201")]
    # that day's Google Ads spend no visit carries is the display campaign's 250 alone
    assert query("select sum(spend_without_sessions) from marts.mart_data_health "
                 "where source = 'google_ads' and date = '2026-09-01'") == [(250,)]
    assert query("select sum(spend_without_sessions) from marts.mart_data_health "
                 "where source = 'manual_costs' and date between '2026-10-30' and '2026-11-02'") == [(0,)]


def test_a_google_ads_click_exported_as_organic_is_paid_search(query) -> None:
    """A gclid is Google Ads auto-tagging whatever medium GA4 exported; GA's "(organic)" is no campaign."""
    assert query("select client_id, utm_source, utm_medium, utm_campaign, channel from marts.fct_sessions "
                 "where client_id in ('vgclid', 'vorganic') order by 1") == [
        ("vgclid", "google", "cpc", None, "Paid Search"), ("vorganic", "google", "organic", None, "Organic Search")]


def test_an_e_mail_address_in_a_utm_never_reaches_the_marts(query) -> None:
    """A mailing's merge tag put the reader's address in utm_campaign: it reached fct_sessions and
    the campaign marts, and the publication refused every mart (and every run after) for it."""
    assert query("select utm_campaign, channel from marts.fct_sessions where client_id = 'vmailed'") == [
        ("(e-mail removed)", "Email")]
    assert query("select count(*) from marts.mart_campaign_performance where campaign_name like '%@%'") == [(0,)]


def test_sources_as_real_links_give_them_get_ga4s_channels(query) -> None:
    assert query("select utm_source, utm_medium, channel from marts.fct_sessions where client_id like 'vstyle%' "
                 "order by ga_session_id") == GA4_STYLE_SOURCES  # vstyle0 to vstyle17


def test_crm_file_managers_named_without_an_id_are_managers(query) -> None:
    """F3 and F4 name Ivan Bondar, spelled two ways, and his won deal FD1 (1 000 UAH) names him
    as F3 does: one manager with two leads and the deal, not '(unassigned)'. Olha Shevchenko is
    named by the lost deal FD2 only."""
    assert query("select manager_name, count(distinct manager_id), sum(leads_assigned), sum(deals_won), "
                 "sum(deals_lost), sum(revenue) from marts.mart_manager_performance "
                 "where manager_name in ('Ivan Bondar', 'Olha Shevchenko') group by 1 order by 1") == [
        ("Ivan Bondar", 1, 2, 1, 0, pytest.approx(1000)), ("Olha Shevchenko", 1, 0, 0, 1, pytest.approx(0))]
    assert query("select manager_name from marts.dim_manager where crm_source = 'crm_file' order by 1") == [
        ("Anna Koval",), ("Ivan Bondar",), ("Olha Shevchenko",)]


def test_the_data_apis_sessions_count_on_the_days_the_export_has_none(query) -> None:
    def sessions(day: str) -> list[tuple]:
        return query("select channel, sessions from marts.mart_channel_performance where attribution_model = "
                     f"'linear' and sessions > 0 and date = date '{day}' order by 1")
    assert sessions("2026-10-20") == [("Organic Search", 5), ("Paid Social", 4 + 3)]
    exported = query("select channel, count(*) from marts.fct_sessions where session_date = date '2026-09-04' "
                     "group by 1 order by 1")
    assert exported and sessions("2026-09-04") == exported
    assert query("select platform, campaign_id, sum(sessions) from marts.mart_campaign_performance "
                 "where date = date '2026-10-20' and attribution_model = 'linear' and sessions > 0 group by 1, 2") == [
        ("meta_ads", "201", 7)]
