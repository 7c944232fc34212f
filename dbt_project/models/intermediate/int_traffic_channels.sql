-- Every source / medium / campaign seen on sessions (the export's and the Data API's daily
-- report's), calls and leads, with the channel the first matching channel_rules row gives it
-- ('Other' when none does). Empty values are matched as ''.
-- channel_changed_at: when this combination got its current channel (first seen, or the rules
-- moved it), so that int_sessions rebuilds exactly the sessions whose channel changed.
-- Incremental: a daily run adds the combinations of the sessions int_sessions_sourced rebuilt
-- since and matches every combination against the rules again (a small table).
{{ config(
    materialized='incremental',
    unique_key=['utm_source', 'utm_medium', 'utm_campaign'],
    incremental_strategy='delete+insert',
) }}

with keys as (
    select distinct utm_source, utm_medium, coalesce(utm_campaign, '') as utm_campaign
    from {{ ref('int_sessions_sourced') }}
    {% if is_incremental() %}
    where rebuilt_at > {{ built_until() }}
    union
    select utm_source, utm_medium, utm_campaign from {{ this }}
    {% endif %}
    union
    select distinct
        coalesce(utm_source, '(not set)'),
        coalesce(utm_medium, '(not set)'),
        coalesce(utm_campaign, '')
    from {{ ref('int_leads') }}
    union
    select distinct
        coalesce(utm_source, '(not set)'),
        coalesce(utm_medium, '(not set)'),
        coalesce(utm_campaign, '')
    from {{ ref('stg_ga4__daily_traffic') }}
    union
    select distinct
        call_source,
        call_medium,
        coalesce(call_campaign, '')
    from {{ ref('int_calls_sourced') }}
),

rules as (
    select * from {{ ref('channel_rules') }}
),

matches as (
    select
        k.utm_source,
        k.utm_medium,
        k.utm_campaign,
        r.channel,
        row_number() over (
            partition by k.utm_source, k.utm_medium, k.utm_campaign
            order by r.priority
        ) as rule_rank
    from keys as k
    inner join rules as r
        on {{ regex_match("case when k.utm_source = '(not set)' then '' else k.utm_source end", 'r.source_pattern') }}
        and {{ regex_match("case when k.utm_medium = '(not set)' then '' else k.utm_medium end", 'r.medium_pattern') }}
        and {{ regex_match('k.utm_campaign', 'r.campaign_pattern') }}
),

channels as (
    select k.utm_source, k.utm_medium, k.utm_campaign, coalesce(m.channel, 'Other') as channel
    from keys as k
    left join matches as m
        on m.utm_source = k.utm_source and m.utm_medium = k.utm_medium and m.utm_campaign = k.utm_campaign
        and m.rule_rank = 1
    where k.utm_source is not null and k.utm_medium is not null  -- a call without a source joins none
)

select
    c.utm_source,
    c.utm_medium,
    c.utm_campaign,
    c.channel,
    {% if is_incremental() -%}
    case when b.channel = c.channel then b.channel_changed_at else {{ build_stamp() }} end as channel_changed_at,
    {%- else -%}
    {{ build_stamp() }} as channel_changed_at,
    {%- endif %}
    {{ build_stamp() }} as rebuilt_at
from channels as c
{% if is_incremental() %}
left join {{ this }} as b
    on b.utm_source = c.utm_source and b.utm_medium = c.utm_medium and b.utm_campaign = c.utm_campaign
{% endif %}
