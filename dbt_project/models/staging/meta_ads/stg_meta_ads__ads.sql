with source as (
    {{ raw_source('meta_ads', 'ads', {
        'id': 'text', 'account_id': 'text', 'name': 'text', 'adset_id': 'text',
        'campaign_id': 'text', 'effective_status': 'text', 'creative_id': 'text',
        'url_tags': 'text', 'link': 'text',
    }) }}
),

renamed as (
    select
        id as ad_id,
        account_id,
        name as ad_name,
        adset_id as ad_group_id,
        campaign_id,
        effective_status,
        creative_id,
        url_tags,
        link as destination_url
    from source
)

select * from renamed
