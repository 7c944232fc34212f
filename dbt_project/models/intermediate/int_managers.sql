-- Sales managers from every CRM source: Bitrix24 users (a user without a name shows its id),
-- the CRM file's managers sheet, and the managers its leads name that the sheet lacks.
with bitrix as (
    select manager_id, coalesce(nullif(manager_name, ''), manager_id) as manager_name, email, 'bitrix24' as crm_source
    from {{ ref('stg_bitrix24__users') }}
),

file_sheet as (
    select manager_id, manager_name, email, 'crm_file' as crm_source
    from {{ ref('stg_crm_file__managers') }}
),

file_leads as (
    select manager_id, max(nullif(trim(manager_name), '')) as manager_name, cast(null as text) as email,
        'crm_file' as crm_source
    from {{ ref('stg_crm_file__leads') }}
    where manager_id is not null
        and manager_id not in (select manager_id from file_sheet)
    group by manager_id
)

select * from bitrix
union all
select * from file_sheet
union all
select * from file_leads
