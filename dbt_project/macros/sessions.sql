{#- Sessions from GA4 events (client_id + ga_session_id), with their traffic source: the first
    event of the session that carries UTMs or a gclid; a gclid is Google Ads auto-tagging, google /
    cpc, unless the UTMs name another source (GA4's export often records such a click as google /
    organic); nothing at all is (direct) / (none). `events` is a relation or CTE with the columns
    of stg_ga4__events, `where` an optional filter on it. -#}
{% macro sessions_from_events(events, where=none) -%}
    {%- set event_order = 'event_at, event_timestamp, event_name' -%}
    {%- set carries_source = 'utm_source is not null or utm_medium is not null or utm_campaign is not null or gclid is not null' -%}
    with sessions as (
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
        from {{ events }}
        {% if where %}where {{ where }}{% endif %}
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
            when source_gclid is not null and coalesce(source_utm_source, 'google') = 'google' then 'cpc'
            when source_utm_medium is not null then source_utm_medium
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
{%- endmacro %}

{#- Where a daily run of int_sessions_sourced reads its sessions' events from: a day before
    `reprocess_from`, or the first event of a session already running then when that is earlier.
    GA4 sets no longest session (a page that keeps sending events keeps its session for days) but
    ends one after at most 7 h 55 min without an event, so a session running from before that day
    into the window has events in the first 8 hours of both. Read before the model runs: a constant
    bound skips the row groups of older events. -#}
{% macro session_events_read_from(reprocess_from) -%}
    {%- set day_before = dbt.dateadd('day', -1, reprocess_from) -%}
    {%- if not execute -%}{{ return(day_before) }}{%- endif -%}
    {%- set events = ref('stg_ga4__events') -%}
    {%- set long_sessions -%}
        {{ sessions_with_an_event_in_8_hours_from(events, day_before) }}
        intersect
        {{ sessions_with_an_event_in_8_hours_from(events, reprocess_from) }}
    {%- endset -%}
    {%- set session_ids = run_query(long_sessions).columns[0].values() | list -%}
    {%- if not session_ids -%}{{ return(day_before) }}{%- endif -%}
    {#- by ga_session_id alone (the session's start time in GA4: its events sit together): another
        visitor's session of the same id only moves the bound earlier -#}
    {%- set first_event = run_query('select min(event_at) from ' ~ events ~ ' where event_at < ' ~ day_before
                                    ~ ' and ga_session_id in (' ~ session_ids | join(', ') ~ ')').columns[0].values()[0] -%}
    {%- if first_event is none -%}{{ return(day_before) }}{%- endif -%}
    {{ return("cast('" ~ first_event.isoformat(" ") ~ "' as timestamp with time zone)") }}
{%- endmacro %}

{#- (ga_session_id, client_id) of the sessions with an event in the 8 hours from `since`. -#}
{% macro sessions_with_an_event_in_8_hours_from(events, since) -%}
    select distinct ga_session_id, client_id
    from {{ events }}
    where event_date >= cast({{ dbt.dateadd('day', -1, since) }} as date)
        and event_date <= cast({{ dbt.dateadd('hour', 32, since) }} as date)
        and event_at >= {{ since }}
        and event_at < {{ dbt.dateadd('hour', 8, since) }}
{%- endmacro %}

{#- A full build of int_sessions_sourced aggregates the events in batches of at most about
    var('events_per_build_batch') events: a session's first values are strings that DuckDB keeps
    in memory (they do not spill to disk), so one pass over tens of millions of events would need
    more memory than a small machine has. A batch is a range of ga_session_id, so no session is
    split; as GA4 sets it to the session's start time, a range is also a span of days, and the
    scan skips the rest of the table. Returns the batches' filters ([none]: one pass). -#}
{% macro session_build_batches() -%}
    {%- if not execute or is_incremental() -%}{{ return([none]) }}{%- endif -%}
    {%- set row = run_query('select count(*), min(ga_session_id), max(ga_session_id) from ' ~ ref('stg_ga4__events')).rows[0] -%}
    {%- set per_batch = var('events_per_build_batch') | int -%}
    {%- set batches = ((row[0] | int) + per_batch - 1) // per_batch -%}
    {%- if batches <= 1 -%}{{ return([none]) }}{%- endif -%}
    {%- set first = row[1] | int -%}
    {%- set width = ((row[2] | int) - first) // batches + 1 -%}
    {%- set filters = [] -%}
    {%- for batch in range(batches) -%}
        {%- do filters.append('ga_session_id >= ' ~ (first + batch * width) ~ ' and ga_session_id < ' ~ (first + (batch + 1) * width)) -%}
    {%- endfor -%}
    {{ return(filters) }}
{%- endmacro %}

{#- Post-hook of int_sessions_sourced: the batches after the first (the model selects that). -#}
{% macro insert_remaining_session_batches() -%}
    {%- for batch in session_build_batches()[1:] %}
    insert into {{ this }}
    select * from ({{ sessions_from_events(ref('stg_ga4__events'), batch) }}) as sessions;
    {%- endfor %}
{%- endmacro %}

{#- Pre-hook of a daily int_sessions run: the visitors whose sessions it rebuilds though
    int_sessions_sourced did not (see the model), as the temporary table
    int_sessions__visitors_to_build. A table, not a CTE: DuckDB knows how few rows a table holds,
    while it guessed millions for the CTE and so hashed all ten million built sessions to find the
    visitors' (3.4 of the model's 7.5 s of CPU in a daily run at L). -#}
{% macro int_sessions_visitors_to_build() -%}
    drop table if exists int_sessions__visitors_to_build;
    create temporary table int_sessions__visitors_to_build as
    with flagged as (
        select client_id from {{ ref('int_visitors_flagged') }}
    ),

    -- flagged now but not before, or before but not now (both sets are small)
    flag_changes as (
        (select client_id from flagged
         except
         select client_id from {{ this }} where is_flagged_visitor)
        union
        (select client_id from {{ this }} where is_flagged_visitor
         except
         select client_id from flagged)
    ),

    channel_changes as (
        select utm_source, utm_medium, utm_campaign
        from {{ ref('int_traffic_channels') }}
        where channel_changed_at > {{ built_until() }}
    )

    select client_id from flag_changes
    union
    select s.client_id from {{ ref('int_sessions_sourced') }} as s
    inner join channel_changes as cc
        on cc.utm_source = s.utm_source
        and cc.utm_medium = s.utm_medium
        and cc.utm_campaign = coalesce(s.utm_campaign, '')
{%- endmacro %}

{#- Pre-hook of a daily int_session_paths run: the visitors with a session int_sessions rebuilt
    since (see the model), as the temporary table int_session_paths__visitors_to_build (a table
    for the reason above). -#}
{% macro int_session_paths_visitors_to_build() -%}
    drop table if exists int_session_paths__visitors_to_build;
    create temporary table int_session_paths__visitors_to_build as
    select distinct client_id from {{ ref('int_sessions') }}
    where rebuilt_at > {{ built_until() }}
{%- endmacro %}
