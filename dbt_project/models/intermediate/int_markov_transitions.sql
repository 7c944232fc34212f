-- Transition counts of the first-order Markov chain over channels, fitted on lead conversion:
-- every lead path (synthetic touches included) ends in 'conversion'; every visitor never
-- linked to a lead and not flagged as a bot or shared id adds its own path (its sessions in time
-- order, no lookback: int_session_paths) ending in 'null'. Consecutive repeats of a channel
-- are collapsed (they do not change the result). throughline/markov.py solves the chain.
-- One window pass over the lead paths, no path strings; steps are counted per (previous channel,
-- channel, last or not, outcome) before they become transitions, so ten million visitor sessions
-- fold into a few hundred rows.
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

-- A visitor's own path: int_session_paths has each session's previous session channel.
visitor_steps as (
    select s.channel, s.previous_visit_channel as previous_channel, s.is_last_visit as is_last, 'null' as outcome
    from {{ ref('int_session_paths') }} as s
    left join linked_visitors as lv on lv.client_id = s.client_id
    where not s.is_flagged_visitor and lv.client_id is null
),

step_counts as (
    select previous_channel, channel, is_last, outcome, count(*) as steps
    from (
        select * from lead_steps
        union all
        select * from visitor_steps
    ) as steps
    group by previous_channel, channel, is_last, outcome
),

-- A step enters its channel from the previous one's (or 'start') unless it repeats it; a
-- path's last step leaves to its outcome.
transitions as (
    select coalesce(previous_channel, 'start') as from_state, channel as to_state, steps
    from step_counts
    where previous_channel is null or previous_channel <> channel
    union all
    select channel as from_state, outcome as to_state, steps
    from step_counts
    where is_last
)

select
    from_state,
    to_state,
    cast(sum(steps) as bigint) as transitions
from transitions
group by from_state, to_state
