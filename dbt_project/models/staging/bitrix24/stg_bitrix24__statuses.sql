with source as (
    {{ raw_source('bitrix24', 'statuses', {
        'entity_id': 'text', 'status_id': 'text', 'name': 'text', 'semantics': 'text', 'sort': 'bigint',
    }) }}
),

renamed as (
    select
        entity_id,
        status_id,
        name as status_name,
        upper(semantics) as semantics,
        sort as sort_order
    from source
)

select * from renamed
