-- The budget plan in the reporting currency, converted at the NBU rate of the month's first day
-- (for a month that has not begun, the latest published rate). A plan in a currency with no
-- rate for that day stops the build, naming currency and date.
{{ config(post_hook="{{ fail_on_missing_fx_rate('currency', 'rate_date', 'planned_spend') }}") }}

with plan as (
    select * from {{ ref('stg_manual_costs__budget_plan') }}
),

latest_rate as (
    select max(rate_date) as rate_date from {{ ref('stg_fx_rates__rates') }}
),

dated as (
    select
        p.*,
        case
            when p.month_start > l.rate_date then l.rate_date
            else p.month_start
        end as rate_date
    from plan as p
    cross join latest_rate as l
)

select
    p.month_start,
    p.channel,
    p.campaign_id,
    p.currency,
    p.planned_spend,
    p.rate_date,
    {{ fx_rate('p.currency') }} as fx_rate,
    p.planned_spend * {{ fx_rate('p.currency') }} as planned_spend_reporting
from dated as p
{{ fx_joins('p.currency', 'p.rate_date') }}
