{# A UTM value as compared everywhere: '+' and %XX decoded, trimmed, lower-case; empty or one of
   GA's placeholders becomes NULL. `label=true` for a campaign, content or term (and campaign
   names), where GA also writes (direct) and (none) for "no campaign"; a source or medium keeps
   them, since (direct) / (none) is Direct. #}
{% macro normalize_utm(expr, label=false) -%}
    {%- set placeholders = ["''", "'(not set)'", "'(not provided)'", "'(data deleted)'", "'(organic)'",
                            "'(referral)'", "'<other>'"] + (["'(direct)'", "'(none)'"] if label else []) -%}
    {%- set value = "lower(" ~ trim_spaces(url_decode("replace(cast(" ~ expr ~ " as text), '+', ' ')")) ~ ")" -%}
    case when {{ value }} in ({{ placeholders | join(', ') }}) then null else {{ value }} end
{%- endmacro %}

{#- The five UTM fields normalised from the raw columns that hold them, as utm_source, utm_medium,
    utm_campaign, utm_content and utm_term (campaign, content and term are labels). -#}
{% macro normalized_utms(source='utm_source', medium='utm_medium', campaign='utm_campaign',
                         content='utm_content', term='utm_term') -%}
    {{ normalize_utm(source) }} as utm_source,
    {{ normalize_utm(medium) }} as utm_medium,
    {{ normalize_utm(campaign, label=true) }} as utm_campaign,
    {{ normalize_utm(content, label=true) }} as utm_content,
    {{ normalize_utm(term, label=true) }} as utm_term
{%- endmacro %}

{#- The five UTM fields as columns, qualified by `alias` when given. -#}
{% macro utm_columns(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- for field in ['source', 'medium', 'campaign', 'content', 'term'] -%}
    {{ prefix }}utm_{{ field }}{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
