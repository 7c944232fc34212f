-- Calls with their traffic source. A dynamic-number call (the tracking_numbers seed says so, or,
-- for numbers not listed there, any call to that number carried a visitor's client id: calls from
-- a dynamic pool often come without one, no GA cookie or an ad blocker) takes the source of
-- that visitor's latest session started at or before the call; a static-number call takes the
-- source of its number: the tracking_numbers seed, else the call's own UTMs, else the
-- provider's source name with medium "offline".
-- Incremental by call: a daily run rebuilds the calls that are new or changed (their record or
-- their tracking number's seed row) and every call at or after the earliest session
-- int_sessions_sourced rebuilt since this table's last build (only those can get another
-- latest session); calls gone from the source are deleted after the run.
{{ config(
    materialized='incremental',
    unique_key='call_id',
    incremental_strategy='delete+insert',
    post_hook=["delete from {{ this }} where call_id not in (select call_id from {{ ref('stg_calltracking__calls') }})"],
) }}

with calls as (
    select * from {{ ref('stg_calltracking__calls') }}
),

numbers as (
    select
        case when trim(tracking_number) like '+%' then trim(tracking_number) else '+' || trim(tracking_number) end as tracking_number,
        case lower(trim(number_type)) when 'dynamic' then 'dynamic' when 'static' then 'static' end as number_type,
        {{ normalize_utm('source') }} as utm_source,
        {{ normalize_utm('medium') }} as utm_medium,
        {{ normalize_utm('campaign', label=true) }} as utm_campaign
    from {{ ref('tracking_numbers') }}
),

typed as (
    select
        c.*,
        coalesce(n.number_type, case
            when {{ dbt.bool_or('c.client_id is not null') }} over (partition by coalesce(c.tracking_number, c.call_id))
                then 'dynamic'
            else 'static'
        end) as number_type,
        n.utm_source as number_source,
        n.utm_medium as number_medium,
        n.utm_campaign as number_campaign
    from calls as c
    left join numbers as n
        on n.tracking_number = c.tracking_number
),

{% if is_incremental() %}
{%- set derived = ['session_id', 'call_source', 'call_medium', 'call_campaign', 'rebuilt_at'] -%}
{%- set typed_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | reject('in', derived) | list %}
changed as (
    select {{ typed_columns | join(', ') }} from typed
    except
    select {{ typed_columns | join(', ') }} from {{ this }}
),

to_build as (
    select * from typed
    where call_id in (select call_id from changed)
        or started_at >= {{ earliest_rebuilt(ref('int_sessions_sourced'), 'started_at') }}
),
{% else %}
to_build as (
    select * from typed
),
{% endif %}

-- Which session is each call's: over three narrow columns of every session first, then the
-- chosen sessions' UTM fields (the join on started_at lets DuckDB skip the row groups of other
-- dates, the sessions table being in time order).
latest_sessions as (
    select call_id, session_id, started_at
    from (
        select
            c.call_id,
            s.session_id,
            s.started_at,
            row_number() over (partition by c.call_id order by s.started_at desc, s.session_id desc) as recency
        from to_build as c
        inner join {{ ref('int_sessions_sourced') }} as s
            on s.client_id = c.client_id
            and s.started_at <= c.started_at
        where c.client_id is not null
    ) as candidates
    where recency = 1
),

visitor_sessions as (
    select
        l.call_id,
        s.session_id,
        {{ utm_columns('s') }}
    from latest_sessions as l
    inner join {{ ref('int_sessions_sourced') }} as s
        on s.session_id = l.session_id
        and s.started_at = l.started_at
)

select
    c.*,
    vs.session_id,
    case
        when c.number_type = 'dynamic' then coalesce(vs.utm_source, c.utm_source, '(direct)')
        else coalesce(c.number_source, c.utm_source, {{ normalize_utm('c.source_name') }}, '(not set)')
    end as call_source,
    case
        when c.number_type = 'dynamic' then coalesce(vs.utm_medium, c.utm_medium, '(none)')
        else coalesce(c.number_medium, c.utm_medium, 'offline')
    end as call_medium,
    case
        when c.number_type = 'dynamic' then coalesce(vs.utm_campaign, c.utm_campaign)
        else coalesce(c.number_campaign, c.utm_campaign)
    end as call_campaign,
    {{ build_stamp() }} as rebuilt_at
from to_build as c
left join visitor_sessions as vs
    on vs.call_id = c.call_id
