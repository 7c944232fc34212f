-- One row per GA session with its channel (channel_rules), whether its visitor id is a bot or
-- shared id (such sessions count as sessions but are never touches), and its place in its
-- visitor's path: the channel of the visitor's previous session and whether it is the last one
-- (int_markov_transitions counts the visitors' paths from these).
-- Incremental by visitor: a daily run rebuilds every session of the visitors that have a session
-- int_sessions_sourced rebuilt, whose bot / shared flag changed, or that have a session whose
-- source / medium / campaign got another channel (int_traffic_channels.channel_changed_at); the
-- pre-hook lists them (int_sessions_visitors_to_build, macros/sessions.sql). It writes only the
-- sessions that come out different.
-- rebuilt_at is when the session's counted facts (source, time, channel, flag) last changed, so
-- int_sessions_daily recounts only those days, not every day of a returning visitor.
{{ config(materialized='incremental', unique_key='session_id', incremental_strategy='delete+insert',
          pre_hook="{% if is_incremental() %}{{ int_sessions_visitors_to_build() }}{% endif %}") }}

with flagged as (
    select client_id from {{ ref('int_visitors_flagged') }}
),

channels as (
    select * from {{ ref('int_traffic_channels') }}
),

{% if is_incremental() %}
{%- set session_columns = 'client_id, ga_session_id, session_id, started_at, session_number, events, utm_source, '
    ~ 'utm_medium, utm_campaign, utm_content, utm_term, gclid, landing_page, device_category' %}
-- The sessions int_sessions_sourced rebuilt since this table's last build, and the visitors'
-- other sessions as this table has them with their built channel, flag and stamp: a session that
-- changes there is restamped, so one not rebuilt since is here as it is there (one pass over ten
-- million sessions instead of two).
resourced as (
    select {{ session_columns }}
    from {{ ref('int_sessions_sourced') }}
    where rebuilt_at > {{ built_until() }}
),

to_build as (
    select
        {{ session_columns }},
        true as is_resourced,
        cast(null as {{ dbt.type_string() }}) as built_channel,
        cast(null as {{ dbt.type_boolean() }}) as built_is_flagged_visitor,
        cast(null as {{ dbt.type_timestamp() }}) as built_rebuilt_at,
        cast(null as {{ dbt.type_string() }}) as built_previous_visit_channel,
        cast(null as {{ dbt.type_boolean() }}) as built_is_last_visit
    from resourced
    union all
    select {{ session_columns }}, false, channel, is_flagged_visitor, rebuilt_at, previous_visit_channel, is_last_visit
    from {{ this }}
    where client_id in (select client_id from int_sessions__visitors_to_build)
        and session_id not in (select session_id from resourced)
),
{% else %}
to_build as (
    select * from {{ ref('int_sessions_sourced') }}
),
{% endif %}

-- Read twice, computed twice: materialised, ten million wide rows would not fit in memory.
with_channel as not materialized (
    select
        s.*,
        coalesce(c.channel, 'Other') as channel,
        (fv.client_id is not null) as is_flagged_visitor
    from to_build as s
    left join channels as c
        on c.utm_source = s.utm_source
        and c.utm_medium = s.utm_medium
        and c.utm_campaign = coalesce(s.utm_campaign, '')
    left join flagged as fv
        on fv.client_id = s.client_id
),

-- The visitor's path over narrow rows (a window keeps its whole input in memory).
visitor_paths as (
    select
        session_id,
        lag(channel) over visitor_path as previous_visit_channel,
        lead(started_at) over visitor_path is null as is_last_visit
    from with_channel
    window visitor_path as (partition by client_id order by started_at, session_id)
)

select
    s.client_id,
    s.ga_session_id,
    s.session_id,
    s.started_at,
    s.session_number,
    s.events,
    s.utm_source,
    s.utm_medium,
    s.utm_campaign,
    s.utm_content,
    s.utm_term,
    s.gclid,
    s.landing_page,
    s.device_category,
    {% if is_incremental() -%}
    {#- the session's counted facts changed: it is restamped -#}
    {%- set facts_changed = 's.is_resourced or s.built_channel <> s.channel or s.built_is_flagged_visitor <> s.is_flagged_visitor' %}
    case
        when {{ facts_changed }}
            then {{ build_stamp() }}
        else s.built_rebuilt_at
    end as rebuilt_at,
    {%- else -%}
    {{ build_stamp() }} as rebuilt_at,
    {%- endif %}
    {{ local_date('s.started_at') }} as session_date,
    s.channel,
    (s.utm_source = '(direct)' and s.utm_medium = '(none)') as is_direct,
    s.is_flagged_visitor,
    p.previous_visit_channel,
    p.is_last_visit
from with_channel as s
inner join visitor_paths as p on p.session_id = s.session_id
{% if is_incremental() -%}
-- only the sessions that come out different: a returning visitor's new session and the one
-- before it, not all the visitor's history again
where {{ facts_changed }}
    or s.built_previous_visit_channel is distinct from p.previous_visit_channel
    or s.built_is_last_visit <> p.is_last_visit
{%- endif %}
