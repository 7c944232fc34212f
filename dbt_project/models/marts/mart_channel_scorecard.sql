-- The owner's table: per week and per month x channel x attribution model, the additive
-- measures summed over the period, ratios recomputed from the sums, and the budget decision.
with daily as (
    select * from {{ ref('mart_channel_performance') }}
),

periods as (
    select 'week' as period_grain, cast({{ dbt.date_trunc('week', 'date') }} as date) as period_start, d.*
    from daily as d
    union all
    select 'month' as period_grain, cast({{ dbt.date_trunc('month', 'date') }} as date) as period_start, d.*
    from daily as d
),

summed as (
    select
        period_grain,
        period_start,
        channel,
        attribution_model,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(sessions) as sessions,
        sum(calls) as calls,
        sum(leads) as leads,
        sum(qualified_leads) as qualified_leads,
        sum(deals_won) as deals_won,
        sum(new_customers) as new_customers,
        sum(revenue) as revenue
    from periods
    group by period_grain, period_start, channel, attribution_model
),

with_ratios as (
    select *, {{ performance_ratios() }}
    from summed
)

select
    *,
    {{ budget_decision('spend', romi_pct_of('revenue', 'spend')) }} as decision
from with_ratios
