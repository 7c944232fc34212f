{#- Incremental facts. A daily run rebuilds only what the new data can change: rows from
    `reprocess_days` before the newest data already built (sources restate their last days), plus
    what depends on records changed since. `throughline run --full-refresh` rebuilds everything
    and gives the same tables; run it after editing channel_rules or an attribution var. -#}

{#- The newest `column` of this model's current table (an empty table: long ago). Read before the
    model runs and written into its SQL as a constant: a filter on a constant skips the row groups
    of older rows, one on a subquery reads every row. -#}
{% macro newest_in_this(column) -%}
    {%- set newest = none -%}
    {%- if execute -%}
        {%- set newest = run_query('select max(' ~ column ~ ') from ' ~ this).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if newest is none -%}
        cast('1900-01-01' as {{ dbt.type_timestamp() }})
    {%- elif newest.tzinfo is none -%}
        cast('{{ newest.isoformat(" ") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ newest.isoformat(" ") }}' as timestamp with time zone)
    {%- endif -%}
{%- endmacro %}

{#- The moment from which rows are rebuilt: `reprocess_days` before the newest `column` of
    this model's current table, or earlier when a load since the table was built wrote older
    days of `loaded_from` (a source, table and date column: a backfill of past days). -#}
{% macro reprocess_cutoff(column, loaded_from=none) -%}
    {%- set cutoff = dbt.dateadd('day', -1 * var('reprocess_days'), newest_in_this(column)) -%}
    {%- set backfilled = earliest_day_loaded_since_built(*loaded_from) if loaded_from else none -%}
    {%- if backfilled is none -%}
    {{ cutoff }}
    {%- else -%}
    {#- a day is the source's local day: from the UTC day before it -#}
    least({{ cutoff }}, cast('{{ backfilled - modules.datetime.timedelta(days=1) }}' as {{ dbt.type_timestamp() }}))
    {%- endif -%}
{%- endmacro %}

{#- The earliest `date_column` of the rows that dlt loads of source `source_name` wrote into
    `table_name` after this model's newest build stamp (none without such rows). Both read before
    the model runs: new loads sit at the end of the table, so the scan skips the older ones. -#}
{% macro earliest_day_loaded_since_built(source_name, table_name, date_column) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set table = source(source_name, table_name) -%}
    {%- set loads = source(source_name, '_dlt_loads') -%}
    {%- set table_exists = adapter.get_relation(table.database, table.schema, table.identifier) -%}
    {%- set loads_exist = adapter.get_relation(loads.database, loads.schema, loads.identifier) -%}
    {%- if table_exists is none or loads_exist is none -%}{{ return(none) }}{%- endif -%}
    {%- if '_dlt_load_id' not in adapter.get_columns_in_relation(table_exists) | map(attribute='name') | list -%}
        {{ return(none) }}
    {%- endif -%}
    {#- inserted_at has a time zone, the build stamps are UTC without one -#}
    {%- set first_new_load = run_query('select min(load_id) from ' ~ loads ~ " where cast(inserted_at at time zone 'UTC' as "
                                       ~ dbt.type_timestamp() ~ ') > ' ~ newest_in_this('rebuilt_at')).columns[0].values()[0] -%}
    {%- if first_new_load is none -%}{{ return(none) }}{%- endif -%}
    {%- set earliest = run_query('select min(' ~ date_column ~ ') from ' ~ table ~ " where _dlt_load_id >= '"
                                 ~ first_new_load ~ "'").columns[0].values()[0] -%}
    {{ return(earliest) }}
{%- endmacro %}

{#- When this dbt invocation started: stamps the rows a run rebuilt, so models downstream pick
    up exactly those. -#}
{% macro build_stamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The newest build stamp of this model's current table, so that rows upstream rebuilt after
    it are the ones to pick up. -#}
{% macro built_until() -%}
    {{ newest_in_this('rebuilt_at') }}
{%- endmacro %}

{#- The earliest `column` of the rows of `relation` rebuilt since this model's last build, as a
    scalar subquery (NULL when none was): where a model recounts from. -#}
{% macro earliest_rebuilt(relation, column) -%}
    (select min({{ column }}) from {{ relation }} where rebuilt_at > {{ built_until() }})
{%- endmacro %}

{#- Incremental strategy `delete_insert_recent`: delete+insert for a model whose rebuilt rows
    are recent in its `recent_by` column and whose old versions were at most a day older. The
    delete then looks only from a day before the earliest rebuilt row: it skips the row groups of
    older rows instead of reading the whole key column. -#}
{% macro get_incremental_delete_insert_recent_sql(arg_dict) -%}
    {%- set column = config.require('recent_by') -%}
    {%- set earliest = '(select min(' ~ column ~ ') from ' ~ arg_dict['temp_relation'] ~ ')' -%}
    {%- do arg_dict.update({'incremental_predicates': (arg_dict['incremental_predicates'] or [])
        + [column ~ ' >= ' ~ dbt.dateadd('day', -1, earliest)]}) -%}
    {{ get_incremental_delete_insert_sql(arg_dict) }}
{%- endmacro %}

{#- Post-hook of the models kept per conversion: deletes the rows of conversions that `upstream`
    no longer has (a lead deleted, a deal no longer won, a conversion moved to another contact).
    `one_row_per_conversion` picks one row of each conversion in `target`, so the search reads a
    row per conversion, not one per touch. -#}
{% macro delete_vanished_conversions(target, upstream, one_row_per_conversion='true') -%}
    {%- set keys = ['conversion_type', 'crm_source', 'conversion_id', 'contact_key'] -%}
    delete from {{ target }} as built using (
        select {{ keys | join(', ') }} from {{ target }} where {{ one_row_per_conversion }}
        except
        select {{ keys | join(', ') }} from {{ upstream }}
    ) as vanished
    where {{ keys_match('built', 'vanished', keys, 'is not distinct from') }}
{%- endmacro %}

{#- Incremental strategy `changed_rows`, for a table whose SQL computes every row each run and
    whose rows mostly stay the same from one day to the next: only the rows that differ are
    rewritten. The table's rows that are not among the new ones (changed or gone) are deleted
    by key, then the new rows whose key is no longer there are inserted (new or changed).
    Rewriting every row of the leads cost 1.6 s a daily run at L, the comparison 1.3 s. The
    `unique_key` columns must never be NULL. -#}
{% macro get_incremental_changed_rows_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set new_rows = arg_dict['temp_relation'] -%}
    {%- set keys = arg_dict['unique_key'] if arg_dict['unique_key'] is sequence and arg_dict['unique_key'] is not string else [arg_dict['unique_key']] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }} as built using (
        select {{ keys | join(', ') }} from (
            select {{ columns }} from {{ target }}
            except
            select {{ columns }} from {{ new_rows }}
        ) as stale_rows
    ) as stale
    where {{ keys_match('built', 'stale', keys) }};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ new_rows }} as fresh
    where not exists (
        select 1 from {{ target }} as built
        where {{ keys_match('built', 'fresh', keys) }}
    )
{%- endmacro %}

{#- `left.k1 <op> right.k1 and left.k2 <op> right.k2 ...`: the join of two relations on their keys. -#}
{% macro keys_match(left, right, keys, operator='=') -%}
    {%- for key in keys %}{{ left }}.{{ key }} {{ operator }} {{ right }}.{{ key }}{% if not loop.last %} and {% endif %}{% endfor -%}
{%- endmacro %}

{#- on_schema_change='sync_all_columns' changes a column's type with dbt's four statements (add a
    column, copy, drop, rename); DuckDB cannot commit them in one transaction with the model's
    delete and insert ("another transaction has altered this table"), so a table an older release
    built failed its first daily run. DuckDB changes the type in place. -#}
{% macro duckdb__alter_column_type(relation, column_name, new_column_type) -%}
    {% call statement('alter_column_type') %}
        alter table {{ relation.render() }} alter column {{ adapter.quote(column_name) }} type {{ new_column_type }}
    {% endcall %}
{%- endmacro %}
