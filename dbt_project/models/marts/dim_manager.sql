-- Sales managers of every CRM source (names shown in the manager report; no contact data).
select manager_id, max(manager_name) as manager_name, max(crm_source) as crm_source
from {{ ref('int_managers') }}
group by manager_id
