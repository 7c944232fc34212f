with source as (
    {{ raw_source('calltracking', 'calls', {
        'call_id': 'text', 'provider': 'text', 'started_at': 'timestamptz', 'direction': 'text',
        'answered': 'boolean', 'disposition': 'text', 'wait_seconds': 'bigint',
        'duration_seconds': 'bigint', 'talk_seconds': 'bigint', 'caller_phone_e164': 'text',
        'tracking_number': 'text', 'source_name': 'text', 'client_id': 'text',
        'utm_source': 'text', 'utm_medium': 'text', 'utm_campaign': 'text',
        'utm_content': 'text', 'utm_term': 'text', 'manager': 'text',
    }) }}
),

decoded as (
    select *, {{ decoded_utms() }}
    from source
),

renamed as (
    select
        call_id,
        provider,
        started_at,
        case when lower(direction) in ('in', 'inbound', 'incoming') then 'inbound' else 'outbound' end as direction,
        coalesce(answered, false) as is_answered,
        disposition,
        case when wait_seconds < 0 then 0 else wait_seconds end as wait_seconds,  -- NULL: not reported
        coalesce(duration_seconds, 0) as duration_seconds,
        coalesce(talk_seconds, 0) as talk_seconds,
        nullif(trim(caller_phone_e164), '') as caller_phone_e164,
        case
            when tracking_number is null or trim(tracking_number) = '' then null
            when trim(tracking_number) like '+%' then trim(tracking_number)
            else '+' || trim(tracking_number)
        end as tracking_number,
        nullif(trim(source_name), '') as source_name,
        nullif(trim(client_id), '') as client_id,
        {{ normalized_utms() }},
        nullif(trim(manager), '') as manager
    from decoded
    where call_id is not null and started_at is not null
)

select * from renamed
