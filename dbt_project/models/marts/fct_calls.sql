-- One row per tracked call (inbound and outbound), with channel, manager and call quality.
-- A view: int_calls is the table under it.
{{ config(materialized='view') }}

select
    call_id,
    provider,
    started_at,
    call_date,
    direction,
    is_answered,
    is_missed,
    wait_seconds,
    talk_seconds,
    duration_seconds,
    tracking_number,
    number_type,
    session_id,
    source_name,
    utm_source,
    utm_medium,
    utm_campaign,
    channel,
    manager_id,
    is_called_back,
    called_back_at,
    callback_minutes,
    is_first_time_caller
from {{ ref('int_calls') }}
