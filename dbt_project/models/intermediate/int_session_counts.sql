-- Sessions per local date, channel, UTM fields and bot / shared flag, as the performance and
-- data-health marts count them: the BigQuery export's sessions one by one (int_sessions_daily),
-- and for a day the export has no session of (a property without the export, or the days before
-- it began) the GA4 Data API's daily report, summed over landing pages, with no visitor to flag.
-- is_paid_traffic: a paid channel on a paid medium, traffic an ad platform's campaign should
-- carry (a YouTube video's own link is Video, but unpaid); the data-health mart and its alert count
-- such sessions whose campaign no platform knows.
{{ config(materialized='view') }}

with exported as (
    select session_date, channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
        is_flagged_visitor, sessions
    from {{ ref('int_sessions_daily') }}
),

reported as (
    select
        t.traffic_date as session_date,
        coalesce(t.utm_source, '(not set)') as utm_source,
        coalesce(t.utm_medium, '(not set)') as utm_medium,
        t.utm_campaign,
        t.utm_content,
        t.utm_term,
        sum(t.sessions) as sessions
    from {{ ref('stg_ga4__daily_traffic') }} as t
    where not exists (select 1 from exported as e where e.session_date = t.traffic_date)
    group by 1, 2, 3, 4, 5, 6
),

counted as (
    select * from exported
    union all
    select
        r.session_date,
        coalesce(c.channel, 'Other') as channel,
        r.utm_source,
        r.utm_medium,
        r.utm_campaign,
        r.utm_content,
        r.utm_term,
        false as is_flagged_visitor,
        r.sessions
    from reported as r
    left join {{ ref('int_traffic_channels') }} as c
        on c.utm_source = r.utm_source
        and c.utm_medium = r.utm_medium
        and c.utm_campaign = coalesce(r.utm_campaign, '')
)

select
    *,
    coalesce(
        channel in ('Paid Search', 'Paid Social', 'Video') and utm_medium not in ('organic', 'referral', 'social'),
        false
    ) as is_paid_traffic
from counted
