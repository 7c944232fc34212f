with source as (
    {{ raw_source('google_ads', 'ad_stats', {
        'customer_id': 'text', 'currency_code': 'text', 'date': 'date',
        'campaign_id': 'text', 'ad_group_id': 'text', 'ad_group_name': 'text',
        'ad_id': 'text', 'ad_name': 'text', 'final_urls': 'text', 'ad_final_url_suffix': 'text',
        'cost': 'numeric(18, 6)', 'cost_micros': 'bigint',
        'impressions': 'bigint', 'clicks': 'bigint',
    }) }}
),

renamed as (
    select
        customer_id as account_id,
        upper(currency_code) as currency,
        date as spend_date,
        campaign_id,
        ad_group_id,
        ad_group_name,
        ad_id,
        ad_name,
        final_urls,
        ad_final_url_suffix,
        cast(coalesce(cost, cost_micros / 1000000.0) as numeric(18, 6)) as cost,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks
    from source
)

select * from renamed
