-- Every CRM lead (Bitrix24 and CRM export file), with its contact key, processing facts,
-- whether the sales team marked it non-target, and a duplicate flag: another lead of the same
-- contact was created less than 24 h earlier (a double form submit, a call and a form for one
-- request). Duplicates stay leads; the data-health mart counts them.
-- contact_key: E.164 phone, else lower-cased e-mail (the lead's own, else its CRM contact's),
-- else its CRM contact's id (as a deal without a lead of that contact has it), else the lead's.
-- Recomputed whole each run; only the rows that differ are rewritten (strategy changed_rows).
{{ config(materialized='incremental', unique_key=['crm_source', 'lead_id'], incremental_strategy='changed_rows',
          on_schema_change='sync_all_columns') }}

with bitrix_history as (
    select
        lead_id,
        min(case when change_type in (2, 3) then changed_at end) as first_status_change_at,
        min(case when change_type = 1 then status_id end) as initial_status
    from {{ ref('stg_bitrix24__lead_stage_history') }}
    group by lead_id
),

bitrix_contacts as (
    select * from {{ ref('stg_bitrix24__contacts') }}
),

bitrix as (
    select
        l.lead_id,
        'bitrix24' as crm_source,
        l.created_at,
        l.status_id as status,
        coalesce(l.status_semantic = 'F', false) as is_non_target,
        l.manager_id,
        coalesce(l.phone_e164, bc.phone_e164) as phone_e164,
        coalesce(l.email, bc.email) as email,
        l.crm_contact_id,
        l.client_id,
        l.utm_source,
        l.utm_medium,
        l.utm_campaign,
        l.utm_content,
        l.utm_term,
        h.first_status_change_at as first_response_at,
        (
            h.first_status_change_at is not null
            or l.status_id <> coalesce(h.initial_status, 'NEW')
        ) as is_processed
    from {{ ref('stg_bitrix24__leads') }} as l
    left join bitrix_history as h on h.lead_id = l.lead_id
    left join bitrix_contacts as bc on bc.crm_contact_id = l.crm_contact_id
),

-- A row at the lead's creation (or before it) is its initial status, not a change; nor is a later
-- row repeating the status before it (the lead saved again, reassigned).
file_history_rows as (
    select
        h.lead_id,
        h.changed_at,
        h.status,
        h.changed_at > l.created_at as is_after_creation,
        lower(h.status) is distinct from lower(lag(h.status) over (partition by h.lead_id order by h.changed_at))
            as is_status_change
    from {{ ref('stg_crm_file__lead_status_history') }} as h
    inner join {{ ref('stg_crm_file__leads') }} as l on l.lead_id = h.lead_id
),

file_history as (
    select
        lead_id,
        min(case when is_after_creation and is_status_change then changed_at end) as first_status_change_at,
        {{ first_by('status', 'changed_at', 'not is_after_creation') }} as initial_status
    from file_history_rows
    group by lead_id
),

crm_file as (
    select
        l.lead_id,
        'crm_file' as crm_source,
        l.created_at,
        l.status,
        l.is_non_target,
        l.manager_id,
        l.phone_e164,
        l.email,
        cast(null as text) as crm_contact_id,
        l.client_id,
        l.utm_source,
        l.utm_medium,
        l.utm_campaign,
        l.utm_content,
        l.utm_term,
        -- The first status change in the file's history; the lead's own first_response_at column
        -- when the file has none. A lead marked non-target has left its initial status, and so
        -- has one whose status is no longer its history's status at creation (a history that
        -- stops at the creation row).
        coalesce(fh.first_status_change_at, l.first_response_at) as first_response_at,
        (
            coalesce(fh.first_status_change_at, l.first_response_at) is not null
            or l.is_non_target
            or coalesce(lower(l.status) <> lower(fh.initial_status), false)
        ) as is_processed
    from {{ ref('stg_crm_file__leads') }} as l
    left join file_history as fh on fh.lead_id = l.lead_id
),

unioned as (
    select * from bitrix
    union all
    select * from crm_file
),

keyed as (
    select
        *,
        {{ local_date('created_at') }} as lead_date,
        coalesce(
            phone_e164,
            email,
            {{ crm_contact_id_key('crm_source', 'crm_contact_id') }},
            'lead:' || crm_source || ':' || lead_id
        ) as contact_key,
        case
            when first_response_at is not null and first_response_at >= created_at
                then (({{ epoch_seconds('first_response_at') }}) - ({{ epoch_seconds('created_at') }})) / 60.0
        end as first_response_minutes,
        (utm_source is null and utm_medium is null and utm_campaign is null) as is_untagged
    from unioned
    where created_at is not null
)

-- previous_contact_lead_at: when the contact's latest earlier lead was created, "earlier" in the
-- order of created time, then lead id (the rows before this one's (created_at, lead_id) group).
select
    *,
    coalesce(
        ({{ epoch_seconds('created_at') }}) - ({{ epoch_seconds('previous_contact_lead_at') }}) < 86400,
        false
    ) as is_duplicate
from (
    select
        *,
        max(created_at) over (
            partition by contact_key
            order by created_at, lead_id
            groups between unbounded preceding and 1 preceding
        ) as previous_contact_lead_at
    from keyed
) as with_earlier
