-- One row per ad-platform (or manual-cost) campaign, named as on its latest spend day: a renamed
-- campaign is shown under its current name everywhere.
with spend as (
    select * from {{ ref('int_ad_spend') }}
    where campaign_id is not null
),

campaigns as (
    select
        platform,
        campaign_id,
        max(channel) as channel,
        min(spend_date) as first_spend_date,
        max(spend_date) as last_spend_date
    from spend
    group by platform, campaign_id
),

latest_names as (
    select c.platform, c.campaign_id, max(s.campaign_name) as campaign_name
    from campaigns as c
    inner join spend as s
        on s.platform = c.platform and s.campaign_id = c.campaign_id and s.spend_date = c.last_spend_date
    group by c.platform, c.campaign_id
)

select
    c.platform,
    c.campaign_id,
    n.campaign_name,
    {{ normalize_utm('n.campaign_name', label=true) }} as campaign_name_normalized,
    c.channel,
    c.first_spend_date,
    c.last_spend_date
from campaigns as c
inner join latest_names as n on n.platform = c.platform and n.campaign_id = c.campaign_id
