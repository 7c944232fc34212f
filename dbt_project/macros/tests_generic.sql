{#- Keys of `model` that more than one row has. Rows are first grouped by a hash of their key,
    much cheaper on the ten-million-row facts than grouping by the key itself; only the rows whose
    hash repeats (every duplicate, and a rare collision) are then grouped by the key. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set key = combination_of_columns | join(', ') %}
with repeated_hashes as (
    select {{ hash_number(combination_of_columns) }} as key_hash
    from {{ model }}
    group by 1
    having count(*) > 1
)

select {{ key }}, count(*) as n_rows
from {{ model }}
where {{ hash_number(combination_of_columns) }} in (select key_hash from repeated_hashes)
group by {{ key }}
having count(*) > 1
{% endtest %}

{# Rows whose weights do not sum to 1 per conversion and model. #}
{% test weights_sum_to_one(model, group_by, weight_column='weight') %}
select {{ group_by | join(', ') }}, sum({{ weight_column }}) as total_weight
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(sum({{ weight_column }}) - 1) > 0.000001
{% endtest %}

{#- Keys of `model` (`columns`, every one not null) that no row of `to` has: a relationships test
    over several columns, e.g. (crm_source, lead_id). `to_columns` name the key in `to` when
    they differ (in the same order); `to_where` limits the rows of `to` that count. One row per
    missing key. -#}
{% test relationships_by_columns(model, columns, to, to_columns=none, to_where=none) %}
{%- set to_columns = to_columns or columns -%}
with child as (
    select distinct {{ columns | join(', ') }}
    from {{ model }}
    where {% for column in columns %}{{ column }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
),

parent as (
    select {{ to_columns | join(', ') }}
    from {{ to }}
    {%- if to_where %}
    where {{ to_where }}
    {%- endif %}
)

select child.*
from child
where not exists (
    select 1 from parent
    where {% for column in columns -%}
        parent.{{ to_columns[loop.index0] }} = child.{{ column }}{% if not loop.last %} and {% endif %}
    {%- endfor %}
)
{% endtest %}
