-- How each sales manager handles leads, per local date x manager x channel (the lead's
-- last-touch channel): leads assigned (by created date), processed, dumped as non-target,
-- median minutes to first response; deals won, win rate (won / closed) and revenue by the
-- deal's close date. A manager is named from the CRM the lead or deal came from: two CRMs that
-- give different people the same id make two rows, one per name.
-- The columns read, named: a CTE read twice is computed whole, every column of the view.
with leads as (
    select
        l.lead_id, l.crm_source, l.lead_date, l.last_touch_channel, l.is_processed, l.is_non_target,
        l.first_response_minutes,
        coalesce(l.manager_id, '(unassigned)') as manager_id,
        coalesce(m.manager_name, l.manager_id, '(unassigned)') as manager_name
    from {{ ref('fct_leads') }} as l
    left join {{ ref('dim_manager') }} as m on m.crm_source = l.crm_source and m.manager_id = l.manager_id
),

deals as (
    select
        d.*,
        coalesce(m.manager_name, d.manager_id, '(unassigned)') as manager_name,
        coalesce(l.last_touch_channel, '(unattributed)') as channel
    from {{ ref('fct_deals') }} as d
    left join leads as l on l.lead_id = d.lead_id and l.crm_source = d.crm_source
    left join {{ ref('dim_manager') }} as m on m.crm_source = d.crm_source and m.manager_id = d.manager_id
    where d.is_won or d.is_lost
),

lead_measures as (
    select
        lead_date as date,
        manager_id,
        manager_name,
        last_touch_channel as channel,
        count(*) as leads_assigned,
        sum(case when is_processed then 1 else 0 end) as leads_processed,
        sum(case when is_non_target then 1 else 0 end) as leads_non_target,
        percentile_cont(0.5) within group (order by first_response_minutes) as median_first_response_minutes
    from leads
    group by 1, 2, 3, 4
),

deal_measures as (
    select
        closed_date as date,
        coalesce(manager_id, '(unassigned)') as manager_id,
        manager_name,
        channel,
        sum(case when is_won then 1 else 0 end) as deals_won,
        sum(case when is_lost then 1 else 0 end) as deals_lost,
        sum(revenue) as revenue
    from deals
    where closed_date is not null
    group by 1, 2, 3, 4
),

keys as (
    select date, manager_id, manager_name, channel from lead_measures
    union
    select date, manager_id, manager_name, channel from deal_measures
)

select
    k.date,
    k.manager_id,
    k.manager_name,
    k.channel,
    coalesce(l.leads_assigned, 0) as leads_assigned,
    coalesce(l.leads_processed, 0) as leads_processed,
    coalesce(l.leads_non_target, 0) as leads_non_target,
    cast({{ safe_divide('l.leads_non_target', 'l.leads_assigned') }} as numeric(18, 6)) as non_target_rate,
    cast(l.median_first_response_minutes as double precision) as median_first_response_minutes,
    coalesce(d.deals_won, 0) as deals_won,
    coalesce(d.deals_lost, 0) as deals_lost,
    cast({{ safe_divide('d.deals_won', 'd.deals_won + d.deals_lost') }} as numeric(18, 6)) as win_rate,
    cast(coalesce(d.revenue, 0) as numeric(20, 6)) as revenue
from keys as k
left join lead_measures as l
    on l.date = k.date and l.manager_id = k.manager_id and l.manager_name = k.manager_name and l.channel = k.channel
left join deal_measures as d
    on d.date = k.date and d.manager_id = k.manager_id and d.manager_name = k.manager_name and d.channel = k.channel
