with source as (
    {{ raw_source('bitrix24', 'deals', {
        'id': 'text', 'title': 'text', 'lead_id': 'text', 'contact_id': 'text',
        'stage_id': 'text', 'stage_semantic_id': 'text', 'closed': 'text',
        'closedate': 'timestamptz', 'date_create': 'timestamptz', 'date_modify': 'timestamptz',
        'opportunity': 'numeric(18, 2)', 'currency_id': 'text', 'assigned_by_id': 'text',
    }) }}
),

renamed as (
    select
        id as deal_id,
        title,
        nullif(nullif(lead_id, ''), '0') as lead_id,
        nullif(nullif(contact_id, ''), '0') as crm_contact_id,
        stage_id,
        upper(stage_semantic_id) as stage_semantic,
        date_create as created_at,
        date_modify as modified_at,
        case when upper(stage_semantic_id) in ('S', 'F') then coalesce(closedate, date_modify) end as closed_at,
        opportunity as amount,
        upper(currency_id) as currency,
        nullif(assigned_by_id, '0') as manager_id
    from source
)

select * from renamed
