with source as (
    {{ raw_source('google_ads', 'keyword_stats', {
        'customer_id': 'text', 'currency_code': 'text', 'date': 'date',
        'campaign_id': 'text', 'ad_group_id': 'text', 'criterion_id': 'text',
        'keyword_text': 'text', 'match_type': 'text',
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
        criterion_id,
        {{ normalize_utm('keyword_text') }} as keyword,
        match_type,
        cast(coalesce(cost, cost_micros / 1000000.0) as numeric(18, 6)) as cost,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks
    from source
)

select * from renamed
