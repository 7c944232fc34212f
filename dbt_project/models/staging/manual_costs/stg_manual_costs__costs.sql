with source as (
    {{ raw_source('manual_costs', 'costs', {
        'date_from': 'date', 'date_to': 'date', 'channel': 'text', 'campaign': 'text',
        'amount': 'numeric(18, 2)', 'currency': 'text', 'description': 'text',
        'source_file': 'text', 'row_number': 'bigint',
    }) }}
),

renamed as (
    select
        date_from,
        date_to,
        {{ known_channel("source.channel") }} as channel,
        {{ normalize_utm('campaign', label=true) }} as campaign,
        amount,
        upper(trim(currency)) as currency,
        description,
        source_file,
        row_number
    from source
)

select * from renamed
