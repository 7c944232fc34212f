-- Per local date x channel x attribution model: spend, impressions, clicks, sessions and
-- inbound calls by their own channel (the same under every model), and leads, qualified
-- leads, deals won, new customers and revenue attributed by the model; per-day ratios.
with models as (
    {{ attribution_models() }}
),

own_channel_events as (
    select spend_date as date, channel, spend, impressions, clicks, 0 as sessions, 0 as calls
    from {{ ref('fct_ad_spend') }}
    union all
    select session_date, channel, 0, 0, 0, sessions, 0
    from {{ ref('int_session_counts') }}
    union all
    select call_date, channel, 0, 0, 0, 0, 1
    from {{ ref('fct_calls') }}
    where direction = 'inbound'
),

own_channel_daily as (
    select
        date,
        channel,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(sessions) as sessions,
        sum(calls) as calls
    from own_channel_events
    group by date, channel
),

measures as (
    select
        o.date, o.channel, m.attribution_model,
        o.spend, o.impressions, o.clicks, o.sessions, o.calls,
        0 as leads, 0 as qualified_leads, 0 as deals_won, 0 as new_customers, 0 as revenue
    from own_channel_daily as o
    cross join models as m
    union all
    select
        credit_date, channel, attribution_model,
        0, 0, 0, 0, 0,
        leads, qualified_leads, deals_won, new_customers, revenue
    from {{ ref('int_attribution_daily') }}
    where credit_date is not null
),

daily as (
    select
        date,
        channel,
        attribution_model,
        cast(sum(spend) as numeric(20, 6)) as spend,
        {{ count_sum('impressions') }} as impressions,
        {{ count_sum('clicks') }} as clicks,
        {{ count_sum('sessions') }} as sessions,
        {{ count_sum('calls') }} as calls,
        cast(sum(leads) as double precision) as leads,
        cast(sum(qualified_leads) as double precision) as qualified_leads,
        cast(sum(deals_won) as double precision) as deals_won,
        cast(sum(new_customers) as double precision) as new_customers,
        cast(sum(revenue) as numeric(20, 6)) as revenue
    from measures
    group by date, channel, attribution_model
)

select
    *,
    {{ performance_ratios() }}
from daily
