-- Sessions per local date, channel, UTM fields and bot / shared flag: what the performance and
-- data-health marts count, without reading every session each day.
-- Incremental by date: a daily run recounts every date from the earliest one that holds a
-- session int_sessions rebuilt since this table's last build.
{{ config(materialized='incremental', unique_key='session_date', incremental_strategy='delete+insert') }}

select
    session_date,
    channel,
    utm_source,
    utm_medium,
    utm_campaign,
    utm_content,
    utm_term,
    is_flagged_visitor,
    count(*) as sessions,
    {{ build_stamp() }} as rebuilt_at
from {{ ref('int_sessions') }}
{% if is_incremental() %}
where session_date >= {{ earliest_rebuilt(ref('int_sessions'), 'session_date') }}
{% endif %}
group by session_date, channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term, is_flagged_visitor
