{#- DuckDB views are bound by name when queried, so a view whose SQL has not changed is still
    right after the tables under it were rebuilt, as long as their columns are the same (DuckDB
    refuses a view whose columns' types moved under it). Recreating the thirty-odd views every
    run cost a tenth of a second each (a new view, two renames, a drop and a commit), a tenth of
    a daily run: a view keeps a fingerprint of its compiled SQL and its parents' columns as its
    comment and is recreated only when that changed, or on --full-refresh. Both are read in one
    catalog query: reading each parent's columns through the adapter cost as much again. -#}
{% materialization view, adapter='duckdb' %}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set state = view_state(target_relation) -%}
    {%- set fingerprint = 'throughline:' ~ local_md5(sql ~ state['parent_columns']) -%}
    {%- if existing_relation is not none and existing_relation.is_view and not should_full_refresh()
            and state['fingerprint'] == fingerprint -%}
        {{ run_hooks(pre_hooks) }}
        {%- call noop_statement('main', 'UNCHANGED') -%}{%- endcall -%}
        {{ run_hooks(post_hooks) }}
        {{ return({'relations': [target_relation]}) }}
    {%- endif -%}
    {%- set relations = dbt.materialization_view_default() -%}
    {%- do run_query("comment on view " ~ target_relation ~ " is '" ~ fingerprint ~ "'") -%}
    {%- do adapter.commit() -%}
    {{ return(relations) }}
{% endmaterialization %}

{#- The view's stored fingerprint (none when it is not a view yet) and the columns (name and
    type) of every relation this model reads that exists. -#}
{% macro view_state(relation) -%}
    {%- set parents = [] -%}
    {%- for unique_id in model.depends_on.nodes -%}
        {%- set node = graph.nodes.get(unique_id) or graph.sources.get(unique_id) -%}
        {%- if node is not none -%}
            {%- do parents.append("('" ~ node.database ~ "', '" ~ node.schema ~ "', '"
                                  ~ (node.get('alias') or node.identifier) ~ "')") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set found = run_query(
        "select (select comment from duckdb_views() where database_name = '" ~ relation.database
        ~ "' and schema_name = '" ~ relation.schema ~ "' and view_name = '" ~ relation.identifier ~ "'),"
        ~ " coalesce(string_agg(database_name || '.' || schema_name || '.' || table_name || '.'"
        ~ " || column_name || ' ' || data_type, '; ' order by database_name, schema_name, table_name,"
        ~ " column_index), '') from duckdb_columns()"
        ~ (" where (database_name, schema_name, table_name) in (" ~ parents | join(', ') ~ ")"
           if parents else " where false")) -%}
    {{ return({'fingerprint': found.columns[0].values()[0], 'parent_columns': found.columns[1].values()[0]}) }}
{%- endmacro %}
