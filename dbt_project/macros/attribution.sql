{#- Credit rows from weight rows (`weights`: one row per conversion x touch x attribution model):
    the touch's weight times what the conversion is worth (int_conversions). -#}
{% macro credits_from_weights(weights) -%}
select
    w.conversion_type,
    w.conversion_id,
    w.crm_source,
    w.conversion_at,
    c.credit_date,
    w.attribution_model,
    {{ path_touch_columns('w') }},
    w.weight,
    w.weight * c.leads as leads,
    w.weight * c.qualified_leads as qualified_leads,
    w.weight * c.deals_won as deals_won,
    w.weight * c.new_customers as new_customers,
    w.weight * c.revenue as revenue
from {{ weights }} as w
inner join {{ ref('int_conversions') }} as c
    on c.conversion_type = w.conversion_type
    and c.crm_source = w.crm_source
    and c.conversion_id = w.conversion_id
{%- endmacro %}

{#- The six rule-based attribution models, in the order the marts list them (Markov comes last). -#}
{% macro rule_based_models() -%}
    {{ return(['first_touch', 'last_touch', 'last_non_direct', 'linear', 'position_based', 'time_decay']) }}
{%- endmacro %}

{#- The columns that say which touch of which path a row is, qualified by `alias` when given. -#}
{% macro path_touch_columns(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- for column in ['touch_type', 'touch_id', 'touched_at', 'touch_position', 'path_length', 'channel',
                       'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] -%}
    {{ prefix ~ column }}{% if not loop.last %},
    {% endif %}
    {%- endfor -%}
{%- endmacro %}
