-- Sessions per visitor id and local day (int_visitors_flagged finds the ids no person could own).
-- Incremental by day: a daily run recounts every day from the local day of the earliest session
-- int_sessions_sourced rebuilt since this table's last build.
{{ config(materialized='incremental', unique_key='session_date', incremental_strategy='delete+insert') }}

{% if is_incremental() %}
with rebuilt as (
    select {{ earliest_rebuilt(ref('int_sessions_sourced'), 'started_at') }} as earliest_at
),

sessions as (
    select client_id, {{ local_date('started_at') }} as session_date
    from {{ ref('int_sessions_sourced') }}
    -- a local day begins at most two days before the moment (the autumn clock change's lasts 25 hours)
    where started_at >= (select {{ dbt.dateadd('day', -2, 'earliest_at') }} from rebuilt)
)
{% else %}
with sessions as (
    select client_id, {{ local_date('started_at') }} as session_date
    from {{ ref('int_sessions_sourced') }}
)
{% endif %}

select
    client_id,
    session_date,
    count(*) as sessions,
    {{ build_stamp() }} as rebuilt_at
from sessions
{% if is_incremental() %}
where session_date >= (select {{ local_date('earliest_at') }} from rebuilt)
{% endif %}
group by client_id, session_date
