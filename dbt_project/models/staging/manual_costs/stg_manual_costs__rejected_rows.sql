with source as (
    {{ raw_source('manual_costs', 'rejected_rows', {
        'file': 'text', 'row_number': 'bigint', 'column': 'text', 'value': 'text', 'reason': 'text',
    }) }}
)

select
    'manual_costs' as source_name,
    file as file_name,
    row_number,
    {{ adapter.quote('column') }} as column_name,
    value,
    reason
from source
