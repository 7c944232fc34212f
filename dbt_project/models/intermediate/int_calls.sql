-- Calls with channel, manager, and the call-quality facts: missed, called back (an outbound
-- call to the same number or an answered call with it within callback_window_hours), the
-- callback delay, and whether the caller is calling for the first time.
-- Recomputed whole each run; only the rows that differ are rewritten (strategy changed_rows).
{{ config(materialized='incremental', unique_key='call_id', incremental_strategy='changed_rows',
          on_schema_change='sync_all_columns') }}

with calls as (
    select * from {{ ref('int_calls_sourced') }}
),

managers as (
    select * from {{ ref('int_managers') }}
),

missed as (
    select call_id, caller_phone_e164, started_at
    from calls
    where direction = 'inbound' and not is_answered and caller_phone_e164 is not null
),

callbacks as (
    select
        m.call_id,
        min(f.started_at) as called_back_at
    from missed as m
    inner join calls as f
        on f.caller_phone_e164 = m.caller_phone_e164
        and f.started_at > m.started_at
        and ({{ epoch_seconds('f.started_at') }}) - ({{ epoch_seconds('m.started_at') }})
            <= {{ var('callback_window_hours') }} * 3600
        and (f.direction = 'outbound' or f.is_answered)
    group by m.call_id
),

first_inbound as (
    select caller_phone_e164, min(started_at) as first_called_at
    from calls
    where direction = 'inbound' and caller_phone_e164 is not null
    group by caller_phone_e164
),

-- The manager a call names, by id, else e-mail, else name: one per name a call gives, even where
-- two CRM sources (or two people) share a name (matched once per name, not once per call).
named_managers as (
    select manager, manager_id
    from (
        select
            n.manager,
            mg.manager_id,
            row_number() over (
                partition by n.manager
                order by case when n.manager = mg.manager_id then 0 when lower(n.manager) = mg.email then 1 else 2 end,
                    mg.crm_source, mg.manager_id
            ) as preference
        from (select distinct manager from calls where manager is not null) as n
        inner join managers as mg
            on n.manager = mg.manager_id
            or lower(n.manager) = mg.email
            or lower(n.manager) = lower(mg.manager_name)
    ) as candidates
    where preference = 1
)

select
    c.call_id,
    c.provider,
    c.started_at,
    {{ local_date('c.started_at') }} as call_date,
    c.direction,
    c.is_answered,
    (c.direction = 'inbound' and not c.is_answered) as is_missed,
    c.wait_seconds,
    c.talk_seconds,
    c.duration_seconds,
    c.caller_phone_e164,
    c.tracking_number,
    c.number_type,
    c.client_id,
    c.session_id,
    c.source_name,
    c.call_source as utm_source,
    c.call_medium as utm_medium,
    c.call_campaign as utm_campaign,
    c.utm_content,
    c.utm_term,
    coalesce(ch.channel, 'Other') as channel,
    (c.call_source = '(direct)' and c.call_medium = '(none)') as is_direct,
    -- an agent no CRM user matches: as the call names them, an e-mail (CallRail's agent_email) by
    -- its local part, since the marts publish no e-mail address
    coalesce(
        mg.manager_id,
        case when c.manager like '%@%' then lower(split_part(c.manager, '@', 1)) else c.manager end
    ) as manager_id,
    (cb.called_back_at is not null) as is_called_back,
    cb.called_back_at,
    case
        when cb.called_back_at is not null
            then (({{ epoch_seconds('cb.called_back_at') }}) - ({{ epoch_seconds('c.started_at') }})) / 60.0
    end as callback_minutes,
    coalesce(c.direction = 'inbound' and c.started_at = fi.first_called_at, false) as is_first_time_caller
from calls as c
left join {{ ref('int_traffic_channels') }} as ch
    on ch.utm_source = c.call_source
    and ch.utm_medium = c.call_medium
    and ch.utm_campaign = coalesce(c.call_campaign, '')
left join named_managers as mg
    on mg.manager = c.manager
left join callbacks as cb
    on cb.call_id = c.call_id
left join first_inbound as fi
    on fi.caller_phone_e164 = c.caller_phone_e164
