-- Credit weights of the six rule-based models, one row per conversion x touch with a column per
-- model (weight_first_touch ... weight_time_decay; each sums to 1 per conversion): six times
-- fewer rows to keep up to date than one per model. int_attribution_rule_credits turns them into
-- one row per model. For the Markov model's daily sums, each touch also carries a number naming
-- the set of distinct channels on its path (the XOR of their hashes) and how many touches of its
-- channel the path has: int_attribution_daily applies the day's removal effects to sums grouped
-- by channel set.
-- Incremental by contact: a daily run recomputes the contacts whose paths int_touch_paths
-- rebuilt since this table's last build; conversions that are gone are deleted after the run.
{{ config(
    materialized='incremental',
    unique_key='contact_key',
    incremental_strategy='delete+insert',
    post_hook=["{{ delete_vanished_conversions(this, ref('int_touch_paths'), one_row_per_conversion='touch_position = 1') }}"],
) }}

with paths as (
    select * from {{ ref('int_touch_paths') }}
    {% if is_incremental() %}
    where contact_key in (
        select contact_key from {{ ref('int_touch_paths') }}
        where rebuilt_at > {{ built_until() }}
    )
    {% endif %}
),

conversion_facts as (
    select
        conversion_type,
        crm_source,
        conversion_id,
        max(case when not is_direct then touch_position end) as last_non_direct_position,
        bit_xor(distinct {{ hash_number(['channel']) }}) as path_channel_set
    from paths
    group by conversion_type, crm_source, conversion_id
),

decay as (
    select
        p.*,
        power(2.0, -1.0 * p.days_before_conversion / {{ var('half_life_days') }}) as decay_raw
    from paths as p
),

decay_normalised as (
    select
        d.*,
        d.decay_raw / sum(d.decay_raw) over (partition by d.conversion_type, d.crm_source, d.conversion_id) as decay_weight
    from decay as d
),

weights as (
    select
        p.*,
        cf.path_channel_set,
        case when p.touch_position = 1 then 1.0 else 0.0 end as w_first_touch,
        case when p.touch_position = p.path_length then 1.0 else 0.0 end as w_last_touch,
        case
            when p.touch_position = coalesce(cf.last_non_direct_position, p.path_length) then 1.0
            else 0.0
        end as w_last_non_direct,
        1.0 / p.path_length as w_linear,
        case
            when p.path_length = 1 then 1.0
            when p.path_length = 2 then 0.5
            when p.touch_position = 1 then {{ var('position_first_weight') }}
            when p.touch_position = p.path_length then {{ var('position_last_weight') }}
            else (1.0 - {{ var('position_first_weight') }} - {{ var('position_last_weight') }}) / (p.path_length - 2)
        end as w_position_based,
        p.decay_weight as w_time_decay
    from decay_normalised as p
    left join conversion_facts as cf
        on cf.conversion_type = p.conversion_type
        and cf.crm_source = p.crm_source
        and cf.conversion_id = p.conversion_id
)

select
    conversion_type,
    crm_source,
    conversion_id,
    conversion_at,
    contact_key,
    {{ path_touch_columns() }},
    {% for model in rule_based_models() -%}
    cast(w_{{ model }} as double precision) as weight_{{ model }},
    {% endfor -%}
    path_channel_set,
    channel_touches,
    {{ build_stamp() }} as rebuilt_at
from weights
