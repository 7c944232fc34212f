-- Every visitor's own path for the Markov chain, as transition counts: its sessions in time
-- order from 'start', ending in 'null', consecutive repeats of a channel collapsed (they do not
-- change the result). int_markov_transitions keeps the visitors never linked to a lead and not
-- flagged as a bot or shared id.
-- Incremental by visitor: a daily run recounts the visitors whose sessions int_sessions rebuilt
-- since this table's last build.
{{ config(materialized='incremental', unique_key='client_id', incremental_strategy='delete+insert') }}

with sessions as (
    select client_id, session_id, started_at, channel
    from {{ ref('int_sessions') }}
    {% if is_incremental() %}
    where client_id in (
        select client_id from {{ ref('int_sessions') }}
        where rebuilt_at > (select {{ built_until() }} from {{ this }})
    )
    {% endif %}
),

steps as (
    select
        client_id,
        channel,
        lag(channel) over path as previous_channel,
        lead(started_at) over path is null as is_last
    from sessions
    window path as (partition by client_id order by started_at, session_id)
),

transitions as (
    select client_id, coalesce(previous_channel, 'start') as from_state, channel as to_state
    from steps
    where previous_channel is null or previous_channel <> channel
    union all
    select client_id, channel as from_state, 'null' as to_state
    from steps
    where is_last
)

select
    client_id,
    from_state,
    to_state,
    count(*) as transitions,
    {{ build_stamp() }} as rebuilt_at
from transitions
group by client_id, from_state, to_state
