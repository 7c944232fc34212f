{#- A channel typed by hand (the manual costs and plan files) as channel_rules spells it (`expr`
    names its table: a bare column would be the rules' own channel):
    ' paid social' is 'Paid Social', so its spend and plan meet the channel's sessions and leads.
    A name no rule gives stays as typed (the relationships tests on dim_channel warn). -#}
{% macro known_channel(expr) -%}
    coalesce(
        (select min(rules.channel) from {{ ref('channel_rules') }} as rules
         where lower(rules.channel) = lower(trim({{ expr }}))),
        trim({{ expr }})
    )
{%- endmacro %}
