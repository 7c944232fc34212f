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

sessions as (
    select
        client_id,
        ga_session_id,
        min(event_at) as started_at,
        max(ga_session_number) as session_number,
        count(*) as events
    from events
    group by client_id, ga_session_id
),

sourced_events as (
    select
        client_id,
        ga_session_id,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        gclid,
        page_location,
        device_category,
        row_number() over (
            partition by client_id, ga_session_id
            order by event_at, event_timestamp, event_name
        ) as source_rank
    from events
    where utm_source is not null or utm_medium is not null or utm_campaign is not null or gclid is not null
),

first_events as (
    select
        client_id,
        ga_session_id,
        page_location as landing_page,
        device_category,
        row_number() over (
            partition by client_id, ga_session_id
            order by event_at, event_timestamp, event_name
        ) as event_rank
    from events
),

joined as (
    select
        s.client_id,
        s.ga_session_id,
        s.client_id || '-' || cast(s.ga_session_id as text) as session_id,
        s.started_at,
        s.session_number,
        s.events,
        case
            when src.utm_source is not null then src.utm_source
            when src.gclid is not null then 'google'
            when src.utm_medium is not null or src.utm_campaign is not null then '(not set)'
            else '(direct)'
        end as utm_source,
        case
            when src.utm_medium is not null then src.utm_medium
            when src.gclid is not null and src.utm_source is null then 'cpc'
            when src.utm_source is not null or src.utm_campaign is not null then '(not set)'
            else '(none)'
        end as utm_medium,
        src.utm_campaign,
        src.utm_content,
        src.utm_term,
        src.gclid,
        f.landing_page,
        f.device_category,
        {{ build_stamp() }} as rebuilt_at
    from sessions as s
    left join sourced_events as src
        on src.client_id = s.client_id
        and src.ga_session_id = s.ga_session_id
        and src.source_rank = 1
    left join first_events as f
        on f.client_id = s.client_id
        and f.ga_session_id = s.ga_session_id
        and f.event_rank = 1
)

select * from joined
