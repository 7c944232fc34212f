{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{# Rows whose weights do not sum to 1 per conversion and model. #}
{% test weights_sum_to_one(model, group_by, weight_column='weight') %}
select {{ group_by | join(', ') }}, sum({{ weight_column }}) as total_weight
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(sum({{ weight_column }}) - 1) > 0.000001
{% endtest %}
