-- Sales managers, one row per CRM source and manager id: two CRMs may give different people the
-- same id (names shown in the manager report; no contact data).
select crm_source, manager_id, max(manager_name) as manager_name
from {{ ref('int_managers') }}
group by crm_source, manager_id
