"""A deterministic synthetic services business (an interior-design studio in Kyiv).

Same `BusinessParams` -> identical tables. Sessions are drawn with numpy in bulk, so millions
of them take seconds. The mess is on purpose, as in real accounts:
- UTM values in mixed case, with spaces and URL-encoding (`Leads%20Broad`, `+`), and
  `utm_campaign` sometimes the campaign id, sometimes its name;
- leads without any tag, form leads that did not pass the client id, call leads that only
  carry a phone; duplicate leads minutes apart and "test" leads (managers mark both JUNK);
- phones typed in several formats, e-mails in mixed case;
- the last 3 days of ad stats are restated (`ad_stats_initial` holds the first figures);
- two bot ids with > 50 sessions a day and an office PC id behind > 20 test leads;
- Kyiv time with its DST switch; all timestamps are stored in UTC.

`python -m ingestion.sandbox.generator --days 90 --visitors-per-day 300 --out DIR`
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ingestion.sandbox.business import Business, load_business  # noqa: F401 (public API)

TZ = "Europe/Kyiv"
GOOGLE_ACCOUNT, META_ACCOUNT = "1234567890", "7012345678"
EMPTY = ""


@dataclass(frozen=True)
class BusinessParams:
    seed: int = 42
    start_date: date = date(2026, 8, 1)
    days: int = 90
    visitors_per_day: int = 300
    # The chance that a session turns its visitor into a lead (each visitor converts at most
    # once), and the share of leads the sales team converts into a deal. The defaults make a
    # dense business, so that a few weeks of a small site already show every channel and
    # manager at work; the benchmark uses a typical one (bench.stages._params).
    lead_rate: float = 0.045
    deal_rate: float = 0.35


# platform, campaign id, name, channel type, utm_campaign form ("id" or "name")
CAMPAIGNS = [
    ("google_ads", "101001", "Search | Brand | UA", "SEARCH", "id"),
    ("google_ads", "101002", "Search | Interior design | Kyiv", "SEARCH", "name"),
    ("google_ads", "101003", "YouTube | Portfolio", "VIDEO", "id"),
    ("meta_ads", "120201", "UA | Leads | Broad", "OUTCOME_LEADS", "name"),
    ("meta_ads", "120202", "UA | Retargeting", "OUTCOME_TRAFFIC", "name"),
]
AUDIENCES = ["Kyiv 25-45", "Lookalike 1%"]
CREATIVES = ["video_v1", "carousel_a"]
KEYWORDS = [["interior design kyiv", "designer apartment"], ["дизайн інтер'єру", "ремонт під ключ"]]
WEBINAR_TOPICS = [("pricing", "ivanenko"), ("small-kitchens", "shevchenko"), ("lighting", "bondar")]

# Organic traffic types: (source, medium, weight). Paid types are added per campaign below.
ORGANIC = [
    ("youtube", "referral", 0.03),
    ("google", "organic", 0.11),
    ("bing", "organic", 0.02),
    ("facebook", "social", 0.025),
    ("instagram", "social", 0.03),
    ("linkedin", "social", 0.01),
    ("tiktok", "social", 0.015),
    ("newsletter", "email", 0.05),
    ("telegram", "messenger", 0.02),
    ("whatsapp", "messenger", 0.01),
    ("viber", "messenger", 0.01),
    ("webinar", "webinar", 0.04),
    ("otzyvy.ua", "referral", 0.02),
    ("clutch.co", "referral", 0.02),
    ("instagram", "influencer", 0.02),
    ("tiktok", "influencer", 0.01),
    ("(direct)", "(none)", 0.17),
]
PAID_WEIGHT = {"101001": 0.07, "101002": 0.08, "101003": 0.05, "120201": 0.09, "120202": 0.06}
MANAGERS = [  # id, name, last name, profile
    (1, "Olena", "Petrenko", "fast"),
    (2, "Taras", "Koval", "slow"),
    (3, "Iryna", "Melnyk", "junk_dumper"),
    (4, "Andrii", "Bondarenko", "misses_calls"),
]
STATIC_NUMBERS = [
    ("+380442000001", "Billboard Kyiv", "billboard", "offline", "billboard_kyiv"),
    ("+380442000002", "Flyers Podil", "flyer", "offline", "flyers_podil"),
]
DYNAMIC_NUMBERS = ["+380441000001", "+380441000002", "+380441000003"]


def generate_business(params: BusinessParams) -> Business:
    return _Generator(params).build()


class _Generator:
    def __init__(self, params: BusinessParams) -> None:
        self.p = params
        self.rng = np.random.default_rng(np.random.SeedSequence(params.seed))
        self.start = pd.Timestamp(params.start_date)
        self.end = self.start + pd.Timedelta(days=params.days)

    # -- helpers -----------------------------------------------------------------------------
    def local_to_utc(self, local: pd.Series) -> pd.Series:
        return (
            pd.to_datetime(local)
            .dt.tz_localize(TZ, nonexistent="shift_forward", ambiguous=False)
            .dt.tz_convert("UTC")
        )

    def utc_local_date(self, utc: pd.Series) -> pd.Series:
        return pd.to_datetime(utc, utc=True).dt.tz_convert(TZ).dt.date

    def messy(self, values: pd.Series) -> pd.Series:
        """Mixed case, stray spaces and URL-encoding, as UTMs arrive from real links."""
        draw = self.rng.random(len(values))
        out = values.astype(object).copy()
        text = values.fillna(EMPTY).astype(str)
        out[draw < 0.15] = text[draw < 0.15].str.upper()
        mid = (draw >= 0.15) & (draw < 0.25)
        out[mid] = " " + text[mid].str.title() + " "
        enc = (draw >= 0.25) & (draw < 0.40)
        out[enc] = (
            text[enc].str.replace(" ", "%20", regex=False).str.replace("|", "%7C", regex=False)
        )
        out[values.isna()] = None
        return out

    # -- the accounts --------------------------------------------------------------------------
    def catalogue(self) -> None:
        self.ad_accounts = pd.DataFrame(
            [
                ("google_ads", GOOGLE_ACCOUNT, "Studio Kyiv — Google Ads", "UAH", TZ),
                ("meta_ads", META_ACCOUNT, "Studio Kyiv — Meta", "USD", TZ),
            ],
            columns=["platform", "account_id", "account_name", "currency", "time_zone"],
        )
        campaigns, groups, ads, keywords = [], [], [], []
        for platform, cid, name, ctype, form in CAMPAIGNS:
            account = GOOGLE_ACCOUNT if platform == "google_ads" else META_ACCOUNT
            utm = cid if form == "id" else name
            suffix = (
                f"utm_source=google&utm_medium={'cpv' if ctype == 'VIDEO' else 'cpc'}"
                "&utm_campaign={campaignid}"
                if platform == "google_ads"
                else None
            )
            campaigns.append(
                (platform, account, cid, name, ctype, "ENABLED", "{lpurl}", suffix, utm)
            )
            for g in range(2):
                gid = f"{cid}{g + 1:02d}"
                gname = (
                    AUDIENCES[g]
                    if platform == "meta_ads"
                    else f"{name.split('|')[-1].strip()} {g + 1}"
                )
                groups.append((platform, account, cid, gid, gname))
                for a in range(2):
                    aid = f"{gid}{a + 1:02d}"
                    aname = CREATIVES[a] if platform == "meta_ads" else f"rsa_{a + 1}"
                    tags = (
                        (
                            "utm_source=facebook&utm_medium=cpc&utm_campaign={{campaign.name}}"
                            "&utm_content={{ad.id}}&utm_term={{adset.name}}"
                        )
                        if platform == "meta_ads"
                        else None
                    )
                    ads.append(
                        (
                            platform,
                            account,
                            cid,
                            gid,
                            aid,
                            aname,
                            "ENABLED",
                            "https://studio.example.ua/",
                            "{lpurl}",
                            suffix,
                            tags,
                            f"cr{aid}",
                            aid,
                        )
                    )
                if ctype == "SEARCH":
                    for k, text in enumerate(KEYWORDS[g]):
                        keywords.append((account, cid, gid, f"{gid}{k + 1:03d}", text, "PHRASE"))
        self.campaigns = pd.DataFrame(
            campaigns,
            columns=[
                "platform",
                "account_id",
                "campaign_id",
                "campaign_name",
                "channel_type",
                "status",
                "tracking_url_template",
                "final_url_suffix",
                "utm_campaign",
            ],
        )
        self.ad_groups = pd.DataFrame(
            groups,
            columns=["platform", "account_id", "campaign_id", "ad_group_id", "ad_group_name"],
        )
        self.ads = pd.DataFrame(
            ads,
            columns=[
                "platform",
                "account_id",
                "campaign_id",
                "ad_group_id",
                "ad_id",
                "ad_name",
                "status",
                "final_url",
                "tracking_url_template",
                "final_url_suffix",
                "url_tags",
                "creative_id",
                "utm_content",
            ],
        )
        self.keywords = pd.DataFrame(
            keywords,
            columns=[
                "account_id",
                "campaign_id",
                "ad_group_id",
                "criterion_id",
                "keyword_text",
                "match_type",
            ],
        )

    # -- visitors and sessions -----------------------------------------------------------------
    def traffic_types(self) -> pd.DataFrame:
        rows = [(s, m, None, None, None, w) for s, m, w in ORGANIC]
        for _, ad in self.ads.iterrows():
            campaign = self.campaigns.set_index("campaign_id").loc[ad.campaign_id]
            weight = PAID_WEIGHT[ad.campaign_id] / 4
            if ad.platform == "google_ads":
                medium = "cpv" if campaign.channel_type == "VIDEO" else "cpc"
                source = "youtube" if medium == "cpv" else "google"
                group_keywords = self.keywords[self.keywords.ad_group_id == ad.ad_group_id]
                term = group_keywords.keyword_text.iloc[0] if len(group_keywords) else None
            else:
                source, medium = ("facebook" if ad.ad_id.endswith("1") else "instagram"), "cpc"
                term = self.ad_groups.set_index("ad_group_id").loc[ad.ad_group_id].ad_group_name
            rows.append((source, medium, ad.ad_id, campaign.utm_campaign, term, weight))
        frame = pd.DataFrame(
            rows, columns=["source", "medium", "ad_id", "campaign", "term", "weight"]
        )
        frame["weight"] /= frame["weight"].sum()
        return frame

    def sessions_frame(self) -> pd.DataFrame:
        p, rng = self.p, self.rng
        n_visitors = p.visitors_per_day * p.days
        first_day = rng.integers(0, p.days, n_visitors)
        n_sessions = rng.geometric(0.45, n_visitors) + (rng.random(n_visitors) < 0.3)
        visitor = np.repeat(np.arange(n_visitors), n_sessions)
        first_index = np.r_[0, np.cumsum(n_sessions)[:-1]]
        order = np.arange(len(visitor)) - np.repeat(first_index, n_sessions)
        gaps = np.where(order == 0, 0.0, rng.exponential(6.0, len(visitor)))  # days between visits
        running = np.cumsum(gaps)
        day_offset = first_day[visitor] + running - np.repeat(running[first_index], n_sessions)
        seconds = rng.integers(8 * 3600, 22 * 3600, len(visitor))
        keep = day_offset < p.days
        visitor, order, day_offset, seconds = (
            visitor[keep],
            order[keep],
            day_offset[keep],
            seconds[keep],
        )
        local = (
            self.start
            + pd.to_timedelta(np.floor(day_offset), unit="D")
            + pd.to_timedelta(seconds, unit="s")
        )
        types = self.traffic_types()
        kind = rng.choice(len(types), size=len(visitor), p=types["weight"].to_numpy())
        t = types.iloc[kind].reset_index(drop=True)
        client_ids = np.char.add(
            np.char.add(rng.integers(10**9, 2 * 10**9, n_visitors).astype(str), "."),
            (1_700_000_000 + np.arange(n_visitors)).astype(str),
        )
        frame = pd.DataFrame(
            {
                "visitor": visitor,
                "client_id": client_ids[visitor],
                "started_at": self.local_to_utc(pd.Series(local)),
                "source": t["source"],
                "medium": t["medium"],
                "campaign": t["campaign"],
                "content": t["ad_id"],
                "term": t["term"],
                "ad_id": t["ad_id"],
            }
        )
        webinar = frame["medium"] == "webinar"
        frame.loc[webinar, "campaign"] = self.webinar_campaign(frame.loc[webinar, "started_at"])
        email = frame["medium"] == "email"
        frame.loc[email, "campaign"] = "newsletter_" + frame.loc[email, "started_at"].dt.strftime(
            "%Y_%m"
        )
        influencer = frame["medium"] == "influencer"
        frame.loc[influencer, "campaign"] = "influencer_" + frame.loc[influencer, "source"]
        direct = frame["source"] == "(direct)"
        frame.loc[direct, ["source", "medium"]] = None
        frame["gclid"] = np.where(
            frame["source"].eq("google") & frame["medium"].eq("cpc"),
            "Cj0KCQ" + pd.Series(rng.integers(10**8, 10**9, len(frame))).astype(str),
            None,
        )
        for column in ("source", "campaign", "content", "term"):
            frame[column] = self.messy(frame[column])
        return frame

    def webinar_campaign(self, started: pd.Series) -> pd.Series:
        index = (
            started.dt.tz_convert(TZ).dt.normalize().dt.tz_localize(None) - self.start
        ).dt.days // 14
        webinar_day = self.start + pd.to_timedelta(index * 14 + 3, unit="D")
        topic = index % len(WEBINAR_TOPICS)
        names = [f"{t[0]}_{t[1]}" for t in WEBINAR_TOPICS]
        return (
            "webinar_"
            + webinar_day.dt.strftime("%Y-%m-%d")
            + "_"
            + topic.map(dict(enumerate(names)))
        )

    def add_bots(self, sessions: pd.DataFrame) -> pd.DataFrame:
        bots = []
        for b in range(2):
            day = self.start + pd.Timedelta(days=int(self.rng.integers(0, self.p.days)))
            local = day + pd.to_timedelta(
                np.sort(self.rng.choice(86000, 60, replace=False)), unit="s"
            )
            bots.append(
                pd.DataFrame(
                    {
                        "visitor": -1 - b,
                        "client_id": f"99999999{b:02d}.1000000000",
                        "started_at": self.local_to_utc(pd.Series(local)),
                        "source": "google",
                        "medium": "organic",
                    }
                )
            )
        office_days = (
            self.start + pd.to_timedelta(np.arange(self.p.days), unit="D") + pd.Timedelta(hours=9)
        )
        office = pd.DataFrame(
            {
                "visitor": -10,
                "client_id": "5555555555.1555555555",
                "started_at": self.local_to_utc(pd.Series(office_days)),
            }
        )
        frame = pd.concat([sessions, *bots, office], ignore_index=True)
        frame["is_bot"] = frame["visitor"] < 0
        return frame

    # -- the CRM -----------------------------------------------------------------------------------
    def phone(self, n: int) -> np.ndarray:
        operators = self.rng.choice(["67", "50", "63", "93", "97", "66"], n)
        return np.char.add(
            np.char.add("+380", operators), self.rng.integers(10**6, 10**7, n).astype(str)
        )

    def typed_phone(self, e164: pd.Series) -> pd.Series:
        digits = e164.str[1:]
        style = self.rng.integers(0, 4, len(e164))
        local = (
            "0"
            + digits.str[3:5]
            + " "
            + digits.str[5:8]
            + " "
            + digits.str[8:10]
            + " "
            + digits.str[10:]
        )
        spaced = (
            "+38 (0"
            + digits.str[3:5]
            + ") "
            + digits.str[5:8]
            + "-"
            + digits.str[8:10]
            + "-"
            + digits.str[10:]
        )
        return pd.Series(
            np.select([style == 0, style == 1, style == 2], [e164, digits, local], spaced),
            index=e164.index,
        )

    # -- leads, calls, deals -----------------------------------------------------------------
    def crm(self, sessions: pd.DataFrame) -> None:
        rng = self.rng
        people = sessions[~sessions["is_bot"]].copy()
        # each visitor converts at most once, at one of its sessions (later ones more likely)
        people["u"] = rng.random(len(people))
        converting = people[people["u"] < self.p.lead_rate].drop_duplicates("client_id")
        n = len(converting)
        by_call = rng.random(n) < 0.3
        created = converting["started_at"].reset_index(drop=True) + pd.to_timedelta(
            rng.integers(60, 1200, n), unit="s"
        )
        leads = pd.DataFrame(
            {
                "created_at": pd.to_datetime(created, utc=True),
                "client_id": converting["client_id"].to_numpy(),
                "session_client": converting["client_id"].to_numpy(),
                "utm_source": converting["source"].to_numpy(),
                "utm_medium": converting["medium"].to_numpy(),
                "utm_campaign": converting["campaign"].to_numpy(),
                "utm_content": converting["content"].to_numpy(),
                "utm_term": converting["term"].to_numpy(),
                "by_call": by_call,
                "number_type": "dynamic",
            }
        )
        untagged = rng.random(n) < 0.08
        leads.loc[
            untagged, ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"]
        ] = None
        no_client = (rng.random(n) < 0.12) | by_call & (rng.random(n) < 0.6)
        leads.loc[no_client, "client_id"] = None
        # offline callers of the static numbers (billboard, flyers): no visitor, no UTM
        n_offline = max(1, self.p.days * self.p.visitors_per_day // 400)
        offline_day = rng.integers(0, self.p.days, n_offline)
        offline_local = (
            self.start
            + pd.to_timedelta(offline_day, unit="D")
            + pd.to_timedelta(rng.integers(9 * 3600, 20 * 3600, n_offline), unit="s")
        )
        offline = pd.DataFrame(
            {
                "created_at": self.local_to_utc(pd.Series(offline_local)),
                "client_id": None,
                "session_client": None,
                "by_call": True,
                "number_type": "static",
            }
        )
        offline["static_index"] = rng.integers(0, len(STATIC_NUMBERS), n_offline)
        # the office PC: 22 test leads from one client id
        office_local = (
            self.start
            + pd.to_timedelta(np.linspace(0, self.p.days - 1, 22).astype(int), unit="D")
            + pd.Timedelta(hours=11)
        )
        office = pd.DataFrame(
            {
                "created_at": self.local_to_utc(pd.Series(office_local)),
                "client_id": "5555555555.1555555555",
                "session_client": None,
                "by_call": False,
                "number_type": "dynamic",
                "is_test": True,
            }
        )
        leads = pd.concat([leads, offline, office], ignore_index=True)
        utm = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"]
        leads[utm] = (
            leads[utm].astype(object).where(leads[utm].notna(), None)
        )  # rows without UTMs: None, not NaN
        leads["is_test"] = leads["is_test"].astype("boolean").fillna(False).astype(bool)
        leads = leads[leads["created_at"] < self.local_to_utc(pd.Series([self.end])).iloc[0]]
        leads = leads.sort_values("created_at", kind="stable").reset_index(drop=True)
        m = len(leads)
        phones = pd.Series(self.phone(m))
        repeat = (rng.random(m) < 0.08) & (np.arange(m) > 10)
        earlier = (rng.random(m) * np.arange(m)).astype(int)
        phones[repeat] = phones.to_numpy()[earlier[repeat]]
        leads["phone_e164"] = phones
        # duplicates: the same person again 2-10 minutes later
        dup_source = leads[(rng.random(m) < 0.03) & ~leads["is_test"]].copy()
        dup_source["created_at"] += pd.to_timedelta(
            rng.integers(120, 600, len(dup_source)), unit="s"
        )
        dup_source["is_duplicate"] = True
        dup_source["by_call"] = False
        leads = pd.concat([leads, dup_source], ignore_index=True).sort_values(
            "created_at", kind="stable"
        )
        leads = leads.reset_index(drop=True)
        leads["is_duplicate"] = leads["is_duplicate"].astype("boolean").fillna(False).astype(bool)
        m = len(leads)
        leads["lead_id"] = np.arange(1001, 1001 + m)
        leads["manager_id"] = rng.integers(1, len(MANAGERS) + 1, m)
        profile = leads["manager_id"].map({mid: prof for mid, *_, prof in MANAGERS})
        response_minutes = np.where(
            profile == "slow", rng.uniform(120, 600, m), rng.uniform(3, 45, m)
        )
        leads["responded_at"] = leads["created_at"] + pd.to_timedelta(response_minutes, unit="m")
        junk_rate = np.where(profile == "junk_dumper", 0.35, 0.12)
        outcome = rng.random(m)
        status = np.where(
            outcome < junk_rate,
            "JUNK",
            np.where(outcome < junk_rate + self.p.deal_rate, "CONVERTED", "IN_PROCESS"),
        )
        status[(leads["is_test"] | leads["is_duplicate"]).to_numpy()] = "JUNK"
        end_utc = self.local_to_utc(pd.Series([self.end])).iloc[0]
        leads["closed_at"] = leads["responded_at"] + pd.to_timedelta(
            rng.uniform(1, 72, m), unit="h"
        )
        unanswered = leads["responded_at"] >= end_utc
        status[unanswered.to_numpy()] = "NEW"
        late = (leads["closed_at"] >= end_utc).to_numpy() & (status != "NEW")
        status[late & (status != "IN_PROCESS")] = "IN_PROCESS"
        leads["status_id"] = status
        leads["status_semantic"] = (
            pd.Series(status).map({"JUNK": "F", "CONVERTED": "S"}).fillna("P").to_numpy()
        )
        leads["title"] = np.where(
            leads["is_test"], "test", np.where(leads["by_call"], "Дзвінок", "Заявка з сайту")
        )
        leads["source_id"] = np.where(leads["by_call"], "CALL", "WEB")
        leads["email"] = np.where(
            rng.random(m) < 0.6, "Client" + leads["lead_id"].astype(str) + "@Example.UA", None
        )
        leads["name"] = "Client " + leads["lead_id"].astype(str)
        contact_of_phone = {ph: i + 5001 for i, ph in enumerate(pd.unique(leads["phone_e164"]))}
        leads["contact_id"] = leads["phone_e164"].map(contact_of_phone)
        leads["modified_at"] = np.where(
            status == "NEW",
            leads["created_at"],
            np.where(
                np.isin(status, ["JUNK", "CONVERTED"]), leads["closed_at"], leads["responded_at"]
            ),
        )
        leads["modified_at"] = pd.to_datetime(leads["modified_at"], utc=True)
        leads["opportunity"] = 0.0
        leads["currency"] = "UAH"
        self.leads_internal = leads
        self.calls_from(leads)
        self.history_from(leads)
        self.deals_from(leads)

    def calls_from(self, leads: pd.DataFrame) -> None:
        rng = self.rng
        callers = leads[leads["by_call"]]
        n = len(callers)
        manager = callers["manager_id"].to_numpy()
        miss_rate = np.where(manager == 4, 0.55, 0.12)
        answered = rng.random(n) >= miss_rate
        static = callers["number_type"].eq("static").to_numpy()
        static_index = callers["static_index"].fillna(0).astype(int).to_numpy()
        tracking = np.where(
            static,
            np.array([s[0] for s in STATIC_NUMBERS])[static_index],
            rng.choice(DYNAMIC_NUMBERS, n),
        )
        pool = np.where(static, np.array([s[1] for s in STATIC_NUMBERS])[static_index], "Website")
        started = callers["created_at"] - pd.to_timedelta(rng.integers(30, 300, n), unit="s")
        inbound = pd.DataFrame(
            {
                "started_at": started.to_numpy(),
                "direction": "in",
                "answered": answered,
                "disposition": np.where(answered, "ANSWERED", "NO ANSWER"),
                "wait_seconds": np.where(answered, rng.integers(3, 40, n), rng.integers(15, 60, n)),
                "talk_seconds": np.where(answered, rng.integers(40, 600, n), 0),
                "caller_phone": callers["phone_e164"].str[1:].to_numpy(),
                "tracking_number": [t[1:] for t in tracking],
                "number_type": np.where(static, "static", "dynamic"),
                "pool_name": pool,
                "client_id": np.where(static, None, callers["session_client"].to_numpy()),
                "utm_source": np.where(static, None, callers["utm_source"].to_numpy()),
                "utm_medium": np.where(static, None, callers["utm_medium"].to_numpy()),
                "utm_campaign": np.where(static, None, callers["utm_campaign"].to_numpy()),
                "utm_content": np.where(static, None, callers["utm_content"].to_numpy()),
                "utm_term": np.where(static, None, callers["utm_term"].to_numpy()),
                "manager_id": manager,
            }
        )
        missed = inbound[~inbound["answered"]]
        k = len(missed)
        delay = np.select(
            [rng.random(k) < 0.5, rng.random(k) < 0.7],
            [rng.uniform(5, 60, k), rng.uniform(60, 1400, k)],
            rng.uniform(1500, 3000, k),
        )
        called_back = rng.random(k) < 0.75
        back = missed[called_back].copy()
        back["started_at"] = back["started_at"] + pd.to_timedelta(delay[called_back], unit="m")
        back["direction"], back["answered"], back["disposition"] = "out", True, "ANSWERED"
        back["wait_seconds"], back["talk_seconds"] = 0, rng.integers(30, 300, len(back))
        calls = pd.concat([inbound, back], ignore_index=True)
        calls["started_at"] = pd.to_datetime(calls["started_at"], utc=True)
        calls = calls[calls["started_at"] < self.local_to_utc(pd.Series([self.end])).iloc[0]]
        calls = calls.sort_values("started_at", kind="stable").reset_index(drop=True)
        calls["duration_seconds"] = calls["wait_seconds"] + calls["talk_seconds"]
        calls["call_id"] = [
            f"{int(t.timestamp())}.{i:06d}" for i, t in enumerate(calls["started_at"])
        ]
        calls["landing_url"] = np.where(
            calls["number_type"] == "dynamic", "https://studio.example.ua/contacts", None
        )
        calls["recording_url"] = np.where(
            calls["answered"],
            "https://app.ringostat.com/recordings/" + calls["call_id"] + ".mp3",
            None,
        )
        self.calls = calls
        self.tracking_numbers = pd.DataFrame(
            [(n, "static", pool, s, m, c) for n, pool, s, m, c in STATIC_NUMBERS]
            + [(n, "dynamic", "Website", None, None, None) for n in DYNAMIC_NUMBERS],
            columns=["tracking_number", "number_type", "pool_name", "source", "medium", "campaign"],
        )

    def history_from(self, leads: pd.DataFrame) -> None:
        created = leads[["lead_id", "created_at"]].assign(
            type_id=1, status_id="NEW", status_semantic="P"
        )
        responded = (
            leads[leads["status_id"] != "NEW"][["lead_id", "responded_at"]]
            .rename(columns={"responded_at": "created_at"})
            .assign(type_id=2, status_id="IN_PROCESS", status_semantic="P")
        )
        final = leads[leads["status_id"].isin(["JUNK", "CONVERTED"])]
        closed = (
            final[["lead_id", "closed_at", "status_id", "status_semantic"]]
            .rename(columns={"closed_at": "created_at"})
            .assign(type_id=3)
        )
        history = (
            pd.concat([created, responded, closed], ignore_index=True)
            .sort_values(["created_at", "lead_id", "type_id"], kind="stable")
            .reset_index(drop=True)
        )
        history["history_id"] = np.arange(1, len(history) + 1)
        self.lead_status_history = history[
            ["history_id", "lead_id", "created_at", "type_id", "status_id", "status_semantic"]
        ]

    def deals_from(self, leads: pd.DataFrame) -> None:
        rng = self.rng
        end_utc = self.local_to_utc(pd.Series([self.end])).iloc[0]
        converted = leads[leads["status_id"] == "CONVERTED"]
        n = len(converted)
        deals = pd.DataFrame(
            {
                "lead_id": converted["lead_id"].to_numpy(),
                "contact_id": converted["contact_id"].to_numpy(),
                "created_at": converted["closed_at"].to_numpy(),
                "manager_id": converted["manager_id"].to_numpy(),
                "is_repeat": False,
            }
        )
        won = rng.random(n) < 0.55
        deals["closed_at"] = deals["created_at"] + pd.to_timedelta(rng.uniform(3, 25, n), unit="D")
        # repeat purchases: some winners buy again 1-5 weeks later, without a new lead
        again = deals[won & (rng.random(n) < 0.4)].copy()
        again["lead_id"], again["is_repeat"] = None, True
        again["created_at"] = again["closed_at"] + pd.to_timedelta(
            rng.uniform(5, 30, len(again)), unit="D"
        )
        again["closed_at"] = again["created_at"] + pd.to_timedelta(
            rng.uniform(1, 7, len(again)), unit="D"
        )
        deals["won"] = won
        again["won"] = True
        deals = pd.concat([deals, again], ignore_index=True)
        deals["created_at"] = pd.to_datetime(deals["created_at"], utc=True)
        deals["closed_at"] = pd.to_datetime(deals["closed_at"], utc=True)
        deals = (
            deals[deals["created_at"] < end_utc]
            .sort_values("created_at", kind="stable")
            .reset_index(drop=True)
        )
        k = len(deals)
        closed = (deals["closed_at"] < end_utc).to_numpy()
        deals["stage_id"] = np.where(~closed, "EXECUTING", np.where(deals["won"], "WON", "LOSE"))
        deals["stage_semantic"] = np.where(~closed, "P", np.where(deals["won"], "S", "F"))
        deals["closed"] = closed
        deals.loc[~closed, "closed_at"] = pd.NaT
        currency = rng.choice(["UAH", "USD", "EUR"], k, p=[0.8, 0.15, 0.05])
        uah = np.round(rng.lognormal(np.log(18000), 0.6, k), -2)
        deals["currency"] = currency
        deals["amount"] = np.round(
            np.where(currency == "USD", uah / 41.5, np.where(currency == "EUR", uah / 45.0, uah)), 2
        )
        deals["deal_id"] = np.arange(20001, 20001 + k)
        deals["title"] = "Проєкт " + deals["deal_id"].astype(str)
        deals["modified_at"] = deals["closed_at"].fillna(deals["created_at"])
        deals["lead_id"] = deals["lead_id"].astype("Int64")
        self.deals = deals[
            [
                "deal_id",
                "title",
                "lead_id",
                "contact_id",
                "created_at",
                "modified_at",
                "stage_id",
                "stage_semantic",
                "closed",
                "closed_at",
                "amount",
                "currency",
                "manager_id",
                "is_repeat",
            ]
        ]
        opened = self.deals[["deal_id", "created_at"]].assign(
            type_id=1, stage_id="NEW", stage_semantic="P"
        )
        finished = (
            self.deals[self.deals["closed"]][["deal_id", "closed_at", "stage_id", "stage_semantic"]]
            .rename(columns={"closed_at": "created_at"})
            .assign(type_id=3)
        )
        history = pd.concat([opened, finished], ignore_index=True).sort_values(
            ["created_at", "deal_id"], kind="stable"
        )
        history["history_id"] = np.arange(1, len(history) + 1)
        self.deal_stage_history = history[
            ["history_id", "deal_id", "created_at", "type_id", "stage_id", "stage_semantic"]
        ]

    # -- ad stats, costs, plan, rates ------------------------------------------------------------
    def ad_stats_from(self, sessions: pd.DataFrame) -> None:
        rng = self.rng
        paid = sessions[sessions["ad_id"].notna()].copy()
        paid["date"] = self.utc_local_date(paid["started_at"])
        counts = paid.groupby(["ad_id", "date"]).size()
        days = [d.date() for d in pd.date_range(self.start, self.end - pd.Timedelta(days=1))]
        grid = pd.MultiIndex.from_product([self.ads["ad_id"], days], names=["ad_id", "date"])
        stats = counts.reindex(grid, fill_value=0).rename("sessions").reset_index()
        stats = stats.merge(
            self.ads[["ad_id", "platform", "account_id", "campaign_id", "ad_group_id"]], on="ad_id"
        )
        stats = stats.merge(self.campaigns[["campaign_id", "channel_type"]], on="campaign_id")
        n = len(stats)
        stats["clicks"] = stats["sessions"] + rng.poisson(stats["sessions"] * 0.2 + 1)
        stats["impressions"] = (stats["clicks"] * rng.uniform(15, 40, n)).astype(
            np.int64
        ) + rng.integers(0, 50, n)
        cpc = np.select(
            [stats["platform"] == "meta_ads", stats["channel_type"] == "VIDEO"],
            [rng.uniform(1.5, 4.5, n), rng.uniform(10, 30, n)],
            rng.uniform(60, 160, n),
        )
        micros = (stats["clicks"] * cpc * 1_000_000).astype(np.int64)
        meta = stats["platform"] == "meta_ads"
        micros[meta] = (micros[meta] // 10_000) * 10_000  # whole cents
        stats["cost_micros"] = micros
        stats["conversions"] = np.round(stats["sessions"] * 0.05, 1)
        stats["leads"] = np.where(meta, rng.poisson(stats["sessions"] * 0.03), 0)
        columns = [
            "platform",
            "account_id",
            "campaign_id",
            "ad_group_id",
            "ad_id",
            "date",
            "impressions",
            "clicks",
            "cost_micros",
            "conversions",
            "leads",
        ]
        self.ad_stats = stats[columns].sort_values(["date", "ad_id"]).reset_index(drop=True)
        restated = self.ad_stats[self.ad_stats["date"] >= days[-3]].copy()
        restated["cost_micros"] = (restated["cost_micros"] * 0.92 // 10_000 * 10_000).astype(
            np.int64
        )
        restated["clicks"] = (restated["clicks"] - 1).clip(lower=0)
        self.ad_stats_initial = restated.reset_index(drop=True)
        search = (
            stats[stats["channel_type"] == "SEARCH"]
            .groupby(["account_id", "campaign_id", "ad_group_id", "date"], as_index=False)[
                ["impressions", "clicks", "cost_micros"]
            ]
            .sum()
        )
        share = rng.uniform(0.4, 0.7, len(search))
        parts = []
        for k, fraction in ((0, share), (1, None)):
            part = search.copy()
            for column in ("impressions", "clicks", "cost_micros"):
                first = (search[column] * share).astype(np.int64)
                part[column] = first if fraction is not None else search[column] - first
            part = part.merge(
                self.keywords.groupby("ad_group_id").nth(k)[["ad_group_id", "criterion_id"]],
                on="ad_group_id",
            )
            parts.append(part)
        self.keyword_stats = pd.concat(parts, ignore_index=True)[
            [
                "account_id",
                "campaign_id",
                "ad_group_id",
                "criterion_id",
                "date",
                "impressions",
                "clicks",
                "cost_micros",
            ]
        ]

    def costs_and_plan(self) -> None:
        last_day = (self.end - pd.Timedelta(days=1)).date()
        rows = []
        for month in pd.period_range(self.start, self.end - pd.Timedelta(days=1), freq="M"):
            first = max(month.start_time.date(), self.start.date())
            last = min(month.end_time.date(), last_day)
            n = (last - first).days + 1
            rows.append((first, last, "Organic Search", None, 1000.0 * n, "UAH", "SEO retainer"))
            rows.append((first, last, "Paid Search", None, 250.0 * n, "UAH", "Agency fee"))
        for index in range(self.p.days // 14 + 1):
            day = (self.start + pd.Timedelta(days=index * 14 + 3)).date()
            if day <= last_day:
                topic, speaker = WEBINAR_TOPICS[index % len(WEBINAR_TOPICS)]
                rows.append(
                    (
                        day,
                        day,
                        "Webinars",
                        f"webinar_{day}_{topic}_{speaker}",
                        4500.0,
                        "UAH",
                        f"Webinar '{topic}' with {speaker}",
                    )
                )
        for offset, network in ((10, "instagram"), (40, "tiktok")):
            first = (self.start + pd.Timedelta(days=offset)).date()
            if first <= last_day:
                last = min(first + timedelta(days=6), last_day)
                rows.append(
                    (
                        first,
                        last,
                        "Paid Social",
                        f"influencer_{network}",
                        6000.0,
                        "UAH",
                        f"Influencer post ({network})",
                    )
                )
        self.manual_costs = pd.DataFrame(
            rows,
            columns=[
                "date_from",
                "date_to",
                "channel",
                "campaign",
                "amount",
                "currency",
                "description",
            ],
        )
        plan = []
        for month in pd.period_range(self.start, self.end - pd.Timedelta(days=1), freq="M"):
            label = month.strftime("%Y-%m")
            plan += [
                (label, "Paid Search", None, 40000.0, "UAH"),
                (label, "Paid Search", "101001", 15000.0, "UAH"),
                (label, "Paid Social", None, 1200.0, "USD"),
                (label, "Organic Search", None, 30000.0, "UAH"),
                (label, "Webinars", None, 9000.0, "UAH"),
            ]
        self.budget_plan = pd.DataFrame(
            plan, columns=["month", "channel", "campaign_id", "planned_spend", "currency"]
        )

    def fx(self) -> None:
        days = pd.date_range(
            self.start - pd.Timedelta(days=40), self.end - pd.Timedelta(days=1)
        ).date
        frames = []
        for code, r030, txt, level in (
            ("USD", 840, "Долар США", 41.5),
            ("EUR", 978, "Євро", 45.0),
            ("PLN", 985, "Злотий", 10.4),
            ("GBP", 826, "Фунт стерлінгів", 52.0),
        ):
            walk = level * np.exp(np.cumsum(self.rng.normal(0, 0.002, len(days))))
            frames.append(
                pd.DataFrame(
                    {
                        "date": days,
                        "currency": code,
                        "r030": r030,
                        "txt": txt,
                        "rate": np.round(walk, 4),
                    }
                )
            )
        self.fx_rates = pd.concat(frames, ignore_index=True)

    # -- assembly and ground truth ------------------------------------------------------------
    def build(self) -> Business:
        self.catalogue()
        sessions = self.add_bots(self.sessions_frame())
        sessions["ga_session_id"] = (sessions["started_at"].astype("int64") // 10**9).astype(
            np.int64
        )
        sessions = (
            sessions.drop_duplicates(["client_id", "ga_session_id"])
            .sort_values(["started_at", "client_id"], kind="stable")
            .reset_index(drop=True)
        )
        sessions["ga_session_number"] = sessions.groupby("client_id").cumcount() + 1
        self.crm(sessions)
        self.ad_stats_from(sessions)
        self.costs_and_plan()
        self.fx()
        leads = self.leads_internal
        typed = self.typed_phone(leads["phone_e164"])
        contacts = leads.drop_duplicates("contact_id")[
            ["contact_id", "name", "phone_e164", "email", "created_at", "lead_id"]
        ]
        business = Business(
            ad_accounts=self.ad_accounts,
            campaigns=self.campaigns,
            ad_groups=self.ad_groups,
            ads=self.ads,
            keywords=self.keywords,
            ad_stats=self.ad_stats,
            ad_stats_initial=self.ad_stats_initial,
            keyword_stats=self.keyword_stats,
            sessions=self.session_table(sessions),
            form_submits=leads[leads["client_id"].notna() & ~leads["by_call"]].assign(
                ga_session_id=None, submitted_at=leads["created_at"]
            )[["client_id", "ga_session_id", "submitted_at", "lead_id"]],
            managers=pd.DataFrame(
                [
                    (
                        mid,
                        name,
                        last,
                        f"{name.lower()}@studio.example.ua",
                        True,
                        "Sales manager",
                        f"10{mid}",
                        profile,
                    )
                    for mid, name, last, profile in MANAGERS
                ],
                columns=[
                    "user_id",
                    "name",
                    "last_name",
                    "email",
                    "active",
                    "work_position",
                    "phone_extension",
                    "profile",
                ],
            ),
            statuses=pd.DataFrame(
                [
                    ("STATUS", "NEW", "Нова", "P", 10),
                    ("STATUS", "IN_PROCESS", "В роботі", "P", 20),
                    ("STATUS", "CONVERTED", "Якісний лід", "S", 60),
                    ("STATUS", "JUNK", "Неякісний лід", "F", 70),
                    ("DEAL_STAGE", "NEW", "Нова", "P", 10),
                    ("DEAL_STAGE", "PREPARATION", "Підготовка", "P", 20),
                    ("DEAL_STAGE", "EXECUTING", "В роботі", "P", 40),
                    ("DEAL_STAGE", "WON", "Угода успішна", "S", 60),
                    ("DEAL_STAGE", "LOSE", "Угода провалена", "F", 70),
                    ("SOURCE", "WEB", "Сайт", None, 10),
                    ("SOURCE", "CALL", "Дзвінок", None, 20),
                ],
                columns=["entity_id", "status_id", "name", "semantics", "sort"],
            ),
            contacts=pd.DataFrame(
                {
                    "contact_id": contacts["contact_id"].to_numpy(),
                    "name": contacts["name"].to_numpy(),
                    "last_name": None,
                    "phone": self.typed_phone(
                        contacts["phone_e164"].reset_index(drop=True)
                    ).to_numpy(),
                    "email": contacts["email"].to_numpy(),
                    "created_at": contacts["created_at"].to_numpy(),
                    "modified_at": contacts["created_at"].to_numpy(),
                    "lead_id": contacts["lead_id"].to_numpy(),
                }
            ),
            leads=leads.assign(phone=typed)[
                [
                    "lead_id",
                    "title",
                    "created_at",
                    "modified_at",
                    "status_id",
                    "status_semantic",
                    "source_id",
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    "utm_content",
                    "utm_term",
                    "client_id",
                    "phone",
                    "email",
                    "name",
                    "manager_id",
                    "contact_id",
                    "opportunity",
                    "currency",
                    "is_test",
                    "is_duplicate",
                    "closed_at",
                ]
            ],
            lead_status_history=self.lead_status_history,
            deals=self.deals,
            deal_stage_history=self.deal_stage_history,
            calls=self.calls[
                [
                    "call_id",
                    "started_at",
                    "direction",
                    "answered",
                    "disposition",
                    "wait_seconds",
                    "duration_seconds",
                    "talk_seconds",
                    "caller_phone",
                    "tracking_number",
                    "number_type",
                    "pool_name",
                    "client_id",
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    "utm_content",
                    "utm_term",
                    "landing_url",
                    "manager_id",
                    "recording_url",
                ]
            ],
            tracking_numbers=self.tracking_numbers,
            manual_costs=self.manual_costs,
            budget_plan=self.budget_plan,
            fx_rates=self.fx_rates,
            ground_truth=pd.DataFrame(),
            start_date=self.start.date(),
            end_date=self.end.date(),
        )
        business.ground_truth = ground_truth(business)
        return business

    def session_table(self, sessions: pd.DataFrame) -> pd.DataFrame:
        params = sessions[["source", "medium", "campaign", "content", "term"]].fillna(EMPTY)
        query = (
            "?utm_source="
            + params["source"]
            + "&utm_medium="
            + params["medium"]
            + "&utm_campaign="
            + params["campaign"]
            + "&utm_content="
            + params["content"]
            + "&utm_term="
            + params["term"]
        )
        tagged = sessions["source"].notna()
        landing = np.where(
            tagged,
            "https://studio.example.ua/" + query.str.replace(" ", "+", regex=False),
            "https://studio.example.ua/",
        )
        landing = np.where(
            sessions["gclid"].notna() & tagged,
            landing + "&gclid=" + sessions["gclid"].fillna(EMPTY),
            landing,
        )
        n = len(sessions)
        return pd.DataFrame(
            {
                "client_id": sessions["client_id"],
                "ga_session_id": sessions["ga_session_id"],
                "ga_session_number": sessions["ga_session_number"],
                "started_at": sessions["started_at"],
                "source": sessions["source"],
                "medium": sessions["medium"],
                "campaign": sessions["campaign"],
                "content": sessions["content"],
                "term": sessions["term"],
                "gclid": sessions["gclid"],
                "landing_url": landing,
                "device_category": self.rng.choice(
                    ["mobile", "desktop", "tablet"], n, p=[0.62, 0.33, 0.05]
                ),
                "country": "Ukraine",
                "city": self.rng.choice(
                    ["Kyiv", "Lviv", "Odesa", "Dnipro"], n, p=[0.7, 0.1, 0.1, 0.1]
                ),
                "page_views": 1 + self.rng.poisson(1.5, n),
                "is_bot": sessions["is_bot"],
            }
        )


def ground_truth(business: Business) -> pd.DataFrame:
    """Plain per-day totals worked out from the tables themselves (local Kyiv dates)."""

    def local(series: pd.Series) -> pd.Series:
        return pd.to_datetime(series, utc=True).dt.tz_convert(TZ).dt.date

    parts = []
    stats = business.ad_stats.merge(
        business.ad_accounts[["account_id", "currency"]], on="account_id"
    )
    spend = stats.groupby(["date", "platform", "campaign_id", "currency"], as_index=False).agg(
        cost_micros=("cost_micros", "sum"),
        impressions=("impressions", "sum"),
        clicks=("clicks", "sum"),
    )
    for metric, column, scale in (
        ("spend", "cost_micros", 1e6),
        ("impressions", "impressions", 1),
        ("clicks", "clicks", 1),
    ):
        parts.append(
            spend.assign(metric=metric, value=spend[column] / scale)[
                ["date", "metric", "platform", "campaign_id", "currency", "value"]
            ]
        )
    manual = []
    for row in business.manual_costs.itertuples():
        n = (row.date_to - row.date_from).days + 1
        for d in range(n):
            manual.append(
                (row.date_from + timedelta(days=d), row.channel, row.currency, row.amount / n)
            )
    manual_frame = pd.DataFrame(manual, columns=["date", "channel", "currency", "value"])
    manual_frame = manual_frame.groupby(["date", "channel", "currency"], as_index=False)[
        "value"
    ].sum()
    parts.append(
        manual_frame.assign(
            metric="manual_spend", platform=manual_frame["channel"], campaign_id=None
        )[["date", "metric", "platform", "campaign_id", "currency", "value"]]
    )

    def count(metric: str, dates: pd.Series) -> pd.DataFrame:
        frame = dates.value_counts().rename_axis("date").reset_index(name="value")
        return frame.assign(metric=metric, platform=None, campaign_id=None, currency=None)

    parts.append(count("sessions", local(business.sessions["started_at"])))
    parts.append(
        count("calls", local(business.calls.loc[business.calls["direction"] == "in", "started_at"]))
    )
    parts.append(count("leads", local(business.leads["created_at"])))
    won = business.deals[business.deals["stage_semantic"] == "S"].copy()
    won["date"] = local(won["closed_at"])
    parts.append(count("deals_won", won["date"]))
    first_won = won.sort_values(["closed_at", "deal_id"]).drop_duplicates("contact_id")
    parts.append(count("new_customers", first_won["date"]))
    revenue = (
        won.groupby(["date", "currency"], as_index=False)["amount"]
        .sum()
        .rename(columns={"amount": "value"})
    )
    parts.append(revenue.assign(metric="revenue", platform=None, campaign_id=None))
    rates = business.fx_rates[["date", "currency", "rate"]]
    converted = won.merge(rates, on=["date", "currency"], how="left")
    converted["rate"] = converted["rate"].where(converted["currency"] != "UAH", 1.0)
    converted["value"] = converted["amount"] * converted["rate"]
    uah = converted.groupby("date", as_index=False)["value"].sum()
    parts.append(uah.assign(metric="revenue_uah", platform=None, campaign_id=None, currency="UAH"))
    truth = pd.concat(
        [p[["date", "metric", "platform", "campaign_id", "currency", "value"]] for p in parts],
        ignore_index=True,
    )
    truth["value"] = truth["value"].astype(float)
    return truth.sort_values(
        ["metric", "date", "platform", "campaign_id", "currency"],
        na_position="first",
        kind="stable",
    ).reset_index(drop=True)


def _now() -> float:
    return time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Generate the synthetic business as Parquet files."
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--start-date", type=date.fromisoformat, default=date.today() - timedelta(days=90)
    )
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--visitors-per-day", type=int, default=300)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = _now()
    business = generate_business(
        BusinessParams(args.seed, args.start_date, args.days, args.visitors_per_day)
    )
    seconds = _now() - started
    business.save(args.out)
    print(
        f"{business.rows():,} rows ({len(business.sessions):,} sessions) in {seconds:.1f} s: "
        f"{business.rows() / seconds:,.0f} rows/s, "
        f"{len(business.sessions) / seconds:,.0f} sessions/s"
    )


if __name__ == "__main__":
    main()
