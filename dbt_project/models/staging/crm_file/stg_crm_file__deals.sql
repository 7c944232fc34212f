with source as (
    {{ raw_source('crm_file', 'deals', {
        'deal_id': 'text', 'lead_id': 'text', 'contact_phone': 'text', 'contact_phone_e164': 'text',
        'contact_email': 'text', 'created_at': 'timestamptz', 'closed_at': 'timestamptz',
        'stage': 'text', 'amount': 'numeric(18, 2)', 'currency': 'text', 'manager_id': 'text',
        'manager_name': 'text',
    }) }}
),

renamed as (
    select
        deal_id,
        nullif(trim(lead_id), '') as lead_id,
        nullif(trim(contact_phone_e164), '') as phone_e164,
        lower(nullif(trim(contact_email), '')) as email,
        created_at,
        closed_at,
        lower(trim(stage)) as stage,
        amount,
        upper(currency) as currency,
        {{ file_manager_id('manager_id', 'manager_name') }} as manager_id,
        {{ clean_name('manager_name') }} as manager_name
    from source
    where deal_id is not null
)

select * from renamed
