-- One row per GA session (client_id + ga_session_id) with its traffic source.
-- The source is the first event of the session that carries UTMs or a gclid; a gclid alone is
-- Google Ads auto-tagging (google / cpc); nothing at all is (direct) / (none).
-- Incremental: a daily run rebuilds the sessions with events in the reprocess window, from all
-- their events (a session runs at most a day before the window).
{{ config(materialized='incremental', unique_key='session_id', incremental_strategy='delete+insert') }}

{% if is_incremental() %}
with cutoff as (
    select {{ reprocess_cutoff('started_at') }} as reprocess_from
),

recent_sessions as (
    select distinct e.client_id, e.ga_session_id
    from {{ ref('stg_ga4__events') }} as e
    where e.event_at >= (select reprocess_from from cutoff)
),

events as (
    select e.*
    from {{ ref('stg_ga4__events') }} as e
    inner join recent_sessions as r
        on r.client_id = e.client_id and r.ga_session_id = e.ga_session_id
    where e.event_at >= (select {{ dbt.dateadd('day', -1, 'reprocess_from') }} from cutoff)
),
{% else %}
with events as (
    select * from {{ ref('stg_ga4__events') }}
),
{% endif %}

{%- set event_order = 'event_at, event_timestamp, event_name' -%}
{%- set carries_source = 'utm_source is not null or utm_medium is not null or utm_campaign is not null or gclid is not null' -%}
sessions as (
    select
        client_id,
        ga_session_id,
        min(event_at) as started_at,
        max(ga_session_number) as session_number,
        count(*) as events,
        {%- for column in ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid'] %}
        {{ first_by(column, event_order, carries_source) }} as source_{{ column }},
        {%- endfor %}
        {{ first_by('page_location', event_order) }} as landing_page,
        {{ first_by('device_category', event_order) }} as device_category
    from events
    group by client_id, ga_session_id
)

select
    client_id,
    ga_session_id,
    client_id || '-' || cast(ga_session_id as text) as session_id,
    started_at,
    session_number,
    events,
    case
        when source_utm_source is not null then source_utm_source
        when source_gclid is not null then 'google'
        when source_utm_medium is not null or source_utm_campaign is not null then '(not set)'
        else '(direct)'
    end as utm_source,
    case
        when source_utm_medium is not null then source_utm_medium
        when source_gclid is not null and source_utm_source is null then 'cpc'
        when source_utm_source is not null or source_utm_campaign is not null then '(not set)'
        else '(none)'
    end as utm_medium,
    source_utm_campaign as utm_campaign,
    source_utm_content as utm_content,
    source_utm_term as utm_term,
    source_gclid as gclid,
    landing_page,
    device_category,
    {{ build_stamp() }} as rebuilt_at
from sessions
