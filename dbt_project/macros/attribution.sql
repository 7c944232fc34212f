{#- Credit rows from weight rows (`weights`: one row per conversion x touch x attribution model):
    the touch's weight times what the conversion is worth (int_conversions), stamped with this
    build. -#}
{% macro credits_from_weights(weights) -%}
select
    w.conversion_type,
    w.conversion_id,
    w.crm_source,
    w.conversion_at,
    c.credit_date,
    w.attribution_model,
    w.touch_type,
    w.touch_id,
    w.touched_at,
    w.touch_position,
    w.path_length,
    w.channel,
    w.utm_source,
    w.utm_medium,
    w.utm_campaign,
    w.utm_content,
    w.utm_term,
    w.weight,
    w.weight * c.leads as leads,
    w.weight * c.qualified_leads as qualified_leads,
    w.weight * c.deals_won as deals_won,
    w.weight * c.new_customers as new_customers,
    w.weight * c.revenue as revenue,
    {{ build_stamp() }} as rebuilt_at
from {{ weights }} as w
inner join {{ ref('int_conversions') }} as c
    on c.conversion_type = w.conversion_type
    and c.crm_source = w.crm_source
    and c.conversion_id = w.conversion_id
{%- endmacro %}

{#- One row of each conversion in a table of weights or credits: its first-touch row. -#}
{% macro first_touch_rows() -%}
    attribution_model = 'first_touch' and touch_position = 1
{%- endmacro %}
