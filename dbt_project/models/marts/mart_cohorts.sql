-- Customer cohorts: contacts by the month of their first won deal (cohort_month) and the
-- first-touch channel of that deal's path (acquisition_channel); per month since, the
-- customers, those buying again, revenue, cumulative revenue, LTV (cumulative revenue per
-- customer), and CAC (the channel's spend in the cohort month / its first-touch-attributed new
-- customers that month). Every cohort has a row for each month from its own to the month of
-- the latest won deal, so a month without a sale shows revenue 0 and the LTV curve runs on.
with won as (
    select * from {{ ref('int_deals') }}
    where is_won and won_date is not null
),

firsts as (
    select
        w.contact_key,
        cast({{ dbt.date_trunc('month', 'w.won_date') }} as date) as cohort_month,
        coalesce(a.channel, '(unattributed)') as acquisition_channel
    from won as w
    left join {{ ref('int_attribution_rule_credits') }} as a
        on a.conversion_type = 'deal'
        and a.crm_source = w.crm_source
        and a.conversion_id = w.deal_id
        and a.attribution_model = 'first_touch'
        and a.weight = 1
    where w.is_new_customer
),

cohort_sizes as (
    select cohort_month, acquisition_channel, count(*) as customers
    from firsts
    group by cohort_month, acquisition_channel
),

deal_months as (
    select
        f.cohort_month,
        f.acquisition_channel,
        {{ dbt.datediff('f.cohort_month', dbt.date_trunc('month', 'w.won_date'), 'month') }} as months_since,
        w.contact_key,
        w.is_new_customer,
        w.revenue
    from won as w
    inner join firsts as f on f.contact_key = w.contact_key
),

monthly as (
    select
        cohort_month,
        acquisition_channel,
        months_since,
        count(distinct case when not is_new_customer then contact_key end) as repeat_customers,
        sum(revenue) as revenue
    from deal_months
    group by cohort_month, acquisition_channel, months_since
),

acquisition_cost as (
    select
        cast({{ dbt.date_trunc('month', 's.spend_date') }} as date) as month_start,
        s.channel,
        sum(s.spend) as spend
    from {{ ref('fct_ad_spend') }} as s
    group by 1, 2
),

numbers as (
    {{ numbers(1200) }}
),

-- each cohort's months since, up to the month of the latest won deal
cohort_months as (
    select c.cohort_month, c.acquisition_channel, c.customers, n.n as months_since
    from cohort_sizes as c
    cross join (select max(won_date) as last_won_date from won) as horizon
    inner join numbers as n
        on n.n <= {{ dbt.datediff('c.cohort_month', dbt.date_trunc('month', 'horizon.last_won_date'), 'month') }}
),

first_touch_customers as (
    select
        cast({{ dbt.date_trunc('month', 'credit_date') }} as date) as month_start,
        channel,
        sum(new_customers) as new_customers
    from {{ ref('int_attribution_rule_credits') }}
    where attribution_model = 'first_touch' and conversion_type = 'deal'
    group by 1, 2
)

select
    c.cohort_month,
    c.acquisition_channel,
    c.months_since,
    c.customers,
    coalesce(m.repeat_customers, 0) as repeat_customers,
    cast(coalesce(m.revenue, 0) as numeric(20, 6)) as revenue,
    cast(sum(coalesce(m.revenue, 0)) over cohort_to_date as numeric(20, 6)) as cumulative_revenue,
    cast(sum(coalesce(m.revenue, 0)) over cohort_to_date / c.customers as numeric(20, 6)) as ltv,
    cast({{ safe_divide('coalesce(ac.spend, 0)', 'ft.new_customers') }} as numeric(18, 2)) as cac,
    cast({{ safe_divide(
        'sum(coalesce(m.revenue, 0)) over cohort_to_date / c.customers',
        safe_divide('coalesce(ac.spend, 0)', 'ft.new_customers')
    ) }} as numeric(18, 4)) as ltv_to_cac
from cohort_months as c
left join monthly as m
    on m.cohort_month = c.cohort_month and m.acquisition_channel = c.acquisition_channel
    and m.months_since = c.months_since
left join acquisition_cost as ac
    on ac.month_start = c.cohort_month and ac.channel = c.acquisition_channel
left join first_touch_customers as ft
    on ft.month_start = c.cohort_month and ft.channel = c.acquisition_channel
window cohort_to_date as (
    partition by c.cohort_month, c.acquisition_channel
    order by c.months_since
    rows between unbounded preceding and current row
)
