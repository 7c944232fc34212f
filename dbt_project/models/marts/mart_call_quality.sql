-- Are calls answered and missed calls called back: per local date x manager x channel, over
-- inbound calls (outbound calls only count as callbacks). calls_to_leads: inbound calls whose
-- caller made a CRM lead from 1 h before to 24 h after the call.
with calls as (
    select * from {{ ref('fct_calls') }}
    where direction = 'inbound'
),

caller_phones as (
    select call_id, caller_phone_e164, started_at from {{ ref('int_calls') }}
    where direction = 'inbound' and caller_phone_e164 is not null
),

calls_with_leads as (
    select distinct cp.call_id
    from caller_phones as cp
    inner join {{ ref('int_leads') }} as l
        on l.phone_e164 = cp.caller_phone_e164
        and ({{ epoch_seconds('l.created_at') }}) - ({{ epoch_seconds('cp.started_at') }}) between -3600 and 86400
)

select
    c.call_date as date,
    coalesce(c.manager_id, '(unassigned)') as manager_id,
    c.channel,
    count(*) as calls,
    sum(case when c.is_answered then 1 else 0 end) as answered,
    sum(case when c.is_missed then 1 else 0 end) as missed,
    cast({{ safe_divide('sum(case when c.is_missed then 1 else 0 end)', 'count(*)') }} as numeric(18, 6)) as missed_rate,
    cast(avg(case when c.is_answered then c.wait_seconds end) as double precision) as avg_wait_seconds,
    sum(case when c.is_missed and c.is_called_back then 1 else 0 end) as missed_called_back,
    cast({{ safe_divide('sum(case when c.is_missed and c.is_called_back then 1 else 0 end)', 'sum(case when c.is_missed then 1 else 0 end)') }} as numeric(18, 6)) as callback_rate,
    cast(percentile_cont(0.5) within group (order by case when c.is_missed then c.callback_minutes end) as double precision) as median_callback_minutes,
    sum(case when c.is_first_time_caller then 1 else 0 end) as first_time_callers,
    sum(case when cl.call_id is not null then 1 else 0 end) as calls_to_leads
from calls as c
left join calls_with_leads as cl on cl.call_id = c.call_id
group by 1, 2, 3
