{# The seven attribution models, as rows of column attribution_model. #}
{% macro attribution_models() -%}
    {%- for model in rule_based_models() + ['markov'] %}
    select '{{ model }}' as attribution_model{% if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{# Ratios of ARCHITECTURE.md "Money and metric definitions" from additive columns
   spend, leads, qualified_leads, new_customers, revenue, sessions, deals_won. #}
{% macro performance_ratios() -%}
    cast({{ safe_divide('spend', 'leads') }} as numeric(18, 2)) as cpl,
    cast({{ safe_divide('spend', 'qualified_leads') }} as numeric(18, 2)) as cost_per_qualified_lead,
    cast({{ safe_divide('spend', 'new_customers') }} as numeric(18, 2)) as cac,
    cast({{ safe_divide('revenue', 'spend') }} as numeric(18, 4)) as roas,
    cast({{ romi_pct_of('revenue', 'spend') }} as numeric(18, 2)) as romi_pct,
    cast({{ safe_divide('leads', 'sessions') }} as numeric(18, 6)) as session_to_lead_rate,
    cast({{ safe_divide('deals_won', 'leads') }} as numeric(18, 6)) as lead_to_deal_rate
{%- endmacro %}

{# ROMI in % before rounding: (revenue x gross_margin - spend) / spend x 100. #}
{% macro romi_pct_of(revenue, spend) -%}
    ({{ safe_divide(revenue ~ ' * ' ~ var('gross_margin') ~ ' - ' ~ spend, spend) }} * 100)
{%- endmacro %}

{# scale / optimize / stop / no_spend from spend and the unrounded ROMI % (romi_pct_of), so that
   -0.001 % is stop and 100.001 % is scale. #}
{% macro budget_decision(spend, romi_pct) -%}
    case
        when coalesce({{ spend }}, 0) = 0 then 'no_spend'
        when {{ romi_pct }} < {{ var('romi_stop_below') }} then 'stop'
        when {{ romi_pct }} > {{ var('romi_scale_above') }} then 'scale'
        else 'optimize'
    end
{%- endmacro %}

{#- The business settings are numbers (they may come from the environment), the margin a share in
    (0, 1], the ROMI thresholds in order: anything else stops the run naming the setting. -#}
{% macro assert_business_settings() -%}
    {%- set settings = {'gross_margin': 'THROUGHLINE_GROSS_MARGIN', 'romi_stop_below': 'THROUGHLINE_ROMI_STOP_BELOW',
                        'romi_scale_above': 'THROUGHLINE_ROMI_SCALE_ABOVE'} -%}
    {%- for name, env in settings.items() -%}
        {%- if not modules.re.fullmatch('-?[0-9]+([.][0-9]+)?', var(name) | string | trim) -%}
            {{ exceptions.raise_compiler_error(env ~ '=' ~ (var(name) | string) ~ ' (dbt var ' ~ name ~ ') is not a number') }}
        {%- endif -%}
    {%- endfor -%}
    {%- set margin = var('gross_margin') | float -%}
    {%- if margin <= 0 or margin > 1 -%}
        {{ exceptions.raise_compiler_error('THROUGHLINE_GROSS_MARGIN=' ~ var('gross_margin') ~ ' must be a share of revenue above 0 and at most 1 (0.35 for a 35 % margin)') }}
    {%- endif -%}
    {%- if (var('romi_stop_below') | float) > (var('romi_scale_above') | float) -%}
        {{ exceptions.raise_compiler_error('THROUGHLINE_ROMI_STOP_BELOW=' ~ var('romi_stop_below') ~ ' is above THROUGHLINE_ROMI_SCALE_ABOVE=' ~ var('romi_scale_above')) }}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- A count summed, as an integer on either engine (PostgreSQL sums bigints into an unconstrained
    numeric, which BI tools and the exports would take for a decimal). -#}
{% macro count_sum(expr) -%}cast(sum({{ expr }}) as bigint){%- endmacro %}
