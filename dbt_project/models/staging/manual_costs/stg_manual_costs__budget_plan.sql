with source as (
    {{ raw_source('manual_costs', 'budget_plan', {
        'month': 'text', 'channel': 'text', 'campaign_id': 'text',
        'planned_spend': 'numeric(18, 2)', 'currency': 'text',
    }) }}
),

renamed as (
    select
        cast(trim(month) || '-01' as date) as month_start,
        {{ known_channel("source.channel") }} as channel,
        nullif(trim(campaign_id), '') as campaign_id,
        planned_spend,
        upper(trim(currency)) as currency
    from source
)

select * from renamed
