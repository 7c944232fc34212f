-- One row per GA session (client_id + ga_session_id) with its traffic source (the macro
-- sessions_from_events says how it is chosen).
-- Incremental: a daily run rebuilds the sessions with events in the reprocess window (from the
-- earliest day a GA4 load since the last build wrote, when a backfill wrote older days), from all
-- their events (read from a day before the window, or from a longer session's start:
-- session_events_read_from), and writes only those that are new or came out different, with a
-- new rebuilt_at (a week's sessions are rebuilt, a day's change). A full build goes in batches of
-- sessions (session_build_batches) to stay within memory.
{{ config(
    materialized='incremental',
    unique_key='session_id',
    incremental_strategy='delete_insert_recent',
    recent_by='started_at',
    post_hook=["{{ insert_remaining_session_batches() }}"],
) }}

{% if is_incremental() %}
{% set reprocess_from = reprocess_cutoff('started_at', loaded_from=('ga4', 'events', 'event_date')) %}
{% set read_from = session_events_read_from(reprocess_from) %}
-- event_date (the property's local date, within a day of the UTC time) narrows the scan first.
with recent_sessions as (
    select distinct e.client_id, e.ga_session_id
    from {{ ref('stg_ga4__events') }} as e
    where e.event_date >= cast({{ dbt.dateadd('day', -1, reprocess_from) }} as date)
        and e.event_at >= {{ reprocess_from }}
),

events as (
    select e.*
    from {{ ref('stg_ga4__events') }} as e
    inner join recent_sessions as r
        on r.client_id = e.client_id and r.ga_session_id = e.ga_session_id
    where e.event_date >= cast({{ dbt.dateadd('day', -1, read_from) }} as date)
        and e.event_at >= {{ read_from }}
)

{%- set compared = adapter.get_columns_in_relation(this) | map(attribute='name') | reject('equalto', 'rebuilt_at') | list %}
-- A session that came out as it was is left as it is, so the models downstream redo only the
-- sessions that changed, and the run rewrites (and the checkpoint compresses) a day's sessions,
-- not the window's (old versions started at most a day before the window, or a long session's
-- earlier: it is rewritten).
select sessions.*
from ({{ sessions_from_events('events') }}) as sessions
left join {{ this }} as built
    on built.session_id = sessions.session_id
    and built.started_at >= {{ dbt.dateadd('day', -2, reprocess_from) }}
where built.session_id is null
    {%- for column in compared %}
    or sessions.{{ column }} is distinct from built.{{ column }}
    {%- endfor %}
{% else %}
{{ sessions_from_events(ref('stg_ga4__events'), session_build_batches()[0]) }}
{% endif %}
