{#- Incremental facts. A daily run rebuilds only what the new data can change: rows from
    `reprocess_days` before the newest data already built (sources restate their last days), plus
    what depends on records changed since. `throughline run --full-refresh` rebuilds everything
    and gives the same tables; run it after editing channel_rules or an attribution var. -#}

{#- The moment from which rows are rebuilt: `reprocess_days` before the newest `column` of
    this model's current table. -#}
{% macro reprocess_cutoff(column) -%}
    (select {{ dbt.dateadd('day', -1 * var('reprocess_days'), 'coalesce(max(' ~ column ~ "), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ '))') }} from {{ this }})
{%- endmacro %}

{#- When this dbt invocation started: stamps the rows a run rebuilt, so models downstream pick
    up exactly those. -#}
{% macro build_stamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The newest build stamp of this model's current table (an empty table: long ago), so that
    rows upstream rebuilt after it are the ones to pick up. -#}
{% macro built_until() -%}
    coalesce(max(rebuilt_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
{%- endmacro %}

{#- Post-hook of the models kept per conversion: deletes the rows of conversions that `upstream`
    no longer has (a lead deleted, a deal no longer won, a conversion moved to another contact). -#}
{% macro delete_vanished_conversions(target, upstream, by_contact=true) -%}
    delete from {{ target }} as built where not exists (
        select 1 from {{ upstream }} as kept
        where kept.conversion_type = built.conversion_type and kept.crm_source = built.crm_source
            and kept.conversion_id = built.conversion_id
            {%- if by_contact %} and kept.contact_key = built.contact_key{% endif %})
{%- endmacro %}
