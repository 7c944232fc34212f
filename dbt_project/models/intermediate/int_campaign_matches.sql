-- Which ad-platform (or manual-cost) campaign a normalised utm_campaign belongs to, per channel
-- the tag arrived through: the campaign whose id it equals, else the one whose normalised name
-- (any it has had) it equals (id wins). When campaigns on two platforms answer to one name (a
-- Google Ads and a Meta campaign both called "Black Friday"), the one of the tag's channel wins
-- (facebook / cpc visits are Meta's), then an ad platform's over a manual cost's (a manual cost's
-- campaign is a name its file gives, never an id). Every candidate is kept: `is_chosen` marks the
-- one the tag's sessions and conversions are reported under, and the others still count as carried
-- by it (both are tagged, neither is waste).
-- each utm_campaign with the channels it came through (a lead's own tag: no channel)
with tagged as (
    select distinct utm_campaign, channel from {{ ref('int_session_counts') }} where utm_campaign is not null
    union
    select distinct utm_campaign, channel from {{ ref('int_attribution_daily') }} where utm_campaign is not null
    union
    select distinct utm_campaign, cast(null as text) as channel from {{ ref('int_leads') }}
    where utm_campaign is not null
),

campaigns as (
    select * from {{ ref('int_campaigns') }}
),

-- Every name a campaign has had: sessions tagged before a rename still belong to it.
campaign_names as (
    select distinct platform, campaign_id, {{ normalize_utm('campaign_name', label=true) }} as campaign_name_normalized
    from {{ ref('int_ad_spend') }}
    where campaign_id is not null
),

candidates as (
    select t.utm_campaign, t.channel, c.platform, c.campaign_id, c.campaign_name, c.channel as campaign_channel,
        1 as match_rank
    from tagged as t
    inner join campaigns as c on lower(c.campaign_id) = t.utm_campaign
    where c.platform <> 'manual'
    union all
    select t.utm_campaign, t.channel, c.platform, c.campaign_id, c.campaign_name, c.channel as campaign_channel,
        2 as match_rank
    from tagged as t
    inner join campaign_names as n on n.campaign_name_normalized = t.utm_campaign
    inner join campaigns as c on c.platform = n.platform and c.campaign_id = n.campaign_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by utm_campaign, channel
            order by
                match_rank,
                case when campaign_channel = channel then 0 else 1 end,
                case when platform = 'manual' then 1 else 0 end,
                platform,
                campaign_id
        ) as pick
    from candidates
)

select utm_campaign, channel, platform, campaign_id, campaign_name, match_rank = 1 as matched_by_id,
    pick = 1 as is_chosen
from ranked
