-- The Markov model's credits, one row per conversion x touch: the conversion's credit is split
-- among the channels on its path in proportion to their removal effects, equally over each
-- channel's touches (linear when no channel on the path has an effect), times what the
-- conversion is worth. A view: every day's fit of the chain moves every credit, and the
-- readers aggregate them faster than a table of them could be rewritten.
{{ config(materialized='view') }}

-- path_effect: the removal effects of the path's channels, each channel's once (each of its
-- touches adds an equal share of it).
with touches as (
    select
        p.*,
        coalesce(e.removal_effect, 0) as removal_effect,
        sum(coalesce(e.removal_effect, 0) / p.channel_touches)
            over (partition by p.conversion_type, p.crm_source, p.conversion_id) as path_effect
    from {{ ref('int_touch_paths') }} as p
    left join {{ source('attribution', 'markov_removal_effects') }} as e on e.channel = p.channel
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
            {{ markov_share('removal_effect', 'path_effect', '1.0 / channel_touches', '1.0 / path_length') }}
            as double precision
        ) as weight
    from touches
)

{{ credits_from_weights('weights') }}
