-- Is every source complete and is tracking intact: per local date x source, rows that arrived,
-- when the source last loaded, leads without any source, how leads were matched to visitors,
-- spend on campaigns no session or lead carries, paid sessions whose campaign no ad platform
-- knows, duplicate leads, bot / shared visitor ids, and bad values in files (each
-- in rejected_rows: a bad required value set its row aside, a bad optional one was left empty).
with loads as (
    select source_name, max(inserted_at) as last_loaded_at
    from {{ ref('stg_dlt__loads') }}
    group by source_name
),

lead_matches as (
    select crm_source, lead_id, min(match_method) as match_method
    from {{ ref('int_lead_visitors') }}
    group by crm_source, lead_id
),

carried_campaigns as (
    select distinct platform, campaign_id from {{ ref('int_campaign_matches') }}
),

lead_rows as (
    select
        l.lead_date as date,
        l.crm_source as source_name,
        1 as rows_loaded,
        case when l.is_untagged then 1 else 0 end as leads_without_source,
        case when m.match_method = 'client_id' then 1 else 0 end as leads_matched_by_client_id,
        case when m.match_method = 'phone' then 1 else 0 end as leads_matched_by_phone,
        case when m.match_method = 'utm' then 1 else 0 end as leads_matched_by_utm,
        case when m.match_method = 'unmatched' then 1 else 0 end as leads_unmatched,
        0 as spend_without_sessions,
        0 as sessions_unknown_campaign,
        case when l.is_duplicate then 1 else 0 end as duplicate_leads,
        0 as flagged_sessions,
        0 as rows_rejected
    from {{ ref('int_leads') }} as l
    left join lead_matches as m on m.lead_id = l.lead_id and m.crm_source = l.crm_source
),

spend_rows as (
    select
        s.spend_date as date,
        case when s.platform = 'manual' then 'manual_costs' else s.platform end as source_name,
        1 as rows_loaded,
        0, 0, 0, 0, 0,
        -- a manual cost without a campaign (a retainer, an agency fee) belongs to no campaign
        case when s.campaign_id is not null and cc.campaign_id is null then s.spend else 0 end as spend_without_sessions,
        0, 0, 0, 0
    from {{ ref('int_ad_spend') }} as s
    left join carried_campaigns as cc on cc.platform = s.platform and cc.campaign_id = s.campaign_id
),

session_rows as (
    select
        s.session_date as date,
        'ga4' as source_name,
        s.sessions as rows_loaded,
        0, 0, 0, 0, 0, 0,
        case
            when s.is_paid_traffic
                and s.utm_campaign is not null
                and m.campaign_id is null
            then s.sessions else 0
        end as sessions_unknown_campaign,
        0,
        case when s.is_flagged_visitor then s.sessions else 0 end as flagged_sessions,
        0
    from {{ ref('int_session_counts') }} as s
    left join {{ ref('int_campaign_matches') }} as m
        on m.utm_campaign = s.utm_campaign and m.channel = s.channel and m.is_chosen
),

call_rows as (
    select call_date as date, 'calltracking' as source_name, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from {{ ref('int_calls') }}
),

-- one row per currency and day: a day without rates shows as a gap
rate_rows as (
    select rate_date as date, 'fx_rates' as source_name, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from {{ ref('stg_fx_rates__rates') }}
),

rejected_rows as (
    select
        {{ local_date('current_timestamp') }} as date,
        source_name,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1 as rows_rejected
    from (
        select source_name from {{ ref('stg_crm_file__rejected_rows') }}
        union all
        select source_name from {{ ref('stg_manual_costs__rejected_rows') }}
    ) as r
),

all_rows as (
    select * from lead_rows
    union all select * from spend_rows
    union all select * from session_rows
    union all select * from call_rows
    union all select * from rate_rows
    union all select * from rejected_rows
),

daily as (
    select
        date,
        source_name as source,
        {{ count_sum('rows_loaded') }} as rows_loaded,
        {{ count_sum('leads_without_source') }} as leads_without_source,
        {{ count_sum('leads_matched_by_client_id') }} as leads_matched_by_client_id,
        {{ count_sum('leads_matched_by_phone') }} as leads_matched_by_phone,
        {{ count_sum('leads_matched_by_utm') }} as leads_matched_by_utm,
        {{ count_sum('leads_unmatched') }} as leads_unmatched,
        cast(sum(spend_without_sessions) as numeric(20, 6)) as spend_without_sessions,
        {{ count_sum('sessions_unknown_campaign') }} as sessions_unknown_campaign,
        {{ count_sum('duplicate_leads') }} as duplicate_leads,
        {{ count_sum('flagged_sessions') }} as flagged_sessions,
        {{ count_sum('rows_rejected') }} as rows_rejected
    from all_rows
    group by date, source_name
),

flagged_ids as (
    select session_date as date, count(distinct client_id) as flagged_visitor_ids
    from {{ ref('int_sessions') }}
    where is_flagged_visitor
    group by session_date
)

select
    d.*,
    case when d.source = 'ga4' then coalesce(fi.flagged_visitor_ids, 0) else 0 end as flagged_visitor_ids,
    l.last_loaded_at
from daily as d
left join loads as l on l.source_name = d.source
left join flagged_ids as fi on fi.date = d.date and d.source = 'ga4'
