with source as (
    {{ raw_source('bitrix24', 'leads', {
        'id': 'text', 'title': 'text', 'status_id': 'text', 'status_semantic_id': 'text',
        'source_id': 'text', 'assigned_by_id': 'text', 'contact_id': 'text',
        'date_create': 'timestamptz', 'date_modify': 'timestamptz',
        'opportunity': 'numeric(18, 2)', 'currency_id': 'text',
        'utm_source': 'text', 'utm_medium': 'text', 'utm_campaign': 'text',
        'utm_content': 'text', 'utm_term': 'text',
        'phone_e164': 'text', 'email_normalized': 'text', 'client_id': 'text',
    }) }}
),

decoded as (
    select *, {{ decoded_utms() }}
    from source
),

renamed as (
    select
        id as lead_id,
        title,
        status_id,
        upper(status_semantic_id) as status_semantic,
        source_id,
        nullif(assigned_by_id, '0') as manager_id,
        nullif(contact_id, '0') as crm_contact_id,
        date_create as created_at,
        date_modify as modified_at,
        {{ normalized_utms() }},
        nullif(trim(phone_e164), '') as phone_e164,
        lower(nullif(trim(email_normalized), '')) as email,
        nullif(trim(client_id), '') as client_id
    from decoded
)

select * from renamed
