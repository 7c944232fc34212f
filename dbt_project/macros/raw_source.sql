{#
  Select a raw table with a fixed, typed column list. dlt creates a column only once a value
  arrives and a source that is not configured has no tables at all: a missing column becomes
  NULL and a missing table an empty, typed relation, so every report still builds.
  `columns` maps column name -> SQL type.
#}
{% macro raw_source(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set existing = none -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
    {%- endif -%}
    {%- if existing is not none -%}
        {%- set present = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
        select
        {%- for name, type in columns.items() %}
            {% if name in present %}cast({{ adapter.quote(name) }} as {{ type }}){% else %}cast(null as {{ type }}){% endif %} as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
        from {{ existing }}
    {%- else -%}
        select
        {%- for name, type in columns.items() %}
            cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
        where 1 = 0
    {%- endif -%}
{%- endmacro %}

{#- The rows a file source (CRM export, manual costs) quarantined as it read its files: which file,
    row and column, the value and why it was refused. -#}
{% macro rejected_file_rows(source_name) -%}
with source as (
    {{ raw_source(source_name, 'rejected_rows', {
        'file': 'text', 'row_number': 'bigint', 'column': 'text', 'value': 'text', 'reason': 'text',
    }) }}
)

select
    '{{ source_name }}' as source_name,
    file as file_name,
    row_number,
    {{ adapter.quote('column') }} as column_name,
    value,
    reason
from source
{%- endmacro %}
