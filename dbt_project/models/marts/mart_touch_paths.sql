-- Customer paths: the channels of every touch in order (repeats kept), per conversion type,
-- with how many conversions took that path, their revenue (deal rows; NULL on lead rows), average
-- length and the average fractional days from the first touch to the conversion.
select
    p.path,
    p.conversion_type,
    count(*) as conversions,
    cast(case when p.conversion_type = 'deal' then sum(c.revenue) end as numeric(20, 6)) as revenue,
    avg(cast(p.path_length as double precision)) as avg_path_length,
    avg(cast(p.days_to_convert as double precision)) as avg_days_to_convert
from {{ ref('int_conversion_paths') }} as p
inner join {{ ref('int_conversions') }} as c
    on c.conversion_type = p.conversion_type
    and c.crm_source = p.crm_source
    and c.conversion_id = p.conversion_id
group by p.path, p.conversion_type
