-- What each contact's paths are built from besides its sessions and calls, as one fingerprint:
-- every lead of the contact with its phone and its own UTM fields, and every visitor a lead of
-- it is linked to. rebuilt_at moves only when the fingerprint does, so int_touch_paths rebuilds
-- the paths of a contact whose lead was edited in the CRM (UTMs set later, a client id filled
-- in, a visitor link dropped when the id turned out to be shared), however old its conversions.
-- The fingerprint counts and sums a hash of each lead and link (order-free: no string of them
-- all to build); a new database version that hashes differently only makes one daily run
-- rebuild every path.
{{ config(materialized='incremental', unique_key='contact_key', incremental_strategy='delete+insert') }}

with parts as (
    select
        contact_key,
        {{ hash_number(['crm_source', 'lead_id', 'phone_e164', 'utm_source', 'utm_medium', 'utm_campaign',
                        'utm_content', 'utm_term']) }} % 1000000007 as part_hash
    from {{ ref('int_leads') }}
    union all
    select
        l.contact_key,
        {{ hash_number(['lv.crm_source', 'lv.lead_id', 'lv.client_id']) }} % 1000000007
    from {{ ref('int_lead_visitors') }} as lv
    inner join {{ ref('int_leads') }} as l on l.crm_source = lv.crm_source and l.lead_id = lv.lead_id
    where lv.client_id is not null
),

identities as (
    select contact_key, count(*) as parts, sum(part_hash) as fingerprint
    from parts
    group by contact_key
)

select contact_key, parts, fingerprint, {{ build_stamp() }} as rebuilt_at
from identities
{% if is_incremental() %}
where not exists (
    select 1 from {{ this }} as built
    where built.contact_key = identities.contact_key
        and built.parts = identities.parts
        and built.fingerprint = identities.fingerprint
)
{% endif %}
