-- Transition counts of the first-order Markov chain over channels, fitted on lead conversion:
-- every lead path (synthetic touches included) ends in 'conversion'; every visitor never
-- linked to a lead and not flagged as a bot or shared id adds its own path (its sessions in time
-- order, no lookback: int_sessions) ending in 'null'. Consecutive repeats of a channel
-- are collapsed (they do not change the result). throughline/markov.py solves the chain.
-- One window pass over the lead paths, no path strings: a touch enters its channel from the
-- previous touch's channel (or 'start') unless it repeats it, and a path's last touch converts.
with lead_steps as (
    select
        channel,
        lag(channel) over path as previous_channel,
        lead(touch_position) over path is null as is_last
    from {{ ref('int_touch_paths') }}
    where conversion_type = 'lead'
    window path as (partition by crm_source, conversion_id order by touch_position)
),

lead_transitions as (
    select coalesce(previous_channel, 'start') as from_state, channel as to_state, 1 as transitions
    from lead_steps
    where previous_channel is null or previous_channel <> channel
    union all
    select channel as from_state, 'conversion' as to_state, 1 as transitions
    from lead_steps
    where is_last
),

linked_visitors as (
    select distinct client_id
    from {{ ref('int_lead_visitors') }}
    where client_id is not null
),

-- A visitor's own path: each session enters its channel from the previous session's (or
-- 'start') unless it repeats it, and the last session leaves to 'null'.
visitor_sessions as (
    select channel, previous_visit_channel, is_last_visit
    from {{ ref('int_sessions') }}
    where not is_flagged_visitor
        and client_id not in (select client_id from linked_visitors)
),

visitor_transitions as (
    select coalesce(previous_visit_channel, 'start') as from_state, channel as to_state, 1 as transitions
    from visitor_sessions
    where previous_visit_channel is null or previous_visit_channel <> channel
    union all
    select channel as from_state, 'null' as to_state, 1 as transitions
    from visitor_sessions
    where is_last_visit
),

transitions as (
    select * from lead_transitions
    union all
    select * from visitor_transitions
)

select
    from_state,
    to_state,
    cast(sum(transitions) as bigint) as transitions
from transitions
group by from_state, to_state
