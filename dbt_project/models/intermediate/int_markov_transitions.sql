-- Transition counts of the first-order Markov chain over channels, fitted on lead conversion:
-- every lead path (synthetic touches included) ends in 'conversion'; every visitor never
-- linked to a lead adds one path of its sessions in time order (no lookback) ending in
-- 'null'. Consecutive repeats of a channel are collapsed (they do not change the result).
-- throughline/markov.py solves the chain from these counts.
-- One window pass per path kind, no path strings: a touch enters its channel from the previous
-- touch's channel (or 'start') unless it repeats it, and a path's last touch leaves to its outcome.
with lead_steps as (
    select
        channel,
        lag(channel) over path as previous_channel,
        lead(touch_position) over path is null as is_last,
        'conversion' as outcome
    from {{ ref('int_touch_paths') }}
    where conversion_type = 'lead'
    window path as (partition by crm_source, conversion_id order by touch_position)
),

linked_visitors as (
    select distinct client_id
    from {{ ref('int_lead_visitors') }}
    where client_id is not null
),

visitor_steps as (
    select
        s.channel,
        lag(s.channel) over path as previous_channel,
        lead(s.started_at) over path is null as is_last,
        'null' as outcome
    from {{ ref('int_sessions') }} as s
    where not s.is_flagged_visitor
        and s.client_id not in (select client_id from linked_visitors)
    window path as (partition by s.client_id order by s.started_at, s.session_id)
),

steps as (
    select * from lead_steps
    union all
    select * from visitor_steps
),

transitions as (
    select coalesce(previous_channel, 'start') as from_state, channel as to_state
    from steps
    where previous_channel is null or previous_channel <> channel
    union all
    select channel as from_state, outcome as to_state
    from steps
    where is_last
)

select
    from_state,
    to_state,
    count(*) as transitions
from transitions
group by from_state, to_state
