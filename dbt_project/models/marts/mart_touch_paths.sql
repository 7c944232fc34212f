-- Customer paths: the channels of every touch in order (repeats kept), per conversion type,
-- with how many conversions took that path, their revenue (deals), average length and the
-- average fractional days from the first touch to the conversion.
with paths as (
    select
        p.conversion_type,
        p.crm_source,
        p.conversion_id,
        string_agg(p.channel, ' > ' order by p.touch_position) as path,
        max(p.path_length) as path_length,
        max(p.days_before_conversion) as days_to_convert
    from {{ ref('int_touch_paths') }} as p
    group by p.conversion_type, p.crm_source, p.conversion_id
)

select
    p.path,
    p.conversion_type,
    count(*) as conversions,
    cast(sum(c.revenue) as numeric(20, 6)) as revenue,
    avg(cast(p.path_length as double precision)) as avg_path_length,
    avg(cast(p.days_to_convert as double precision)) as avg_days_to_convert
from paths as p
inner join {{ ref('int_conversions') }} as c
    on c.conversion_type = p.conversion_type
    and c.crm_source = p.crm_source
    and c.conversion_id = p.conversion_id
group by p.path, p.conversion_type
