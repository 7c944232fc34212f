-- Visitor ids no person could own: more than max_sessions_per_visitor_day sessions on one
-- (local) day, or linked by client id to more than max_leads_per_visitor leads.
with busy as (
    select client_id, 'sessions_per_day' as reason
    from {{ ref('int_visitor_days') }}
    where sessions > {{ var('max_sessions_per_visitor_day') }}
    group by client_id
),

shared as (
    select client_id, 'leads_per_visitor' as reason
    from {{ ref('int_leads') }}
    where client_id is not null
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
