{#
  Joins that convert an amount to the reporting currency at the NBU rate of its own day.
  Rates are UAH per unit; UAH is 1. The converted amount is NULL when a rate is missing, and
  `fail_on_missing_fx_rate` (a post-hook) then stops the build naming currency and date.
#}
{% macro fx_joins(currency_expr, date_expr, alias='fx') -%}
    left join {{ ref('stg_fx_rates__rates') }} as {{ alias }}_from
        on {{ alias }}_from.currency = {{ currency_expr }}
        and {{ alias }}_from.rate_date = {{ date_expr }}
    left join {{ ref('stg_fx_rates__rates') }} as {{ alias }}_to
        on {{ alias }}_to.currency = '{{ var("reporting_currency") }}'
        and {{ alias }}_to.rate_date = {{ date_expr }}
{%- endmacro %}

{% macro fx_rate(currency_expr, alias='fx') -%}
    case
        when {{ currency_expr }} = '{{ var("reporting_currency") }}' then cast(1 as numeric(18, 6))
        else
            (case when {{ currency_expr }} = 'UAH' then cast(1 as numeric(18, 6)) else {{ alias }}_from.uah_per_unit end)
            / (case when '{{ var("reporting_currency") }}' = 'UAH' then cast(1 as numeric(18, 6)) else {{ alias }}_to.uah_per_unit end)
    end
{%- endmacro %}

{% macro fail_on_missing_fx_rate(currency_column, date_column, amount_column) %}
    {% if execute %}
        {% set rows = run_query(
            "select distinct " ~ currency_column ~ ", cast(" ~ date_column ~ " as text) from " ~ this
            ~ " where fx_rate is null and " ~ date_column ~ " is not null and " ~ amount_column ~ " <> 0 order by 2, 1 limit 5"
        ) %}
        {% if rows | length > 0 %}
            {% set missing = [] %}
            {% for row in rows %}{% do missing.append(row[0] ~ " on " ~ row[1]) %}{% endfor %}
            {{ exceptions.raise_compiler_error(
                "No exchange rate to " ~ var("reporting_currency") ~ " for " ~ missing | join(", ")
                ~ " (model " ~ this.name ~ "). Load the fx_rates source for those days; "
                ~ "amounts are never converted at a made-up rate."
            ) }}
        {% endif %}
    {% endif %}
    select 1
{% endmacro %}
