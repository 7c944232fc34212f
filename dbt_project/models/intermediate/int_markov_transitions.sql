-- Transition counts of the first-order Markov chain over channels, fitted on lead conversion:
-- every lead path (synthetic touches included) ends in 'conversion'; every visitor never
-- linked to a lead adds one path of its sessions in time order (no lookback) ending in
-- 'null'. Consecutive repeats of a channel are collapsed (they do not change the result).
-- throughline/markov.py solves the chain from these counts.
with lead_steps as (
    select
        'lead:' || crm_source || ':' || conversion_id as path_id,
        touch_position as step,
        channel,
        'conversion' as outcome
    from {{ ref('int_touch_paths') }}
    where conversion_type = 'lead'
),

linked_visitors as (
    select distinct client_id
    from {{ ref('int_lead_visitors') }}
    where client_id is not null
),

visitor_steps as (
    select
        'visitor:' || s.client_id as path_id,
        row_number() over (partition by s.client_id order by s.started_at, s.session_id) as step,
        s.channel,
        'null' as outcome
    from {{ ref('int_sessions') }} as s
    where not s.is_flagged_visitor
        and s.client_id not in (select client_id from linked_visitors)
),

steps as (
    select * from lead_steps
    union all
    select * from visitor_steps
),

with_previous as (
    select
        *,
        lag(channel) over (partition by path_id order by step) as previous_channel,
        max(step) over (partition by path_id) as last_step
    from steps
),

collapsed as (
    select path_id, step, channel, outcome, last_step
    from with_previous
    where previous_channel is null or previous_channel <> channel
),

ordered as (
    select
        path_id,
        channel,
        outcome,
        row_number() over (partition by path_id order by step) as position,
        count(*) over (partition by path_id) as n_states
    from collapsed
),

transitions as (
    select 'start' as from_state, channel as to_state from ordered where position = 1
    union all
    select a.channel as from_state, b.channel as to_state
    from ordered as a
    inner join ordered as b
        on b.path_id = a.path_id and b.position = a.position + 1
    union all
    select channel as from_state, outcome as to_state from ordered where position = n_states
)

select
    from_state,
    to_state,
    count(*) as transitions
from transitions
group by from_state, to_state
