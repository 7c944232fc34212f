{# A person's name as typed, without the spaces around it and with each run of spaces inside it
   (a no-break space pasted from a sheet too) as one; NULL when empty. #}
{% macro clean_name(expr) -%}
    nullif(regexp_replace({{ trim_spaces(expr) }}, '[\s' || {{ unicode_spaces() }} || ']+', ' ', 'g'), '')
{%- endmacro %}

{# The manager of a CRM file's lead or deal: its id, else one made from its name, so the rows that
   name someone without an id are one manager however the name's case and spaces were typed. #}
{% macro file_manager_id(id_expr, name_expr) -%}
    coalesce(nullif(trim({{ id_expr }}), ''), 'name:' || lower({{ clean_name(name_expr) }}))
{%- endmacro %}
