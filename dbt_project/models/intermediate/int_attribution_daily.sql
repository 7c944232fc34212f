-- Attributed leads, qualified leads, deals won, new customers and revenue (reporting currency)
-- per credit date x channel x campaign keys (utm_campaign, utm_content, utm_term) x attribution
-- model: fct_attribution summed once, for the channel, campaign and comparison marts to read.
-- One pass over the touches sums every model, before the sums are turned into rows. The six
-- rule-based models sum their weight columns. Markov's weight of a touch is its channel's removal
-- effect over the path's effect (the sum over the path's distinct channels), split over the
-- channel's touches (linear when the path's effect is 0); the path's effect depends only on which
-- channels it has, so the touches are summed per channel set (path_channel_set) and the day's
-- effects applied to those sums afterwards. credit_date is NULL for a won deal without a close
-- date (the comparison mart still counts it).
{% set key_columns = ['credit_date', 'channel', 'utm_campaign', 'utm_content', 'utm_term'] %}
{% set keys = key_columns | join(', ') %}
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

-- markov__<measure>: the measure split equally over the channel's touches on each path.
path_sums as (
    select
        {{ keys }},
        path_channel_set,
        {% for model in rule_based_models() -%}
        {% for measure in measures -%}
        sum(weight_{{ model }} * conversion_{{ measure }}) as {{ model }}__{{ measure }},
        {% endfor %}
        {%- endfor %}
        {% for measure in measures -%}
        sum(conversion_{{ measure }} / cast(channel_touches as double precision)) as markov__{{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from rule_touches
    group by {{ keys }}, path_channel_set
),

effects as (
    select channel, removal_effect from {{ source('attribution', 'markov_removal_effects') }}
),

-- Each channel of a set has touches summed under it: the set's channels are its rows' channels.
path_effects as (
    select p.path_channel_set, sum(coalesce(e.removal_effect, 0)) as path_effect
    from (select distinct path_channel_set, channel from path_sums) as p
    left join effects as e on e.channel = p.channel
    group by p.path_channel_set
)

{% for model in rule_based_models() -%}
select
    {{ keys }},
    '{{ model }}' as attribution_model,
    {% for measure in measures -%}
    sum({{ model }}__{{ measure }}) as {{ measure }}{% if not loop.last %},{% endif %}
    {% endfor %}
from path_sums
group by {{ keys }}
union all
{% endfor -%}
select
    {% for key in key_columns %}p.{{ key }}, {% endfor %}
    'markov' as attribution_model,
    {% for measure in measures -%}
    sum(
        {{ markov_share('coalesce(e.removal_effect, 0)', 'pe.path_effect', 'p.markov__' ~ measure, 'p.linear__' ~ measure) }}
    ) as {{ measure }}{% if not loop.last %},{% endif %}
    {% endfor %}
from path_sums as p
inner join path_effects as pe on pe.path_channel_set = p.path_channel_set
left join effects as e on e.channel = p.channel
group by {% for key in key_columns %}p.{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
