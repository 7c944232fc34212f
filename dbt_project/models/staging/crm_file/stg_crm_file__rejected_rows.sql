with source as (
    {{ raw_source('crm_file', 'rejected_rows', {
        'file': 'text', 'row_number': 'bigint', 'column': 'text', 'value': 'text', 'reason': 'text',
    }) }}
)

select
    'crm_file' as source_name,
    file as file_name,
    row_number,
    {{ adapter.quote('column') }} as column_name,
    value,
    reason
from source
