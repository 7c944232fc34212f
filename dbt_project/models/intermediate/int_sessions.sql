-- One row per GA session with its channel (channel_rules) and whether its visitor id is a bot
-- or shared id (such sessions count as sessions but are never touches).
select
    s.*,
    {{ local_date('s.started_at') }} as session_date,
    coalesce(c.channel, 'Other') as channel,
    (s.utm_source = '(direct)' and s.utm_medium = '(none)') as is_direct,
    (fv.client_id is not null) as is_flagged_visitor
from {{ ref('int_sessions_sourced') }} as s
left join {{ ref('int_traffic_channels') }} as c
    on c.utm_source = s.utm_source
    and c.utm_medium = s.utm_medium
    and c.utm_campaign = coalesce(s.utm_campaign, '')
left join {{ ref('int_visitors_flagged') }} as fv
    on fv.client_id = s.client_id
