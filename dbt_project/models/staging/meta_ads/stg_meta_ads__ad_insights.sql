with source as (
    {{ raw_source('meta_ads', 'ad_insights', {
        'account_id': 'text', 'account_currency': 'text',
        'campaign_id': 'text', 'campaign_name': 'text', 'adset_id': 'text', 'adset_name': 'text',
        'ad_id': 'text', 'ad_name': 'text', 'date_start': 'date',
        'spend': 'numeric(18, 6)', 'impressions': 'bigint', 'clicks': 'bigint', 'leads': 'bigint',
    }) }}
),

renamed as (
    select
        account_id,
        upper(account_currency) as currency,
        date_start as spend_date,
        campaign_id,
        campaign_name,
        adset_id as ad_group_id,
        adset_name as ad_group_name,
        ad_id,
        ad_name,
        cast(coalesce(spend, 0) as numeric(18, 6)) as cost,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        coalesce(leads, 0) as platform_leads
    from source
)

select * from renamed
