{#- One Google Ads report level (campaign, ad group, ad or keyword) as daily rows: the account,
    its currency and the day, then that level's own columns (`dimensions`: raw column -> type, in
    output order; `expressions`: raw column -> the select expression where it is not taken as it
    comes), then cost, impressions and clicks. Cost is the connector's `cost` in the account's
    currency, or `cost_micros` / 10^6 where only that was loaded. -#}
{% macro google_ads_daily_stats(table_name, dimensions, expressions={}) -%}
{%- set columns = {'customer_id': 'text', 'currency_code': 'text', 'date': 'date'} -%}
{%- do columns.update(dimensions) -%}
{%- do columns.update({'cost': 'numeric(18, 6)', 'cost_micros': 'bigint', 'impressions': 'bigint', 'clicks': 'bigint'}) -%}
with source as (
    {{ raw_source('google_ads', table_name, columns) }}
)

select
    customer_id as account_id,
    upper(currency_code) as currency,
    date as spend_date,
    {%- for column in dimensions %}
    {{ expressions.get(column, column) }},
    {%- endfor %}
    cast(coalesce(cost, cost_micros / 1000000.0) as numeric(18, 6)) as cost,
    coalesce(impressions, 0) as impressions,
    coalesce(clicks, 0) as clicks
from source
{%- endmacro %}
