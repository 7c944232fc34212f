{# A UTM value as compared everywhere: '+' and %XX decoded, trimmed, lower-case; empty or one of
   GA's placeholders becomes NULL. `label=true` for a campaign, content or term (and campaign
   names), where GA also writes (direct) and (none) for "no campaign"; a source or medium keeps
   them, since (direct) / (none) is Direct. One expression, which decodes the value twice: a
   model of many rows decodes once in a CTE (decoded_utms, then normalized_utms). #}
{% macro normalize_utm(expr, label=false) -%}
    {{ without_placeholder(decoded_utm(expr), label) }}
{%- endmacro %}

{% macro decoded_utm(expr) -%}
    lower({{ trim_spaces(url_decode("replace(cast(" ~ expr ~ " as text), '+', ' ')")) }})
{%- endmacro %}

{#- A value holding an e-mail address (a visitor's or a mailing's own merge tag filled in) is
    masked: contact data never reaches the marts, and one such value in the history refused every
    publication after it. -#}
{% macro without_placeholder(value, label=false) -%}
    {%- set placeholders = ["''", "'(not set)'", "'(not provided)'", "'(data deleted)'", "'(organic)'",
                            "'(referral)'", "'<other>'"] + (["'(direct)'", "'(none)'"] if label else []) -%}
    case
        when {{ is_one_of(value, placeholders) }} then null
        when {{ value }} like '%@%' and {{ regex_match(value, "'.*[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}.*'") }}
            then '(e-mail removed)'
        else {{ value }}
    end
{%- endmacro %}

{#- The five raw UTM columns decoded (decoded_utm), as decoded_utm_source ... decoded_utm_term: for
    a CTE under the one that selects normalized_utms(). Decoding is most of a UTM's cost (35M GA4
    events at scale L), and a CASE would decode again in each branch that names the value. -#}
{% macro decoded_utms(source='utm_source', medium='utm_medium', campaign='utm_campaign',
                      content='utm_content', term='utm_term') -%}
    {{ decoded_utm(source) }} as decoded_utm_source,
    {{ decoded_utm(medium) }} as decoded_utm_medium,
    {{ decoded_utm(campaign) }} as decoded_utm_campaign,
    {{ decoded_utm(content) }} as decoded_utm_content,
    {{ decoded_utm(term) }} as decoded_utm_term
{%- endmacro %}

{#- utm_source ... utm_term normalised (normalize_utm) from the decoded_utms() columns; campaign,
    content and term are labels. -#}
{% macro normalized_utms() -%}
    {{ without_placeholder('decoded_utm_source') }} as utm_source,
    {{ without_placeholder('decoded_utm_medium') }} as utm_medium,
    {{ without_placeholder('decoded_utm_campaign', label=true) }} as utm_campaign,
    {{ without_placeholder('decoded_utm_content', label=true) }} as utm_content,
    {{ without_placeholder('decoded_utm_term', label=true) }} as utm_term
{%- endmacro %}

{#- The five UTM fields as columns, qualified by `alias` when given. -#}
{% macro utm_columns(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- for field in ['source', 'medium', 'campaign', 'content', 'term'] -%}
    {{ prefix }}utm_{{ field }}{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
