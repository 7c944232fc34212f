-- The same channel under every attribution model, over the whole history: attributed leads,
-- new customers and revenue, the channel's spend, and ROMI.
with models as (
    {{ attribution_models() }}
),

spend as (
    select channel, sum(spend) as spend
    from {{ ref('fct_ad_spend') }}
    group by channel
),

attributed as (
    select
        channel,
        attribution_model,
        sum(leads) as leads,
        sum(new_customers) as new_customers,
        sum(revenue) as revenue
    from {{ ref('int_attribution_daily') }}
    group by channel, attribution_model
),

keys as (
    select s.channel, m.attribution_model from spend as s cross join models as m
    union
    select channel, attribution_model from attributed
),

joined as (
    select
        k.channel,
        k.attribution_model,
        cast(coalesce(a.leads, 0) as double precision) as leads,
        cast(coalesce(a.new_customers, 0) as double precision) as new_customers,
        cast(coalesce(a.revenue, 0) as numeric(20, 6)) as revenue,
        cast(coalesce(s.spend, 0) as numeric(20, 6)) as spend
    from keys as k
    left join attributed as a on a.channel = k.channel and a.attribution_model = k.attribution_model
    left join spend as s on s.channel = k.channel
)

select
    *,
    cast({{ romi_pct_of('revenue', 'spend') }} as numeric(18, 2)) as romi_pct,
    cast({{ safe_divide('spend', 'new_customers') }} as numeric(18, 2)) as cac,
    {{ budget_decision('spend', romi_pct_of('revenue', 'spend')) }} as decision
from joined
