{#- Credit rows from weight rows (`weights`: one row per conversion x touch x attribution model):
    the touch's weight times what the conversion is worth (int_conversions). -#}
{% macro credits_from_weights(weights) -%}
select
    w.conversion_type,
    w.conversion_id,
    w.crm_source,
    w.conversion_at,
    c.credit_date,
    w.attribution_model,
    {{ path_touch_columns('w') }},
    w.weight,
    w.weight * c.leads as leads,
    w.weight * c.qualified_leads as qualified_leads,
    w.weight * c.deals_won as deals_won,
    w.weight * c.new_customers as new_customers,
    w.weight * c.revenue as revenue
from {{ weights }} as w
inner join {{ ref('int_conversions') }} as c
    on c.conversion_type = w.conversion_type
    and c.crm_source = w.crm_source
    and c.conversion_id = w.conversion_id
{%- endmacro %}

{#- The six rule-based attribution models, in the order the marts list them (Markov comes last). -#}
{% macro rule_based_models() -%}
    {{ return(['first_touch', 'last_touch', 'last_non_direct', 'linear', 'position_based', 'time_decay']) }}
{%- endmacro %}

{#- Markov's share of a conversion for one channel's touches on a path: the channel's removal
    effect over the path's effect (the sum over the path's distinct channels) times `channel_part`
    (the touch's or the touches' part of the channel's share); linear (`linear_part`) when no
    channel on the path has an effect. One rule for the per-touch credits and the daily sums. -#}
{% macro markov_share(removal_effect, path_effect, channel_part, linear_part) -%}
    case
        when {{ path_effect }} > 0 then {{ removal_effect }} / {{ path_effect }} * {{ channel_part }}
        else {{ linear_part }}
    end
{%- endmacro %}

{#- The columns that say which touch of which path a row is, qualified by `alias` when given. -#}
{% macro path_touch_columns(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- for column in ['touch_type', 'touch_id', 'touched_at', 'touch_position', 'path_length', 'channel'] -%}
    {{ prefix ~ column }},
    {% endfor -%}
    {{ utm_columns(alias) }}
{%- endmacro %}

{#- Every touch of the contacts that `contacts` (a query of contact_key) returns, of every contact
    when none: sessions of their (non-bot) visitors, and calls to static (offline) tracking
    numbers made from their phones. Dynamic-number calls add no touch. The contacts are chosen
    before their visitors' sessions are looked up among all the sessions. -#}
{% macro contact_touches(contacts=none) -%}
    with contact_visitors as (
        select distinct l.contact_key, lv.client_id
        from {{ ref('int_lead_visitors') }} as lv
        inner join {{ ref('int_leads') }} as l
            on l.lead_id = lv.lead_id and l.crm_source = lv.crm_source
        where lv.client_id is not null{{ and_key_in('l.contact_key', contacts) }}
    ),

    contact_phones as (
        select distinct contact_key, phone_e164
        from {{ ref('int_leads') }}
        where phone_e164 is not null{{ and_key_in('contact_key', contacts) }}
        union
        select distinct contact_key, contact_key as phone_e164
        from {{ ref('int_deals') }}
        where contact_key like '+%'{{ and_key_in('contact_key', contacts) }}
    ),

    session_touches as (
        select
            cv.contact_key,
            'session' as touch_type,
            s.session_id as touch_id,
            s.started_at as touched_at,
            s.channel,
            s.is_direct,
            {{ utm_columns('s') }}
        from contact_visitors as cv
        inner join {{ ref('int_sessions') }} as s
            on s.client_id = cv.client_id
        where not s.is_flagged_visitor
    ),

    call_touches as (
        select
            cp.contact_key,
            'call' as touch_type,
            c.call_id as touch_id,
            c.started_at as touched_at,
            c.channel,
            c.is_direct,
            {{ utm_columns('c') }}
        from contact_phones as cp
        inner join {{ ref('int_calls') }} as c
            on c.caller_phone_e164 = cp.phone_e164
        where c.number_type = 'static'
            and c.direction = 'inbound'
    )

    select * from session_touches
    union all
    select * from call_touches
{%- endmacro %}

{#- ` and <key> in (<query>)`, or nothing without a query: an optional filter. -#}
{% macro and_key_in(key, query) -%}
    {%- if query %} and {{ key }} in ({{ query }}){% endif -%}
{%- endmacro %}
