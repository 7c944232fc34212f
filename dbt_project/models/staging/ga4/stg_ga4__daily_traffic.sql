with source as (
    {{ raw_source('ga4', 'daily_traffic', {
        'date': 'text', 'session_source': 'text', 'session_medium': 'text',
        'session_campaign_name': 'text', 'session_manual_ad_content': 'text', 'session_manual_term': 'text',
        'sessions': 'bigint', 'total_users': 'bigint',
    }) }}
),

decoded as (
    select
        *,
        {{ decoded_utms('session_source', 'session_medium', 'session_campaign_name',
                        'session_manual_ad_content', 'session_manual_term') }}
    from source
),

renamed as (
    select
        case
            when length(date) = 8
                then cast(substr(date, 1, 4) || '-' || substr(date, 5, 2) || '-' || substr(date, 7, 2) as date)
            else cast(date as date)
        end as traffic_date,
        {{ normalized_utms() }},
        coalesce(sessions, 0) as sessions,
        coalesce(total_users, 0) as users
    from decoded
)

select * from renamed
