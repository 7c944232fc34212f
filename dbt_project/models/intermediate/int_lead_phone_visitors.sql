-- The visitors each lead's phone called from: one row per lead x visitor id, the client id of an
-- inbound tracked (dynamic-number) call whose caller is the lead's phone. Identity stitching's
-- phone match (int_lead_visitors) and the shared-id count (int_visitors_flagged, which
-- int_lead_visitors reads) both read it, bot / shared ids included: each filters them itself.
select distinct
    l.crm_source,
    l.lead_id,
    c.client_id
from {{ ref('int_leads') }} as l
inner join {{ ref('int_calls_sourced') }} as c
    on c.caller_phone_e164 = l.phone_e164
    and c.direction = 'inbound'
    and c.client_id is not null
where l.phone_e164 is not null
