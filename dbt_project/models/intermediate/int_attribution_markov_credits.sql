-- The Markov model's credits, one row per conversion x touch: the conversion's credit is split
-- among the channels on its path in proportion to their removal effects, equally over each
-- channel's touches (linear when no channel on the path has an effect), times what the
-- conversion is worth. A view: every day's fit of the chain moves every credit, and the
-- readers aggregate them faster than a table of them could be rewritten.
{{ config(materialized='view') }}

with touches as (
    select
        p.*,
        coalesce(e.removal_effect, 0) as removal_effect,
        count(*) over path_channel as channel_touches,
        row_number() over (path_channel order by p.touch_position) = 1 as is_first_of_channel
    from {{ ref('int_touch_paths') }} as p
    left join {{ source('attribution', 'markov_removal_effects') }} as e on e.channel = p.channel
    window path_channel as (partition by p.conversion_type, p.crm_source, p.conversion_id, p.channel)
),

-- The effects of the path's channels, each counted once.
with_path_effect as (
    select
        *,
        sum(case when is_first_of_channel then removal_effect else 0 end)
            over (partition by conversion_type, crm_source, conversion_id) as path_effect
    from touches
),

weights as (
    select
        conversion_type,
        crm_source,
        conversion_id,
        conversion_at,
        'markov' as attribution_model,
        {{ path_touch_columns() }},
        cast(
            case
                when path_effect > 0 then removal_effect / path_effect / channel_touches
                else 1.0 / path_length
            end as double precision
        ) as weight
    from with_path_effect
)

{{ credits_from_weights('weights') }}
