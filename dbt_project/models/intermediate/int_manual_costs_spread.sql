-- A manual cost line spread evenly over the days date_from..date_to (inclusive); the last day
-- takes the rounding remainder, so the days add up to the line's amount exactly.
with costs as (
    select * from {{ ref('stg_manual_costs__costs') }}
    where date_from is not null and date_to is not null and date_to >= date_from and amount >= 0
),

numbers as (
    {{ numbers(3700) }}
),

days as (
    select
        c.*,
        n.n as day_index,
        cast({{ dbt.dateadd('day', 'n.n', 'c.date_from') }} as date) as spend_date,
        ({{ dbt.datediff('c.date_from', 'c.date_to', 'day') }}) + 1 as n_days
    from costs as c
    inner join numbers as n
        on n.n <= {{ dbt.datediff('c.date_from', 'c.date_to', 'day') }}
)

select
    spend_date,
    channel,
    campaign,
    description,
    currency,
    cast(case
        when day_index = n_days - 1 then amount - cast(amount / n_days as numeric(18, 6)) * (n_days - 1)
        else amount / n_days
    end as numeric(18, 6)) as cost,
    source_file,
    row_number
from days
