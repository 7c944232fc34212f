-- Leads with a duplicate flag: another lead of the same contact was created less than 24 h
-- earlier (a double form submit, a call and a form for one request). Duplicates stay leads;
-- the data-health mart counts them.
select
    l.*,
    exists (
        select 1
        from {{ ref('int_leads') }} as earlier
        where earlier.contact_key = l.contact_key
            and earlier.created_at <= l.created_at
            and (earlier.created_at < l.created_at or earlier.lead_id < l.lead_id)
            and ({{ epoch_seconds('l.created_at') }}) - ({{ epoch_seconds('earlier.created_at') }}) < 86400
    ) as is_duplicate
from {{ ref('int_leads') }} as l
