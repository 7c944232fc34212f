-- Every completed dlt load of every source (status 0), for freshness in mart_data_health.
{% set sources = ['google_ads', 'meta_ads', 'ga4', 'bitrix24', 'crm_file', 'calltracking', 'manual_costs', 'fx_rates'] %}
{% for source_name in sources %}
select
    '{{ source_name }}' as source_name,
    load_id,
    inserted_at
from ({{ raw_source(source_name, '_dlt_loads', {'load_id': 'text', 'status': 'bigint', 'inserted_at': 'timestamptz'}) }}) as loads
where status = 0
{% if not loop.last %}union all{% endif %}
{% endfor %}
