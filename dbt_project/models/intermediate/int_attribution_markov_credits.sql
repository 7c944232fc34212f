-- The Markov model's credits, one row per conversion x touch: the conversion's credit is split
-- among the channels on its path in proportion to their removal effects, equally over each
-- channel's touches (linear when no channel on the path has an effect), times what the
-- conversion is worth. Rebuilt on every run: the chain is fitted on all paths, so every day's
-- fit moves every credit.
with paths as (
    select * from {{ ref('int_touch_paths') }}
),

effects as (
    select channel, removal_effect from {{ source('attribution', 'markov_removal_effects') }}
),

path_channels as (
    select
        p.conversion_type,
        p.crm_source,
        p.conversion_id,
        p.channel,
        count(*) as channel_touches,
        max(coalesce(e.removal_effect, 0)) as removal_effect
    from paths as p
    left join effects as e on e.channel = p.channel
    group by p.conversion_type, p.crm_source, p.conversion_id, p.channel
),

path_effect_totals as (
    select conversion_type, crm_source, conversion_id, sum(removal_effect) as total_effect
    from path_channels
    group by conversion_type, crm_source, conversion_id
),

weights as (
    select
        p.conversion_type,
        p.crm_source,
        p.conversion_id,
        p.conversion_at,
        'markov' as attribution_model,
        p.touch_type,
        p.touch_id,
        p.touched_at,
        p.touch_position,
        p.path_length,
        p.channel,
        p.utm_source,
        p.utm_medium,
        p.utm_campaign,
        p.utm_content,
        p.utm_term,
        cast(
            case
                when t.total_effect > 0 then pc.removal_effect / t.total_effect / pc.channel_touches
                else 1.0 / p.path_length
            end as double precision
        ) as weight
    from paths as p
    inner join path_channels as pc
        on pc.conversion_type = p.conversion_type
        and pc.crm_source = p.crm_source
        and pc.conversion_id = p.conversion_id
        and pc.channel = p.channel
    inner join path_effect_totals as t
        on t.conversion_type = p.conversion_type
        and t.crm_source = p.crm_source
        and t.conversion_id = p.conversion_id
)

{{ credits_from_weights('weights') }}
