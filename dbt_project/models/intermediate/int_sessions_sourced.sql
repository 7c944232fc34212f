-- One row per GA session (client_id + ga_session_id) with its traffic source (the macro
-- sessions_from_events says how it is chosen).
-- Incremental: a daily run rebuilds the sessions with events in the reprocess window, from all
-- their events (a session runs at most a day before the window). A full build goes in batches
-- of sessions (session_build_batches) to stay within memory.
{{ config(
    materialized='incremental',
    unique_key='session_id',
    incremental_strategy='delete+insert',
    post_hook=["{{ insert_remaining_session_batches() }}"],
) }}

{% if is_incremental() %}
{% set reprocess_from = reprocess_cutoff('started_at') %}
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
    where e.event_date >= cast({{ dbt.dateadd('day', -2, reprocess_from) }} as date)
        and e.event_at >= {{ dbt.dateadd('day', -1, reprocess_from) }}
)

select * from ({{ sessions_from_events('events') }}) as sessions
{% else %}
{{ sessions_from_events(ref('stg_ga4__events'), session_build_batches()[0]) }}
{% endif %}
