with source as (
    {{ raw_source('bitrix24', 'lead_stage_history', {
        'id': 'text', 'type_id': 'text', 'owner_id': 'text', 'created_time': 'timestamptz',
        'status_id': 'text', 'status_semantic_id': 'text',
    }) }}
),

renamed as (
    select
        id as history_id,
        cast(type_id as integer) as change_type,
        owner_id as lead_id,
        created_time as changed_at,
        status_id,
        upper(status_semantic_id) as status_semantic
    from source
)

select * from renamed
