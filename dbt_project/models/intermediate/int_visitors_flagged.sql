-- Visitor ids no person could own: more than max_sessions_per_visitor_day sessions on one
-- (local) day, or linked to more than max_leads_per_visitor leads, by the lead's own client id
-- or by the lead's phone calling a dynamic number with that visitor (both ways a lead can link).
with busy as (
    select client_id, 'sessions_per_day' as reason
    from {{ ref('int_visitor_days') }}
    where sessions > {{ var('max_sessions_per_visitor_day') }}
    group by client_id
),

lead_links as (
    select crm_source, lead_id, client_id
    from {{ ref('int_leads') }}
    where client_id is not null
    union
    select crm_source, lead_id, client_id
    from {{ ref('int_lead_phone_visitors') }}
),

shared as (
    select client_id, 'leads_per_visitor' as reason
    from lead_links
    group by client_id
    having count(*) > {{ var('max_leads_per_visitor') }}
),

flagged as (
    select * from busy
    union all
    select * from shared
)

select client_id, min(reason) as reason
from flagged
group by client_id
