with source as (
    {{ raw_source('ga4', 'daily_traffic', {
        'date': 'text', 'session_source': 'text', 'session_medium': 'text',
        'session_campaign_name': 'text', 'session_manual_ad_content': 'text', 'session_manual_term': 'text',
        'sessions': 'bigint', 'total_users': 'bigint',
    }) }}
),

renamed as (
    select
        case
            when length(date) = 8
                then cast(substr(date, 1, 4) || '-' || substr(date, 5, 2) || '-' || substr(date, 7, 2) as date)
            else cast(date as date)
        end as traffic_date,
        {{ normalize_utm('session_source') }} as utm_source,
        {{ normalize_utm('session_medium') }} as utm_medium,
        {{ normalize_utm('session_campaign_name', label=true) }} as utm_campaign,
        {{ normalize_utm('session_manual_ad_content', label=true) }} as utm_content,
        {{ normalize_utm('session_manual_term', label=true) }} as utm_term,
        coalesce(sessions, 0) as sessions,
        coalesce(total_users, 0) as users
    from source
)

select * from renamed
