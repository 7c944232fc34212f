with source as (
    {{ raw_source('ga4', 'events', {
        'event_date': 'date', 'event_timestamp': 'bigint', 'event_at': 'timestamptz',
        'event_name': 'text', 'user_pseudo_id': 'text', 'ga_session_id': 'bigint',
        'ga_session_number': 'bigint', 'page_location': 'text',
        'source': 'text', 'medium': 'text', 'campaign': 'text', 'content': 'text', 'term': 'text',
        'gclid': 'text', 'device_category': 'text', 'geo_country': 'text', 'client_id': 'text',
    }) }}
),

decoded as (
    select *, {{ decoded_utms('source', 'medium', 'campaign', 'content', 'term') }}
    from source
),

renamed as (
    select
        user_pseudo_id as client_id,
        ga_session_id,
        ga_session_number,
        event_name,
        event_date,
        coalesce(event_at, to_timestamp(event_timestamp / 1000000.0)) as event_at,
        event_timestamp,
        page_location,
        {{ normalized_utms() }},
        nullif(trim(gclid), '') as gclid,
        device_category,
        geo_country,
        nullif(trim(client_id), '') as form_client_id
    from decoded
    where user_pseudo_id is not null
      and ga_session_id is not null
)

select * from renamed
