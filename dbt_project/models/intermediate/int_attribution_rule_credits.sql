-- The credits of the six rule-based models, one row per conversion x touch x model: the touch's
-- weight and the attributed leads, qualified leads, deals, new customers and revenue
-- (reporting currency). fct_attribution adds the Markov rows (int_attribution_markov_credits).
-- Incremental: a daily run replaces the rows of the conversions whose weights were rebuilt since
-- this table's last build or whose worth changed (a lead marked non-target, a deal's amount or
-- close date restated, a new-customer flag moved); conversions that are gone are deleted after
-- the run.
{{ config(
    materialized='incremental',
    unique_key=['conversion_type', 'crm_source', 'conversion_id', 'attribution_model'],
    incremental_strategy='delete+insert',
    post_hook=["{{ delete_vanished_conversions(this, ref('int_touch_paths'), by_contact=false, one_row_per_conversion=first_touch_rows()) }}"],
) }}

{% if is_incremental() %}
-- A conversion's first-touch credit on its first touch is its whole worth (weight 1).
with revalued_conversions as (
    select c.conversion_type, c.crm_source, c.conversion_id
    from {{ ref('int_conversions') }} as c
    inner join {{ this }} as built
        on built.conversion_type = c.conversion_type
        and built.crm_source = c.crm_source
        and built.conversion_id = c.conversion_id
        and built.attribution_model = 'first_touch'
        and built.touch_position = 1
    where built.credit_date is distinct from c.credit_date
        or built.qualified_leads is distinct from c.qualified_leads
        or built.new_customers is distinct from c.new_customers
        or built.revenue is distinct from c.revenue
),

-- (two branches, not one OR: the constant filter of the first skips the unchanged row groups)
rule_weights as (
    select * from {{ ref('int_attribution_rule_weights') }}
    where rebuilt_at > {{ built_until() }}
    union all
    select w.*
    from {{ ref('int_attribution_rule_weights') }} as w
    inner join revalued_conversions as r
        on r.conversion_type = w.conversion_type
        and r.crm_source = w.crm_source
        and r.conversion_id = w.conversion_id
    where w.rebuilt_at <= {{ built_until() }}
)
{% else %}
with rule_weights as (
    select * from {{ ref('int_attribution_rule_weights') }}
)
{% endif %}

{{ credits_from_weights('rule_weights') }}
