-- Sales managers from every CRM source: Bitrix24 users (a user without a name shows its id),
-- the CRM file's managers sheet, and the managers its leads and deals name that the sheet lacks
-- (by id, or by a name alone: macro file_manager_id), each named as most of its rows spell it.
with bitrix as (
    select manager_id, coalesce(nullif(manager_name, ''), manager_id) as manager_name, email, 'bitrix24' as crm_source
    from {{ ref('stg_bitrix24__users') }}
),

file_sheet as (
    select manager_id, manager_name, email, 'crm_file' as crm_source
    from {{ ref('stg_crm_file__managers') }}
),

file_rows as (
    select manager_id, manager_name from {{ ref('stg_crm_file__leads') }}
    union all
    select manager_id, manager_name from {{ ref('stg_crm_file__deals') }}
),

file_spellings as (
    select
        manager_id,
        manager_name,
        row_number() over (partition by manager_id order by count(manager_name) desc, {{ binary_order('manager_name') }}) as spelling_rank
    from file_rows
    where manager_id is not null
        and manager_id not in (select manager_id from file_sheet)
    group by manager_id, manager_name
),

file_named as (
    select manager_id, manager_name, cast(null as text) as email, 'crm_file' as crm_source
    from file_spellings
    where spelling_rank = 1
)

select * from bitrix
union all
select * from file_sheet
union all
select * from file_named
