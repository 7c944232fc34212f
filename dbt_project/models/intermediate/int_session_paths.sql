-- Each GA session's place in its visitor's path: the channel of the visitor's previous session
-- and whether it is the visitor's last one (int_markov_transitions counts the visitors' paths
-- from these), with the session's channel and bot / shared flag from int_sessions.
-- Narrow, apart from int_sessions: a returning visitor's new session changes the one before it
-- (no longer the last), and rewriting that here costs eight columns, not the session's twenty.
-- Incremental by visitor: a daily run rebuilds the paths of the visitors with a session
-- int_sessions rebuilt since this table's last build (the pre-hook lists them:
-- int_session_paths_visitors_to_build, macros/sessions.sql) and writes only the sessions whose
-- place came out different.
{{ config(materialized='incremental', unique_key='session_id', incremental_strategy='delete+insert',
          pre_hook="{% if is_incremental() %}{{ int_session_paths_visitors_to_build() }}{% endif %}") }}

{% if is_incremental() %}
-- The rebuilt sessions, and the visitors' other sessions as this table has them.
with rebuilt as (
    select session_id, client_id, started_at, channel, is_flagged_visitor
    from {{ ref('int_sessions') }}
    where rebuilt_at > {{ built_until() }}
),

to_build as (
    select
        *,
        true as is_rebuilt,
        cast(null as {{ dbt.type_string() }}) as built_previous_visit_channel,
        cast(null as {{ dbt.type_boolean() }}) as built_is_last_visit
    from rebuilt
    union all
    select session_id, client_id, started_at, channel, is_flagged_visitor, false, previous_visit_channel, is_last_visit
    from {{ this }}
    where client_id in (select client_id from int_session_paths__visitors_to_build)
        and session_id not in (select session_id from rebuilt)
),
{% else %}
with to_build as (
    select session_id, client_id, started_at, channel, is_flagged_visitor
    from {{ ref('int_sessions') }}
),
{% endif %}

paths as (
    select
        *,
        lag(channel) over visitor_path as previous_visit_channel,
        lead(started_at) over visitor_path is null as is_last_visit
    from to_build
    window visitor_path as (partition by client_id order by started_at, session_id)
)

select
    session_id,
    client_id,
    started_at,
    channel,
    is_flagged_visitor,
    previous_visit_channel,
    is_last_visit,
    {{ build_stamp() }} as rebuilt_at
from paths
{% if is_incremental() -%}
where is_rebuilt
    or built_previous_visit_channel is distinct from previous_visit_channel
    or built_is_last_visit <> is_last_visit
{%- endif %}
