-- Each conversion's path: its contact's touches at or before the conversion time and at most
-- lookback_days x 24 h before it (boundary inclusive), ordered by time, then sessions before
-- calls, then id. A conversion with no touch gets one synthetic touch at the conversion time
-- from the lead's own UTM fields, or the channel (unattributed) when it has none.
-- Incremental by contact: a daily run rebuilds the paths of every contact whose conversions,
-- touches or visitor links the new data can change (see contacts_to_build); conversions that
-- are gone are deleted after the run.
-- depends_on: {{ ref('int_sessions') }}, {{ ref('int_calls_sourced') }}, {{ ref('int_lead_visitors') }}, {{ ref('int_contact_identities') }}
{{ config(
    materialized='incremental',
    unique_key='contact_key',
    incremental_strategy='delete+insert',
    post_hook=["{{ delete_vanished_conversions(this, ref('int_conversions'), one_row_per_conversion='touch_position = 1') }}"],
) }}

with all_conversions as (
    select * from {{ ref('int_conversions') }}
),

{% if is_incremental() %}
{% set reprocess_from = reprocess_cutoff('conversion_at') %}
-- (a conversion's first touch carries its fields: no distinct over every touch)
built_conversions as (
    select conversion_type, crm_source, conversion_id, contact_key, conversion_at
    from {{ this }}
    where touch_position = 1
),

-- Conversions that are new, or moved to another contact or time, and the contacts they left.
changed_contacts as (
    select c.contact_key
    from all_conversions as c
    left join built_conversions as b
        on b.conversion_type = c.conversion_type and b.crm_source = c.crm_source and b.conversion_id = c.conversion_id
    where b.conversion_id is null or b.contact_key <> c.contact_key or b.conversion_at <> c.conversion_at
    union
    select b.contact_key
    from built_conversions as b
    inner join all_conversions as c
        on c.conversion_type = b.conversion_type and c.crm_source = b.crm_source and c.conversion_id = b.conversion_id
    where c.contact_key <> b.contact_key
),

-- the window's visitors, and those of older sessions rebuilt since (a backfill of past days)
recent_visitors as (
    select distinct client_id
    from {{ ref('int_sessions') }}
    where started_at >= {{ reprocess_from }}
    union
    select client_id
    from {{ ref('int_sessions') }}
    where rebuilt_at > {{ built_until() }}
),

-- the window's callers, and those of older calls rebuilt since: restated, arrived late, or
-- re-typed (a number found to be dynamic, a tracking_numbers row edited)
recent_callers as (
    select distinct caller_phone_e164
    from {{ ref('int_calls_sourced') }}
    where (started_at >= {{ reprocess_from }} or rebuilt_at > {{ built_until() }})
        and caller_phone_e164 is not null
),

-- Contacts the window's sessions and calls can reach: through a lead's own visitor id (bot or
-- not: a flag may have just changed), a visitor linked to a lead by phone, a phone that called,
-- and every contact sharing a visitor id with a changed contact (the shared-id flag counts leads);
-- the contacts whose leads' phones, UTMs or visitor links changed (int_contact_identities); and
-- those whose path holds a call that is gone from the call tracker.
contacts_to_build as (
    select contact_key from changed_contacts
    union
    select contact_key from {{ ref('int_contact_identities') }}
    where rebuilt_at > {{ built_until() }}
    union
    select contact_key from {{ ref('int_leads') }}
    where client_id in (select client_id from recent_visitors)
        or phone_e164 in (select caller_phone_e164 from recent_callers)
    union
    select l.contact_key
    from {{ ref('int_lead_visitors') }} as lv
    inner join {{ ref('int_leads') }} as l on l.lead_id = lv.lead_id and l.crm_source = lv.crm_source
    where lv.client_id in (select client_id from recent_visitors)
    union
    select contact_key from all_conversions
    where contact_key in (select caller_phone_e164 from recent_callers)
    union
    select shared.contact_key
    from {{ ref('int_leads') }} as changed
    inner join {{ ref('int_leads') }} as shared on shared.client_id = changed.client_id
    where changed.contact_key in (select contact_key from changed_contacts)
    union
    select contact_key from {{ this }}
    where touch_type = 'call' and touch_id not in (select call_id from {{ ref('int_calls_sourced') }})
),

conversions as (
    select * from all_conversions
    where contact_key in (select contact_key from contacts_to_build)
),

touches as (
    {{ contact_touches('select contact_key from contacts_to_build') }}
),
{% else %}
conversions as (
    select * from all_conversions
),

touches as (
    {{ contact_touches() }}
),
{% endif %}

in_window as (
    select
        c.conversion_type,
        c.conversion_id,
        c.crm_source,
        c.conversion_at,
        c.contact_key,
        t.touch_type,
        t.touch_id,
        t.touched_at,
        t.channel,
        t.is_direct,
        t.utm_source,
        t.utm_medium,
        t.utm_campaign,
        t.utm_content,
        t.utm_term
    from conversions as c
    inner join touches as t
        on t.contact_key = c.contact_key
        and t.touched_at <= c.conversion_at
        and ({{ epoch_seconds('c.conversion_at') }}) - ({{ epoch_seconds('t.touched_at') }})
            <= {{ var('lookback_days') }} * 86400
),

synthetic as (
    select
        c.conversion_type,
        c.conversion_id,
        c.crm_source,
        c.conversion_at,
        c.contact_key,
        'synthetic' as touch_type,
        c.conversion_type || ':' || c.conversion_id as touch_id,
        c.conversion_at as touched_at,
        case when l.is_untagged or l.lead_id is null then '(unattributed)' else coalesce(ch.channel, 'Other') end as channel,
        coalesce(l.utm_source = '(direct)' and l.utm_medium = '(none)', false) as is_direct,
        l.utm_source,
        l.utm_medium,
        l.utm_campaign,
        l.utm_content,
        l.utm_term
    from conversions as c
    left join {{ ref('int_leads') }} as l
        on l.lead_id = c.lead_id and l.crm_source = c.crm_source
    left join {{ ref('int_traffic_channels') }} as ch
        on ch.utm_source = coalesce(l.utm_source, '(not set)')
        and ch.utm_medium = coalesce(l.utm_medium, '(not set)')
        and ch.utm_campaign = coalesce(l.utm_campaign, '')
    where not exists (
        select 1 from in_window as w
        where w.conversion_type = c.conversion_type
            and w.conversion_id = c.conversion_id
            and w.crm_source = c.crm_source
    )
),

all_touches as (
    select * from in_window
    union all
    select * from synthetic
)

select
    *,
    row_number() over (
        partition by conversion_type, crm_source, conversion_id
        order by touched_at, case touch_type when 'session' then 0 when 'call' then 1 else 2 end, touch_id
    ) as touch_position,
    count(*) over (partition by conversion_type, crm_source, conversion_id) as path_length,
    -- the Markov credits split a channel's share of the conversion equally over these
    count(*) over (partition by conversion_type, crm_source, conversion_id, channel) as channel_touches,
    ({{ days_between('touched_at', 'conversion_at') }}) as days_before_conversion,
    {{ build_stamp() }} as rebuilt_at
from all_touches
