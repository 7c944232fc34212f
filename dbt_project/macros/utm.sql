{# A UTM value as compared everywhere: '+' and %XX decoded, trimmed, lower-case; empty or
   GA's '(not set)' become NULL. #}
{% macro normalize_utm(expr) -%}
    nullif(nullif(lower({{ trim_spaces(url_decode("replace(cast(" ~ expr ~ " as text), '+', ' ')")) }}), ''), '(not set)')
{%- endmacro %}

{#- The five UTM fields as columns, qualified by `alias` when given. -#}
{% macro utm_columns(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- for field in ['source', 'medium', 'campaign', 'content', 'term'] -%}
    {{ prefix }}utm_{{ field }}{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
