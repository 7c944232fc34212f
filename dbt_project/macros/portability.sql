{# SQL that differs between DuckDB and PostgreSQL, dispatched per adapter. #}

{% macro url_decode(expr) -%}{{ adapter.dispatch('url_decode', 'throughline')(expr) }}{%- endmacro %}
{% macro default__url_decode(expr) -%}throughline_url_decode({{ expr }}){%- endmacro %}
{#- DuckDB's url_decode fails the query on escapes that are not UTF-8 (and try() around it blanks its
    input too), so only values whose every %XX belongs to a valid UTF-8 sequence are decoded. -#}
{% macro duckdb__url_decode(expr) -%}
    {%- set utf8_escapes = '%0[1-9a-f]|%[1-7][0-9a-f]|%c[2-9a-f]%[89ab][0-9a-f]|%d[0-9a-f]%[89ab][0-9a-f]'
        ~ '|%e0%[ab][0-9a-f]%[89ab][0-9a-f]|%e[1-9a-cef]%[89ab][0-9a-f]%[89ab][0-9a-f]|%ed%[89][0-9a-f]%[89ab][0-9a-f]'
        ~ '|%f0%[9ab][0-9a-f](%[89ab][0-9a-f]){2}|%f[1-3](%[89ab][0-9a-f]){3}|%f4%8[0-9a-f](%[89ab][0-9a-f]){2}' -%}
    case
        when not contains({{ expr }}, '%') then {{ expr }}
        when regexp_matches(regexp_replace({{ expr }}, '{{ utf8_escapes }}', '_', 'gi'), '%[0-9a-f]{2}', 'i') then {{ expr }}
        else url_decode({{ expr }})
    end
{%- endmacro %}

{# PostgreSQL has no URL decoder: create one when a run starts (DuckDB has url_decode). On both, a
   value whose %XX escapes are not UTF-8 (a cut Cyrillic UTM) stays as it was instead of failing. #}
{% macro create_url_decode_function() -%}{{ adapter.dispatch('create_url_decode_function', 'throughline')() }}{%- endmacro %}
{% macro default__create_url_decode_function() -%}select 1{%- endmacro %}
{% macro postgres__create_url_decode_function() -%}
create or replace function throughline_url_decode(input text) returns text
language plpgsql immutable as $fn$
declare
    bytes bytea := '';
    i int := 1;
    ch text;
begin
    if input is null then return null; end if;
    while i <= length(input) loop
        ch := substr(input, i, 1);
        if ch = '%' and substr(input, i + 1, 2) ~ '^[0-9A-Fa-f]{2}$' then
            bytes := bytes || decode(substr(input, i + 1, 2), 'hex');
            i := i + 3;
        else
            bytes := bytes || convert_to(ch, 'UTF8');
            i := i + 1;
        end if;
    end loop;
    return convert_from(bytes, 'UTF8');
exception when others then
    return input;
end
$fn$
{%- endmacro %}

{# Whether `value` is one of `literals` (SQL constants). DuckDB plans an IN list of more than a few
   constants as a join with the list, and keeps that join where nothing reads the column (a query
   of the GA4 events view that reads no UTM still joined each of its five with GA's placeholders);
   list_contains is a plain function, dropped with its column. #}
{% macro is_one_of(value, literals) -%}{{ adapter.dispatch('is_one_of', 'throughline')(value, literals) }}{%- endmacro %}
{% macro default__is_one_of(value, literals) -%}{{ value }} in ({{ literals | join(', ') }}){%- endmacro %}
{% macro duckdb__is_one_of(value, literals) -%}list_contains([{{ literals | join(', ') }}], {{ value }}){%- endmacro %}

{# The spaces beyond ASCII a pasted value brings (no-break, em, thin, ideographic, ...), as a string
   expression; neither engine's `\s` matches them all. #}
{% macro unicode_spaces() -%}
    chr(160) || chr(5760){% for code in range(8192, 8203) %} || chr({{ code }}){% endfor %} || chr(8239) || chr(8287) || chr(12288)
{%- endmacro %}

{# Text in the order of its bytes on either engine (PostgreSQL's default collation orders by language). #}
{% macro binary_order(expr) -%}{{ adapter.dispatch('binary_order', 'throughline')(expr) }}{%- endmacro %}
{% macro default__binary_order(expr) -%}{{ expr }} collate "C"{%- endmacro %}
{% macro duckdb__binary_order(expr) -%}{{ expr }}{%- endmacro %}

{# `expr` without the spaces around it, no-break and other Unicode spaces too: DuckDB's trim()
   strips them all, PostgreSQL's only ' ' (a form sending google%C2%A0 would be another source). #}
{% macro trim_spaces(expr) -%}{{ adapter.dispatch('trim_spaces', 'throughline')(expr) }}{%- endmacro %}
{% macro default__trim_spaces(expr) -%}
    btrim({{ expr }}, ' ' || {{ unicode_spaces() }})
{%- endmacro %}
{% macro duckdb__trim_spaces(expr) -%}trim({{ expr }}){%- endmacro %}

{% macro regex_match(expr, pattern) -%}{{ adapter.dispatch('regex_match', 'throughline')(expr, pattern) }}{%- endmacro %}
{# The whole value must match, as DuckDB's regexp_full_match does, and `.` matches a newline too, as
   in PostgreSQL ('s'; a UTM can carry an encoded one: google / cpc / spring%0Asale is still Paid Search). #}
{% macro default__regex_match(expr, pattern) -%}({{ expr }} ~ ('^(?:' || {{ pattern }} || ')$')){%- endmacro %}
{% macro duckdb__regex_match(expr, pattern) -%}regexp_full_match({{ expr }}, {{ pattern }}, 's'){%- endmacro %}

{# Seconds since the epoch of a timestamp with time zone. #}
{% macro epoch_seconds(expr) -%}{{ adapter.dispatch('epoch_seconds', 'throughline')(expr) }}{%- endmacro %}
{% macro default__epoch_seconds(expr) -%}extract(epoch from {{ expr }}){%- endmacro %}
{% macro duckdb__epoch_seconds(expr) -%}epoch({{ expr }}){%- endmacro %}

{# Fractional days from ts_from to ts_to. #}
{% macro days_between(ts_from, ts_to) -%}
    (({{ epoch_seconds(ts_to) }}) - ({{ epoch_seconds(ts_from) }})) / 86400.0
{%- endmacro %}

{# The local calendar date of a UTC timestamp in the business time zone. #}
{% macro local_date(ts) -%}
    cast(({{ ts }}) at time zone '{{ var("timezone") }}' as date)
{%- endmacro %}

{# Ratio with NULL for a zero or missing denominator (never 0, never an error). #}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as numeric(38, 10)) / nullif(cast({{ denominator }} as numeric(38, 10)), 0))
{%- endmacro %}

{# A whole-number hash of a row's `columns` (a list of expressions), for fingerprints compared
   from run to run. #}
{% macro hash_number(columns) -%}{{ adapter.dispatch('hash_number', 'throughline')(columns) }}{%- endmacro %}
{% macro default__hash_number(columns) -%}
    hashtextextended(concat_ws('|'{% for column in columns %}, coalesce(cast({{ column }} as text), '-'){% endfor %}), 0)
{%- endmacro %}
{% macro duckdb__hash_number(columns) -%}hash({{ columns | join(', ') }}){%- endmacro %}

{# Numbers 0..n as rows of column n (a portable series). #}
{% macro numbers(n) -%}
    select cast(g.n as integer) as n from generate_series(0, {{ n }}) as g(n)
{%- endmacro %}

{# The value of `expr` on the group's first row by `order_by` (NULL kept, as a row's value), among
   the rows that meet `where`: one pass of an aggregate instead of a window and a join. #}
{% macro first_by(expr, order_by, where=none) -%}{{ adapter.dispatch('first_by', 'throughline')(expr, order_by, where) }}{%- endmacro %}
{% macro default__first_by(expr, order_by, where) -%}
    (array_agg({{ expr }} order by {{ order_by }}){% if where %} filter (where {{ where }}){% endif %})[1]
{%- endmacro %}
{% macro duckdb__first_by(expr, order_by, where) -%}
    arg_min_null({{ expr }}, ({{ order_by }})){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
