with source as (
    {{ raw_source('bitrix24', 'users', {
        'id': 'text', 'name': 'text', 'last_name': 'text', 'email': 'text', 'active': 'boolean',
    }) }}
),

renamed as (
    select
        id as manager_id,
        trim(coalesce(name, '') || ' ' || coalesce(last_name, '')) as manager_name,
        lower(nullif(trim(email), '')) as email,
        active as is_active
    from source
)

select * from renamed
