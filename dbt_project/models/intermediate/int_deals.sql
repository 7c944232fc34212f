{{ config(
    materialized='incremental',
    unique_key=['crm_source', 'deal_id'],
    incremental_strategy='changed_rows',
    on_schema_change='sync_all_columns',
    post_hook="{{ fail_on_missing_fx_rate('currency', 'won_date', 'amount') }}",
) }}

-- Every CRM deal with its contact, outcome, and revenue in the reporting currency at the close
-- date's rate. A won or lost deal the CRM gives no close date (a CRM file's closed_at is
-- optional) counts as closed on its creation day, so its revenue is neither lost from the dated
-- marts nor left unconverted. A deal without a lead takes its CRM contact's phone / e-mail as
-- contact key, else the contact's id, as the contact's leads do.
-- is_new_customer: the contact's first won deal (by close time, then creation time, then deal id).
-- Recomputed whole each run; only the rows that differ are rewritten (strategy changed_rows).
with leads as (
    select * from {{ ref('int_leads') }}
),

bitrix as (
    select
        d.deal_id,
        'bitrix24' as crm_source,
        d.lead_id,
        d.created_at,
        d.closed_at,
        coalesce(d.stage_semantic = 'S', false) as is_won,
        coalesce(d.stage_semantic = 'F', false) as is_lost,
        d.amount,
        d.currency,
        d.manager_id,
        coalesce(c.phone_e164, c.email, {{ crm_contact_id_key("'bitrix24'", 'd.crm_contact_id') }}) as crm_contact_key
    from {{ ref('stg_bitrix24__deals') }} as d
    left join {{ ref('stg_bitrix24__contacts') }} as c on c.crm_contact_id = d.crm_contact_id
),

crm_file as (
    select
        deal_id,
        'crm_file' as crm_source,
        lead_id,
        created_at,
        closed_at,
        stage = 'won' as is_won,
        stage = 'lost' as is_lost,
        amount,
        currency,
        manager_id,
        coalesce(phone_e164, email) as crm_contact_key
    from {{ ref('stg_crm_file__deals') }}
),

unioned as (
    select * from bitrix
    union all
    select * from crm_file
),

with_contact as (
    select
        d.*,
        l.created_at as lead_created_at,
        coalesce(l.contact_key, d.crm_contact_key, 'deal:' || d.crm_source || ':' || d.deal_id) as contact_key,
        {{ local_date('coalesce(d.closed_at, case when d.is_won or d.is_lost then d.created_at end)') }} as closed_date,
        case when d.is_won then {{ local_date('coalesce(d.closed_at, d.created_at)') }} end as won_date
    from unioned as d
    left join leads as l
        on l.lead_id = d.lead_id
        and l.crm_source = d.crm_source
),

converted as (
    select
        d.*,
        {{ fx_rate('d.currency') }} as fx_rate
    from with_contact as d
    {{ fx_joins('d.currency', 'd.won_date') }}
)

select
    *,
    case when is_won then cast(amount * fx_rate as numeric(18, 6)) else 0 end as revenue,
    case
        when is_won then row_number() over (
            partition by contact_key, is_won order by coalesce(closed_at, created_at), created_at, length(deal_id), deal_id
        ) = 1
        else false
    end as is_new_customer,
    coalesce(lead_created_at, created_at) as conversion_at
from converted
