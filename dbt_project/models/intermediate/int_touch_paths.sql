-- Each conversion's path: its contact's touches at or before the conversion time and at most
-- lookback_days x 24 h before it (boundary inclusive), ordered by time, then sessions before
-- calls, then id. A conversion with no touch gets one synthetic touch at the conversion time
-- from the lead's own UTM fields, or the channel (unattributed) when it has none.
with conversions as (
    select * from {{ ref('int_conversions') }}
),

touches as (
    select * from {{ ref('int_touches') }}
),

in_window as (
    select
        c.conversion_type,
        c.conversion_id,
        c.crm_source,
        c.conversion_at,
        t.touch_type,
        t.touch_id,
        t.touched_at,
        t.channel,
        t.is_direct,
        t.utm_source,
        t.utm_medium,
        t.utm_campaign,
        t.utm_content,
        t.utm_term
    from conversions as c
    inner join touches as t
        on t.contact_key = c.contact_key
        and t.touched_at <= c.conversion_at
        and ({{ epoch_seconds('c.conversion_at') }}) - ({{ epoch_seconds('t.touched_at') }})
            <= {{ var('lookback_days') }} * 86400
),

synthetic as (
    select
        c.conversion_type,
        c.conversion_id,
        c.crm_source,
        c.conversion_at,
        'synthetic' as touch_type,
        c.conversion_type || ':' || c.conversion_id as touch_id,
        c.conversion_at as touched_at,
        case when l.is_untagged or l.lead_id is null then '(unattributed)' else coalesce(ch.channel, 'Other') end as channel,
        coalesce(l.utm_source = '(direct)' and l.utm_medium = '(none)', false) as is_direct,
        l.utm_source,
        l.utm_medium,
        l.utm_campaign,
        l.utm_content,
        l.utm_term
    from conversions as c
    left join {{ ref('int_leads') }} as l
        on l.lead_id = c.lead_id and l.crm_source = c.crm_source
    left join {{ ref('int_traffic_channels') }} as ch
        on ch.utm_source = coalesce(l.utm_source, '(not set)')
        and ch.utm_medium = coalesce(l.utm_medium, '(not set)')
        and ch.utm_campaign = coalesce(l.utm_campaign, '')
    where not exists (
        select 1 from in_window as w
        where w.conversion_type = c.conversion_type
            and w.conversion_id = c.conversion_id
            and w.crm_source = c.crm_source
    )
),

all_touches as (
    select * from in_window
    union all
    select * from synthetic
)

select
    *,
    row_number() over (
        partition by conversion_type, crm_source, conversion_id
        order by touched_at, case touch_type when 'session' then 0 when 'call' then 1 else 2 end, touch_id
    ) as touch_position,
    count(*) over (partition by conversion_type, crm_source, conversion_id) as path_length,
    ({{ days_between('touched_at', 'conversion_at') }}) as days_before_conversion
from all_touches
