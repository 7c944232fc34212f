with source as (
    {{ raw_source('crm_file', 'leads', {
        'lead_id': 'text', 'created_at': 'timestamptz', 'status': 'text', 'non_target': 'boolean',
        'manager_id': 'text', 'manager_name': 'text', 'phone': 'text', 'phone_e164': 'text',
        'email': 'text', 'client_id': 'text',
        'utm_source': 'text', 'utm_medium': 'text', 'utm_campaign': 'text',
        'utm_content': 'text', 'utm_term': 'text', 'first_response_at': 'timestamptz',
    }) }}
),

decoded as (
    select *, {{ decoded_utms() }}
    from source
),

renamed as (
    select
        lead_id,
        created_at,
        status,
        coalesce(non_target, false) as is_non_target,
        {{ file_manager_id('manager_id', 'manager_name') }} as manager_id,
        {{ clean_name('manager_name') }} as manager_name,
        nullif(trim(phone_e164), '') as phone_e164,
        lower(nullif(trim(email), '')) as email,
        nullif(trim(client_id), '') as client_id,
        {{ normalized_utms() }},
        first_response_at
    from decoded
    where lead_id is not null
)

select * from renamed
