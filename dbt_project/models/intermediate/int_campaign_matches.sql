-- Which ad-platform (or manual-cost) campaign a normalised utm_campaign belongs to: the campaign
-- whose id it equals, else the one whose normalised name (any it has had) it equals (id wins).
-- A manual cost's campaign is a name its file gives, never an id, and an ad platform's campaign of
-- the same name comes first. Every candidate is kept: `is_chosen` marks the one a utm_campaign's
-- sessions and conversions are reported under, and the others still count as carried by it
-- (a Google Ads and a Meta campaign both named "Black Friday" are both tagged, not wasted).
with utm_campaigns as (
    select distinct utm_campaign from {{ ref('int_sessions') }} where utm_campaign is not null
    union
    select distinct utm_campaign from {{ ref('int_touch_paths') }} where utm_campaign is not null
    union
    select distinct utm_campaign from {{ ref('int_leads') }} where utm_campaign is not null
    union
    select distinct utm_campaign from {{ ref('stg_ga4__daily_traffic') }} where utm_campaign is not null
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
    select u.utm_campaign, c.platform, c.campaign_id, c.campaign_name, 1 as match_rank
    from utm_campaigns as u
    inner join campaigns as c on lower(c.campaign_id) = u.utm_campaign
    where c.platform <> 'manual'
    union all
    select u.utm_campaign, c.platform, c.campaign_id, c.campaign_name, 2 as match_rank
    from utm_campaigns as u
    inner join campaign_names as n on n.campaign_name_normalized = u.utm_campaign
    inner join campaigns as c on c.platform = n.platform and c.campaign_id = n.campaign_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by utm_campaign
            order by match_rank, case when platform = 'manual' then 1 else 0 end, platform, campaign_id
        ) as pick
    from candidates
)

select utm_campaign, platform, campaign_id, campaign_name, match_rank = 1 as matched_by_id, pick = 1 as is_chosen
from ranked
