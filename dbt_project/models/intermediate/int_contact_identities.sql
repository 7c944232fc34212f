-- What each contact's paths are built from besides its sessions and calls, as one fingerprint:
-- every lead of the contact with its phone, its own UTM fields and the visitors it is linked to.
-- rebuilt_at moves only when the fingerprint does, so int_touch_paths rebuilds the paths of a
-- contact whose lead was edited in the CRM (UTMs set later, a client id filled in, a visitor
-- link dropped when the id turned out to be shared), however old its conversions are.
-- The fingerprint sums a hash of each lead (order-free, no string of all leads to build); a new
-- database version that hashes differently only makes one daily run rebuild every path.
{{ config(materialized='incremental', unique_key='contact_key', incremental_strategy='delete+insert') }}

with lead_visitors as (
    select crm_source, lead_id, string_agg(client_id, ',' order by client_id) as client_ids
    from {{ ref('int_lead_visitors') }}
    where client_id is not null
    group by crm_source, lead_id
),

identities as (
    select
        l.contact_key,
        count(*) as leads,
        sum({{ hash_number(
            "coalesce(l.crm_source, '-') || '|' || coalesce(l.lead_id, '-') || '|' || coalesce(l.phone_e164, '-')
            || '|' || coalesce(l.utm_source, '-') || '|' || coalesce(l.utm_medium, '-')
            || '|' || coalesce(l.utm_campaign, '-') || '|' || coalesce(l.utm_content, '-')
            || '|' || coalesce(l.utm_term, '-') || '|' || coalesce(v.client_ids, '-')"
        ) }} % 1000000007) as fingerprint
    from {{ ref('int_leads') }} as l
    left join lead_visitors as v on v.crm_source = l.crm_source and v.lead_id = l.lead_id
    group by l.contact_key
)

select contact_key, leads, fingerprint, {{ build_stamp() }} as rebuilt_at
from identities
{% if is_incremental() %}
where not exists (
    select 1 from {{ this }} as built
    where built.contact_key = identities.contact_key
        and built.leads = identities.leads
        and built.fingerprint = identities.fingerprint
)
{% endif %}
