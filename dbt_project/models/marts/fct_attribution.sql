-- One row per conversion x touch x attribution model, with the touch's credit weight (sums to 1
-- per conversion and model) and the attributed leads, qualified leads, deals, new customers
-- and revenue (reporting currency). Markov: the conversion's credit is split among the
-- channels on its path in proportion to their removal effects, equally over each channel's
-- touches (linear when no channel on the path has an effect).
-- Incremental: a daily run replaces the rule-based rows of the conversions whose weights were
-- rebuilt since this table's last build or whose worth changed (a lead marked non-target, a
-- deal's amount or close date restated, a new-customer flag moved), and every Markov row (the
-- removal effects are fitted on all paths, so every day's fit moves them all); conversions
-- that are gone are deleted after the run.
{{ config(
    materialized='incremental',
    unique_key=['conversion_type', 'crm_source', 'conversion_id', 'attribution_model'],
    incremental_strategy='delete+insert',
    post_hook=["{{ delete_vanished_conversions(this, ref('int_touch_paths'), by_contact=false) }}"],
) }}

with conversions as (
    select * from {{ ref('int_conversions') }}
),

{% if is_incremental() %}
-- A conversion's first-touch credit on its first touch is its whole worth (weight 1).
revalued_conversions as (
    select c.conversion_type, c.crm_source, c.conversion_id
    from conversions as c
    inner join {{ this }} as built
        on built.conversion_type = c.conversion_type
        and built.crm_source = c.crm_source
        and built.conversion_id = c.conversion_id
        and built.attribution_model = 'first_touch'
        and built.touch_position = 1
    where built.credit_date is distinct from c.credit_date
        or built.qualified_leads is distinct from c.qualified_leads
        or built.new_customers is distinct from c.new_customers
        or built.revenue is distinct from c.revenue
),

rule_weights as (
    select w.*
    from {{ ref('int_attribution_rule_weights') }} as w
    where w.rebuilt_at > (select {{ built_until() }} from {{ this }})
        or exists (
            select 1 from revalued_conversions as r
            where r.conversion_type = w.conversion_type
                and r.crm_source = w.crm_source
                and r.conversion_id = w.conversion_id
        )
),
{% else %}
rule_weights as (
    select * from {{ ref('int_attribution_rule_weights') }}
),
{% endif %}

paths as (
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

markov_weights as (
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
),

all_weights as (
    select
        conversion_type, crm_source, conversion_id, conversion_at, attribution_model, touch_type, touch_id,
        touched_at, touch_position, path_length, channel, utm_source, utm_medium, utm_campaign, utm_content,
        utm_term, weight
    from rule_weights
    union all
    select * from markov_weights
)

select
    w.conversion_type,
    w.conversion_id,
    w.crm_source,
    w.conversion_at,
    c.credit_date,
    w.attribution_model,
    w.touch_type,
    w.touch_id,
    w.touched_at,
    w.touch_position,
    w.path_length,
    w.channel,
    w.utm_source,
    w.utm_medium,
    w.utm_campaign,
    w.utm_content,
    w.utm_term,
    w.weight,
    w.weight * c.leads as leads,
    w.weight * c.qualified_leads as qualified_leads,
    w.weight * c.deals_won as deals_won,
    w.weight * c.new_customers as new_customers,
    w.weight * c.revenue as revenue,
    {{ build_stamp() }} as rebuilt_at
from all_weights as w
inner join conversions as c
    on c.conversion_type = w.conversion_type
    and c.crm_source = w.crm_source
    and c.conversion_id = w.conversion_id
