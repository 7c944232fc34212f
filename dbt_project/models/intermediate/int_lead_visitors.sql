-- Identity stitching: each lead's visitors and its one match_method, the first that applies:
--   client_id  the lead carries a visitor id that is not a bot / shared id;
--   phone      its phone is the caller of an inbound dynamic-number call (that call's visitor);
--   utm        it has UTM fields of its own (no visitor: it is its own single touch);
--   unmatched  none of these.
with leads as (
    select * from {{ ref('int_leads') }}
),

flagged as (
    select client_id from {{ ref('int_visitors_flagged') }}
),

by_client_id as (
    select l.crm_source, l.lead_id, l.client_id
    from leads as l
    where l.client_id is not null
        and l.client_id not in (select client_id from flagged)
),

by_phone as (
    select p.crm_source, p.lead_id, p.client_id
    from {{ ref('int_lead_phone_visitors') }} as p
    where p.client_id not in (select client_id from flagged)
        and not exists (
            select 1 from by_client_id as b
            where b.lead_id = p.lead_id and b.crm_source = p.crm_source
        )
),

linked as (
    select crm_source, lead_id, client_id, 'client_id' as match_method from by_client_id
    union all
    select crm_source, lead_id, client_id, 'phone' as match_method from by_phone
)

select crm_source, lead_id, client_id, match_method from linked
union all
select
    l.crm_source,
    l.lead_id,
    cast(null as text) as client_id,
    case when l.is_untagged then 'unmatched' else 'utm' end as match_method
from leads as l
where not exists (
    select 1 from linked as k where k.lead_id = l.lead_id and k.crm_source = l.crm_source
)
