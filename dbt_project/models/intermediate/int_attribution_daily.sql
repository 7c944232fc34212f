-- Attributed leads, qualified leads, deals won, new customers and revenue (reporting currency)
-- per credit date x channel x campaign keys (utm_campaign, utm_content, utm_term) x attribution
-- model: fct_attribution summed once, for the channel, campaign and comparison marts to read.
-- The six rule-based models are summed from their weight columns, before they are turned into
-- rows: one pass over the touches instead of six. credit_date is NULL for a won deal without a
-- close date (the comparison mart still counts it).
{% set keys = 'credit_date, channel, utm_campaign, utm_content, utm_term' %}
{% set measures = ['leads', 'qualified_leads', 'deals_won', 'new_customers', 'revenue'] %}
with rule_touches as (
    select
        c.credit_date,
        w.*,
        {% for measure in measures -%}
        c.{{ measure }} as conversion_{{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ ref('int_attribution_rule_weights') }} as w
    inner join {{ ref('int_conversions') }} as c
        on c.conversion_type = w.conversion_type
        and c.crm_source = w.crm_source
        and c.conversion_id = w.conversion_id
),

rule_sums as (
    select
        {{ keys }},
        {% for model in rule_based_models() -%}
        {% set model_loop = loop -%}
        {% for measure in measures -%}
        sum(weight_{{ model }} * conversion_{{ measure }}) as {{ model }}__{{ measure }}{% if not (model_loop.last and loop.last) %},{% endif %}
        {% endfor %}
        {%- endfor %}
    from rule_touches
    group by {{ keys }}
)

{% for model in rule_based_models() -%}
select
    {{ keys }},
    '{{ model }}' as attribution_model,
    {% for measure in measures -%}
    {{ model }}__{{ measure }} as {{ measure }}{% if not loop.last %},{% endif %}
    {% endfor %}
from rule_sums
union all
{% endfor -%}
select
    {{ keys }},
    attribution_model,
    {% for measure in measures -%}
    sum({{ measure }}) as {{ measure }}{% if not loop.last %},{% endif %}
    {% endfor %}
from {{ ref('int_attribution_markov_credits') }}
group by {{ keys }}, attribution_model
