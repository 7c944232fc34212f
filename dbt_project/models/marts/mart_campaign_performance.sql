-- Which campaign, ad group / ad, creative (utm_content) and keyword (utm_term) worked: per local
-- date x campaign keys x attribution model. Spend rows carry ad group / ad; sessions and
-- attributed conversions carry the creative and keyword of their UTMs. A utm_campaign no ad
-- platform knows is kept under platform '(untracked)' with its own name.
with models as (
    {{ attribution_models() }}
),

matches as (
    select * from {{ ref('int_campaign_matches') }} where is_chosen
),

spend as (
    select
        s.spend_date as date,
        s.platform,
        s.campaign_id,
        coalesce(c.campaign_name, s.campaign_name) as campaign_name,
        s.ad_group_id,
        s.ad_id,
        cast(null as text) as utm_content,
        cast(null as text) as utm_term,
        sum(s.spend) as spend,
        sum(s.impressions) as impressions,
        sum(s.clicks) as clicks
    from {{ ref('fct_ad_spend') }} as s
    left join {{ ref('dim_campaign') }} as c on c.platform = s.platform and c.campaign_id = s.campaign_id
    group by 1, 2, 3, 4, 5, 6
),

sessions as (
    select
        s.session_date as date,
        coalesce(m.platform, '(untracked)') as platform,
        m.campaign_id,
        coalesce(m.campaign_name, s.utm_campaign) as campaign_name,
        cast(null as text) as ad_group_id,
        cast(null as text) as ad_id,
        s.utm_content,
        s.utm_term,
        sum(s.sessions) as sessions
    from {{ ref('int_session_counts') }} as s
    left join matches as m on m.utm_campaign = s.utm_campaign and m.channel = s.channel
    where s.utm_campaign is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

attributed as (
    select
        a.credit_date as date,
        coalesce(m.platform, '(untracked)') as platform,
        m.campaign_id,
        coalesce(m.campaign_name, a.utm_campaign) as campaign_name,
        cast(null as text) as ad_group_id,
        cast(null as text) as ad_id,
        a.utm_content,
        a.utm_term,
        a.attribution_model,
        sum(a.leads) as leads,
        sum(a.qualified_leads) as qualified_leads,
        sum(a.deals_won) as deals_won,
        sum(a.new_customers) as new_customers,
        sum(a.revenue) as revenue
    from {{ ref('int_attribution_daily') }} as a
    left join matches as m on m.utm_campaign = a.utm_campaign and m.channel = a.channel
    where a.utm_campaign is not null and a.credit_date is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
),

measures as (
    select
        s.date, s.platform, s.campaign_id, s.campaign_name, s.ad_group_id, s.ad_id, s.utm_content, s.utm_term,
        m.attribution_model,
        s.spend, s.impressions, s.clicks, 0 as sessions,
        0 as leads, 0 as qualified_leads, 0 as deals_won, 0 as new_customers, 0 as revenue
    from spend as s cross join models as m
    union all
    select
        s.date, s.platform, s.campaign_id, s.campaign_name, s.ad_group_id, s.ad_id, s.utm_content, s.utm_term,
        m.attribution_model,
        0, 0, 0, s.sessions,
        0, 0, 0, 0, 0
    from sessions as s cross join models as m
    union all
    select
        date, platform, campaign_id, campaign_name, ad_group_id, ad_id, utm_content, utm_term,
        attribution_model,
        0, 0, 0, 0,
        leads, qualified_leads, deals_won, new_customers, revenue
    from attributed
),

summed as (
    select
        date, platform, campaign_id, campaign_name, ad_group_id, ad_id, utm_content, utm_term,
        attribution_model,
        cast(sum(spend) as numeric(20, 6)) as spend,
        {{ count_sum('impressions') }} as impressions,
        {{ count_sum('clicks') }} as clicks,
        {{ count_sum('sessions') }} as sessions,
        cast(sum(leads) as double precision) as leads,
        cast(sum(qualified_leads) as double precision) as qualified_leads,
        cast(sum(deals_won) as double precision) as deals_won,
        cast(sum(new_customers) as double precision) as new_customers,
        cast(sum(revenue) as numeric(20, 6)) as revenue
    from measures
    group by date, platform, campaign_id, campaign_name, ad_group_id, ad_id, utm_content, utm_term, attribution_model
)

select *, {{ performance_ratios() }}
from summed
