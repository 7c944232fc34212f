-- One row per GA session with its channel (channel_rules) and whether its visitor id is a bot
-- or shared id (such sessions count as sessions but are never touches).
-- Incremental: a daily run rebuilds the sessions int_sessions_sourced rebuilt, those of visitors
-- whose bot / shared flag changed, and those whose source / medium / campaign got another
-- channel (int_traffic_channels.channel_changed_at). rebuilt_at stamps the rows this model
-- rebuilt (int_visitor_transitions picks up their visitors).
{{ config(materialized='incremental', unique_key='session_id', incremental_strategy='delete+insert') }}

with sourced as (
    select * from {{ ref('int_sessions_sourced') }}
),

flagged as (
    select client_id from {{ ref('int_visitors_flagged') }}
),

channels as (
    select * from {{ ref('int_traffic_channels') }}
),

{% if is_incremental() %}
flag_changes as (
    select client_id from flagged
    where client_id in (select client_id from {{ this }} where not is_flagged_visitor)
    union
    select client_id from {{ this }}
    where is_flagged_visitor and client_id not in (select client_id from flagged)
),

channel_changes as (
    select utm_source, utm_medium, utm_campaign
    from channels
    where channel_changed_at > (select {{ built_until() }} from {{ this }})
),

to_build as (
    select * from sourced
    where rebuilt_at > (select {{ built_until() }} from {{ this }})
    union
    select s.* from sourced as s
    inner join flag_changes as f on f.client_id = s.client_id
    union
    select s.* from sourced as s
    inner join channel_changes as cc
        on cc.utm_source = s.utm_source
        and cc.utm_medium = s.utm_medium
        and cc.utm_campaign = coalesce(s.utm_campaign, '')
)
{% else %}
to_build as (
    select * from sourced
)
{% endif %}

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
    {{ build_stamp() }} as rebuilt_at,
    {{ local_date('s.started_at') }} as session_date,
    coalesce(c.channel, 'Other') as channel,
    (s.utm_source = '(direct)' and s.utm_medium = '(none)') as is_direct,
    (fv.client_id is not null) as is_flagged_visitor
from to_build as s
left join channels as c
    on c.utm_source = s.utm_source
    and c.utm_medium = s.utm_medium
    and c.utm_campaign = coalesce(s.utm_campaign, '')
left join flagged as fv
    on fv.client_id = s.client_id
