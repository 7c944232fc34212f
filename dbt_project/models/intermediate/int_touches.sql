-- Every touch of every contact: sessions of its (non-bot) visitors, and calls to static
-- (offline) tracking numbers made from its phones. Dynamic-number calls add no touch.
-- A view: int_touch_paths reads it for the contacts it rebuilds only.
{{ config(materialized='view') }}

with contact_visitors as (
    select distinct l.contact_key, lv.client_id
    from {{ ref('int_lead_visitors') }} as lv
    inner join {{ ref('int_leads') }} as l
        on l.lead_id = lv.lead_id and l.crm_source = lv.crm_source
    where lv.client_id is not null
),

contact_phones as (
    select distinct contact_key, phone_e164
    from {{ ref('int_leads') }}
    where phone_e164 is not null
    union
    select distinct contact_key, contact_key as phone_e164
    from {{ ref('int_deals') }}
    where contact_key like '+%'
),

session_touches as (
    select
        cv.contact_key,
        'session' as touch_type,
        s.session_id as touch_id,
        s.started_at as touched_at,
        s.channel,
        s.is_direct,
        s.utm_source,
        s.utm_medium,
        s.utm_campaign,
        s.utm_content,
        s.utm_term
    from contact_visitors as cv
    inner join {{ ref('int_sessions') }} as s
        on s.client_id = cv.client_id
    where not s.is_flagged_visitor
),

call_touches as (
    select
        cp.contact_key,
        'call' as touch_type,
        c.call_id as touch_id,
        c.started_at as touched_at,
        c.channel,
        c.is_direct,
        c.utm_source,
        c.utm_medium,
        c.utm_campaign,
        c.utm_content,
        c.utm_term
    from contact_phones as cp
    inner join {{ ref('int_calls') }} as c
        on c.caller_phone_e164 = cp.phone_e164
    where c.number_type = 'static'
        and c.direction = 'inbound'
)

select * from session_touches
union all
select * from call_touches
