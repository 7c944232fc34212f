-- One row per CRM lead: when, who handled it, how fast, whether non-target, and how it was
-- matched to website visitors (match_method). Contact data appears only as a salted hash.
-- A view, as the other facts: int_leads is the table under it, and rewriting every lead's row
-- each day cost more than its readers spend computing it.
{{ config(materialized='view') }}

with visitors as (
    select crm_source, lead_id, min(match_method) as match_method, count(client_id) as visitors
    from {{ ref('int_lead_visitors') }}
    group by crm_source, lead_id
),

last_touch as (
    select crm_source, conversion_id, channel
    from {{ ref('int_attribution_rule_weights') }}
    where conversion_type = 'lead' and weight_last_touch = 1
)

select
    l.lead_id,
    l.crm_source,
    l.created_at,
    l.lead_date,
    l.status,
    l.is_non_target,
    not l.is_non_target as is_qualified,
    l.is_processed,
    l.first_response_at,
    l.first_response_minutes,
    l.manager_id,
    l.utm_source,
    l.utm_medium,
    l.utm_campaign,
    l.utm_content,
    l.utm_term,
    l.is_untagged,
    v.match_method,
    v.visitors,
    coalesce(lt.channel, '(unattributed)') as last_touch_channel,
    md5('{{ env_var("THROUGHLINE_BI_SALT", "throughline") }}' || l.contact_key) as contact_hash,
    l.is_duplicate
from {{ ref('int_leads') }} as l
left join visitors as v on v.lead_id = l.lead_id and v.crm_source = l.crm_source
left join last_touch as lt on lt.conversion_id = l.lead_id and lt.crm_source = l.crm_source
