-- Are we on budget: per month x channel x campaign (NULL campaign_id for channel-level plans),
-- planned vs actual spend in the reporting currency (int_budget_plan), pacing and projected
-- month-end spend. Elapsed days count days before today (local) in the current month, and so
-- does actual spend (a manual cost spread over the whole month has not all been spent yet);
-- past months are 100 % elapsed.
with plan_converted as (
    select month_start, channel, campaign_id, sum(planned_spend_reporting) as planned_spend
    from {{ ref('int_budget_plan') }}
    group by month_start, channel, campaign_id
),

spend as (
    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as month_start,
        channel,
        campaign_id,
        spend
    from {{ ref('fct_ad_spend') }}
    where spend_date < {{ local_date('current_timestamp') }}
),

actuals as (
    select
        p.month_start,
        p.channel,
        p.campaign_id,
        p.planned_spend,
        coalesce(sum(s.spend), 0) as actual_spend
    from plan_converted as p
    left join spend as s
        on s.month_start = p.month_start
        and s.channel = p.channel
        and (p.campaign_id is null or lower(s.campaign_id) = lower(p.campaign_id))
    group by p.month_start, p.channel, p.campaign_id, p.planned_spend
),

calendar as (
    select
        a.*,
        {{ dbt.datediff('a.month_start', dbt.dateadd('month', 1, 'a.month_start'), 'day') }} as days_in_month,
        {{ local_date('current_timestamp') }} as today
    from actuals as a
),

elapsed as (
    select
        c.*,
        case
            when c.today >= cast({{ dbt.dateadd('month', 1, 'c.month_start') }} as date) then c.days_in_month
            when c.today <= c.month_start then 0
            else {{ dbt.datediff('c.month_start', 'c.today', 'day') }}
        end as days_elapsed
    from calendar as c
)

select
    month_start as month,
    channel,
    campaign_id,
    cast(planned_spend as numeric(20, 6)) as planned_spend,
    cast(actual_spend as numeric(20, 6)) as actual_spend,
    cast({{ safe_divide('actual_spend', 'planned_spend') }} * 100 as numeric(18, 2)) as pacing_pct,
    cast(100.0 * days_elapsed / days_in_month as numeric(18, 2)) as days_elapsed_pct,
    cast({{ safe_divide('actual_spend', 'days_elapsed') }} * days_in_month as numeric(20, 6)) as projected_spend,
    days_elapsed,
    days_in_month
from elapsed
