with source as (
    {{ raw_source('bitrix24', 'contacts', {
        'id': 'text', 'date_create': 'timestamptz', 'lead_id': 'text',
        'phone_e164': 'text', 'email_normalized': 'text',
    }) }}
),

renamed as (
    select
        id as crm_contact_id,
        date_create as created_at,
        nullif(lead_id, '0') as lead_id,
        nullif(trim(phone_e164), '') as phone_e164,
        lower(nullif(trim(email_normalized), '')) as email
    from source
)

select * from renamed
