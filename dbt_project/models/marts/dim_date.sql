-- Calendar days covering every dated fact (spend, sessions, calls, leads, deal closes), with week
-- (Monday) and month starts.
with bounds as (
    select min(d) as first_day, max(d) as last_day
    from (
        select min(spend_date) as d from {{ ref('int_ad_spend') }}
        union all select max(spend_date) from {{ ref('int_ad_spend') }}
        union all select min(session_date) from {{ ref('int_sessions') }}
        union all select max(session_date) from {{ ref('int_sessions') }}
        union all select min(lead_date) from {{ ref('int_leads') }}
        union all select max(lead_date) from {{ ref('int_leads') }}
        union all select min(call_date) from {{ ref('int_calls') }}
        union all select max(call_date) from {{ ref('int_calls') }}
        union all select min(closed_date) from {{ ref('int_deals') }}
        union all select max(closed_date) from {{ ref('int_deals') }}
    ) as dates
),

-- every day between the bounds, however many years apart (no bounds: none)
days as (
    select cast({{ dbt.dateadd('day', 'n.n', 'b.first_day') }} as date) as date_day
    from bounds as b
    cross join lateral generate_series(0, {{ dbt.datediff('b.first_day', 'b.last_day', 'day') }}) as n(n)
)

select
    date_day,
    cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
    cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
    extract(year from date_day) as year,
    extract(month from date_day) as month,
    extract(isodow from date_day) as iso_weekday
from days
