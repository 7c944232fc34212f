-- Conversions that get attribution credit: every lead (at its created time) and every won deal
-- (at the time of its lead, or its own created time without a lead), with what they are worth.
-- A view: a union of two tables' columns, cheaper for its readers to compute than rewriting
-- every conversion's row each day.
{{ config(materialized='view') }}

with leads as (
    select * from {{ ref('int_leads') }}
),

deals as (
    select * from {{ ref('int_deals') }}
    where is_won
)

select
    'lead' as conversion_type,
    l.lead_id as conversion_id,
    l.crm_source,
    l.created_at as conversion_at,
    l.lead_date as credit_date,
    l.contact_key,
    l.lead_id,
    l.manager_id,
    cast(1 as numeric(18, 6)) as leads,
    case when l.is_non_target then 0 else 1 end as qualified_leads,
    cast(0 as numeric(18, 6)) as deals_won,
    cast(0 as numeric(18, 6)) as new_customers,
    cast(0 as numeric(18, 6)) as revenue
from leads as l

union all

select
    'deal' as conversion_type,
    d.deal_id as conversion_id,
    d.crm_source,
    d.conversion_at,
    d.won_date as credit_date,
    d.contact_key,
    d.lead_id,
    d.manager_id,
    0 as leads,
    0 as qualified_leads,
    1 as deals_won,
    case when d.is_new_customer then 1 else 0 end as new_customers,
    d.revenue
from deals as d
