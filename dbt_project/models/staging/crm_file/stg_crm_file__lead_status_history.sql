with source as (
    {{ raw_source('crm_file', 'lead_status_history', {
        'lead_id': 'text', 'changed_at': 'timestamptz', 'status': 'text',
    }) }}
),

renamed as (
    select
        lead_id,
        changed_at,
        status
    from source
    where lead_id is not null
)

select * from renamed
