with source as (
    {{ raw_source('fx_rates', 'rates', {
        'currency': 'text', 'rate': 'numeric(18, 6)', 'rate_date': 'date',
    }) }}
),

renamed as (
    select
        upper(currency) as currency,
        rate_date,
        rate as uah_per_unit
    from source
    where rate > 0
)

select * from renamed
