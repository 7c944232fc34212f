-- Sales managers from every CRM source.
select manager_id, manager_name, email, 'bitrix24' as crm_source
from {{ ref('stg_bitrix24__users') }}
union all
select manager_id, manager_name, email, 'crm_file' as crm_source
from {{ ref('stg_crm_file__managers') }}
