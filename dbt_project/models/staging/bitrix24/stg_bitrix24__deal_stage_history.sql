with source as (
    {{ raw_source('bitrix24', 'deal_stage_history', {
        'id': 'text', 'type_id': 'text', 'owner_id': 'text', 'created_time': 'timestamptz',
        'stage_id': 'text', 'stage_semantic_id': 'text',
    }) }}
),

renamed as (
    select
        id as history_id,
        cast(type_id as integer) as change_type,
        owner_id as deal_id,
        created_time as changed_at,
        stage_id,
        upper(stage_semantic_id) as stage_semantic
    from source
)

select * from renamed
