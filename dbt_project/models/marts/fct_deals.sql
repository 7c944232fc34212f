-- One row per CRM deal: outcome, amount in its currency and revenue in the reporting currency
-- (won deals, at the close date's rate), and whether it made a new customer.
-- A view: int_deals is the table under it.
{{ config(materialized='view') }}

select
    deal_id,
    crm_source,
    lead_id,
    created_at,
    closed_at,
    closed_date,
    won_date,
    is_won,
    is_lost,
    amount,
    currency,
    fx_rate,
    revenue,
    is_new_customer,
    is_won and not is_new_customer as is_repeat_sale,
    manager_id,
    conversion_at,
    md5('{{ env_var("THROUGHLINE_BI_SALT", "throughline") }}' || contact_key) as contact_hash
from {{ ref('int_deals') }}
