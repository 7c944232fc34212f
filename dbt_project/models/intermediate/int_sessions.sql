-- One row per GA session with its channel (channel_rules) and whether its visitor id is a bot or
-- shared id (such sessions count as sessions but are never touches); int_session_paths has each
-- session's place in its visitor's path.
-- Incremental: a daily run rebuilds the sessions int_sessions_sourced rebuilt, those of the
-- visitors whose bot / shared flag changed, and those of the visitors with a session whose
-- source / medium / campaign got another channel (int_traffic_channels.channel_changed_at); the
-- pre-hook lists those visitors (int_sessions_visitors_to_build, macros/sessions.sql). It writes
-- only the sessions whose counted facts (source, time, channel, flag) changed; rebuilt_at is when
-- they last did, so int_sessions_daily recounts only those days.
-- Its columns sync (on_schema_change): an older release's two path columns, now in
-- int_session_paths, are dropped by the first run after the upgrade.
{{ config(materialized='incremental', unique_key='session_id', incremental_strategy='delete+insert',
          on_schema_change='sync_all_columns',
          pre_hook="{% if is_incremental() %}{{ int_sessions_visitors_to_build() }}{% endif %}") }}

with flagged as (
    select client_id from {{ ref('int_visitors_flagged') }}
),

channels as (
    select * from {{ ref('int_traffic_channels') }}
),

{%- set session_columns = 'client_id, ga_session_id, session_id, started_at, session_number, events, utm_source, '
    ~ 'utm_medium, utm_campaign, utm_content, utm_term, gclid, landing_page, device_category' %}
{% if is_incremental() %}
-- The sessions int_sessions_sourced rebuilt since this table's last build, and the other sessions
-- of the visitors whose flag or a channel changed as this table has them with their built channel
-- and flag (usually none: DuckDB then reads none of this table's ten million rows).
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
        cast(null as {{ dbt.type_boolean() }}) as built_is_flagged_visitor
    from resourced
    union all
    select {{ session_columns }}, false, channel, is_flagged_visitor
    from {{ this }}
    where client_id in (select client_id from int_sessions__visitors_to_build)
        and session_id not in (select session_id from resourced)
),
{% else %}
to_build as (
    select * from {{ ref('int_sessions_sourced') }}
),
{% endif %}

with_channel as (
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
)

select
    {{ session_columns }},
    {{ build_stamp() }} as rebuilt_at,
    {{ local_date('started_at') }} as session_date,
    channel,
    (utm_source = '(direct)' and utm_medium = '(none)') as is_direct,
    is_flagged_visitor
from with_channel
{% if is_incremental() -%}
-- only the sessions whose counted facts changed
where is_resourced or built_channel <> channel or built_is_flagged_visitor <> is_flagged_visitor
{%- endif %}
