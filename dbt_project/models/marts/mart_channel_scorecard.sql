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
        cast(sum(spend) as numeric(20, 6)) as spend,
        {{ count_sum('impressions') }} as impressions,
        {{ count_sum('clicks') }} as clicks,
        {{ count_sum('sessions') }} as sessions,
        {{ count_sum('calls') }} as calls,
        sum(leads) as leads,
        sum(qualified_leads) as qualified_leads,
        sum(deals_won) as deals_won,
        sum(new_customers) as new_customers,
        cast(sum(revenue) as numeric(20, 6)) as revenue
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
