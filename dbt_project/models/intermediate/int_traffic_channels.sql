-- Every source / medium / campaign seen on sessions, calls and leads, with the channel the
-- first matching channel_rules row gives it. Empty values are matched as ''.
with keys as (
    select distinct utm_source, utm_medium, coalesce(utm_campaign, '') as utm_campaign
    from {{ ref('int_sessions_sourced') }}
    union
    select distinct
        coalesce(utm_source, '(not set)'),
        coalesce(utm_medium, '(not set)'),
        coalesce(utm_campaign, '')
    from {{ ref('int_leads') }}
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
)

select
    utm_source,
    utm_medium,
    utm_campaign,
    channel
from matches
where rule_rank = 1
