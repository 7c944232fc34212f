-- The credits of the six rule-based models, one row per conversion x touch x model: the touch's
-- weight (int_attribution_rule_weights) and the attributed leads, qualified leads, deals, new
-- customers and revenue (reporting currency). fct_attribution adds the Markov rows.
-- A view: what a conversion is worth is read when the credits are, so a lead marked non-target
-- or a deal restated counts at once without rewriting millions of rows.
{{ config(materialized='view') }}

with weights as (
    {% for model in rule_based_models() -%}
    select
        conversion_type,
        crm_source,
        conversion_id,
        conversion_at,
        '{{ model }}' as attribution_model,
        {{ path_touch_columns() }},
        weight_{{ model }} as weight
    from {{ ref('int_attribution_rule_weights') }}
    {% if not loop.last %}union all
    {% endif -%}
    {% endfor %}
)

{{ credits_from_weights('weights') }}
