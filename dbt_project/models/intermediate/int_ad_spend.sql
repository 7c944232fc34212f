{{ config(post_hook="{{ fail_on_missing_fx_rate('currency', 'spend_date', 'cost') }}") }}

-- Ad spend per day and platform / campaign / ad group / ad, in the account currency and in the
-- reporting currency. Google: campaign totals are the truth; ad rows are detail and a
-- remainder row keeps the campaign total (campaigns without ads, e.g. Performance Max).
with google_campaigns as (
    select * from {{ ref('stg_google_ads__campaign_stats') }}
),

google_ads as (
    select * from {{ ref('stg_google_ads__ad_stats') }}
),

google_ad_totals as (
    select
        account_id,
        campaign_id,
        spend_date,
        sum(cost) as cost,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from google_ads
    group by account_id, campaign_id, spend_date
),

google_ad_rows as (
    select
        'google_ads' as platform,
        a.account_id,
        a.currency,
        a.spend_date,
        a.campaign_id,
        c.campaign_name,
        c.channel_type,
        a.ad_group_id,
        a.ad_group_name,
        a.ad_id,
        a.ad_name,
        a.cost,
        a.impressions,
        a.clicks
    from google_ads as a
    inner join google_campaigns as c
        on c.account_id = a.account_id
        and c.campaign_id = a.campaign_id
        and c.spend_date = a.spend_date
),

google_remainders as (
    select
        'google_ads' as platform,
        c.account_id,
        c.currency,
        c.spend_date,
        c.campaign_id,
        c.campaign_name,
        c.channel_type,
        cast(null as text) as ad_group_id,
        cast(null as text) as ad_group_name,
        cast(null as text) as ad_id,
        cast(null as text) as ad_name,
        c.cost - coalesce(t.cost, 0) as cost,
        c.impressions - coalesce(t.impressions, 0) as impressions,
        c.clicks - coalesce(t.clicks, 0) as clicks
    from google_campaigns as c
    left join google_ad_totals as t
        on t.account_id = c.account_id
        and t.campaign_id = c.campaign_id
        and t.spend_date = c.spend_date
    where c.cost <> coalesce(t.cost, 0)
        or c.impressions <> coalesce(t.impressions, 0)
        or c.clicks <> coalesce(t.clicks, 0)
),

meta_rows as (
    select
        'meta_ads' as platform,
        account_id,
        currency,
        spend_date,
        campaign_id,
        campaign_name,
        'META' as channel_type,
        ad_group_id,
        ad_group_name,
        ad_id,
        ad_name,
        cost,
        impressions,
        clicks
    from {{ ref('stg_meta_ads__ad_insights') }}
),

manual_rows as (
    select
        'manual' as platform,
        cast(null as text) as account_id,
        currency,
        spend_date,
        campaign as campaign_id,
        coalesce(campaign, description) as campaign_name,
        'MANUAL' as channel_type,
        cast(null as text) as ad_group_id,
        cast(null as text) as ad_group_name,
        cast(null as text) as ad_id,
        cast(null as text) as ad_name,
        cost,
        cast(0 as bigint) as impressions,
        cast(0 as bigint) as clicks,
        channel as manual_channel
    from {{ ref('int_manual_costs_spread') }}
),

platform_rows as (
    select *, cast(null as text) as manual_channel from google_ad_rows
    union all
    select *, cast(null as text) as manual_channel from google_remainders
    union all
    select *, cast(null as text) as manual_channel from meta_rows
    union all
    select * from manual_rows
),

with_channel as (
    select
        *,
        case
            when platform = 'manual' then manual_channel
            when platform = 'meta_ads' then 'Paid Social'
            when channel_type in ('VIDEO', 'DEMAND_GEN') then 'Video'
            -- search, shopping, Performance Max, display, app...: their auto-tagged clicks arrive
            -- as google / cpc, which channel_rules makes Paid Search, so their spend goes there too
            else 'Paid Search'
        end as channel
    from platform_rows
),

-- A manual cost spread over days the NBU has not published a rate for yet (a month's fee in
-- dollars, booked ahead) is converted at the latest published rate, as the budget plan is; ad
-- platforms' spend on such a day still needs its own day's rate.
latest_rate as (
    select max(rate_date) as rate_date from {{ ref('stg_fx_rates__rates') }}
),

rated as (
    select
        s.*,
        case
            when s.platform = 'manual' and s.spend_date > l.rate_date then l.rate_date
            else s.spend_date
        end as rate_date
    from with_channel as s
    cross join latest_rate as l
),

converted as (
    select
        s.spend_date,
        s.platform,
        s.account_id,
        s.campaign_id,
        s.campaign_name,
        s.channel_type,
        s.ad_group_id,
        s.ad_group_name,
        s.ad_id,
        s.ad_name,
        s.channel,
        s.currency,
        s.cost,
        {{ fx_rate('s.currency') }} as fx_rate,
        s.impressions,
        s.clicks
    from rated as s
    {{ fx_joins('s.currency', 's.rate_date') }}
)

select
    *,
    cast(cost * fx_rate as numeric(18, 6)) as spend
from converted
