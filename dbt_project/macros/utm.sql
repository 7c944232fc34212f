{# A UTM value as compared everywhere: '+' and %XX decoded, trimmed, lower-case; empty or
   GA's '(not set)' become NULL. #}
{% macro normalize_utm(expr) -%}
    nullif(nullif(lower(trim({{ url_decode("replace(cast(" ~ expr ~ " as text), '+', ' ')") }})), ''), '(not set)')
{%- endmacro %}
