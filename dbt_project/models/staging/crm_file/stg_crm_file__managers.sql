with source as (
    {{ raw_source('crm_file', 'managers', {
        'manager_id': 'text', 'manager_name': 'text', 'email': 'text',
    }) }}
),

renamed as (
    select
        manager_id,
        manager_name,
        lower(nullif(trim(email), '')) as email
    from source
    where manager_id is not null
)

select * from renamed
