-- Each conversion's path as one string: the channels of its touches in order, repeats kept,
-- joined by ' > ', with its length and the fractional days from its first touch to it.
-- Incremental by contact: a daily run redoes the contacts whose paths int_touch_paths rebuilt
-- since this table's last build; conversions that are gone are deleted after the run.
{{ config(
    materialized='incremental',
    unique_key='contact_key',
    incremental_strategy='delete+insert',
    post_hook=["{{ delete_vanished_conversions(this, ref('int_touch_paths')) }}"],
) }}

select
    conversion_type,
    crm_source,
    conversion_id,
    contact_key,
    string_agg(channel, ' > ' order by touch_position) as path,
    max(path_length) as path_length,
    max(days_before_conversion) as days_to_convert,
    {{ build_stamp() }} as rebuilt_at
from {{ ref('int_touch_paths') }}
{% if is_incremental() %}
where contact_key in (
    select contact_key from {{ ref('int_touch_paths') }}
    where rebuilt_at > {{ built_until() }}
)
{% endif %}
group by conversion_type, crm_source, conversion_id, contact_key
