-- One row per GA session: when, from where (normalised UTMs, channel), and whether its visitor
-- id was flagged as a bot / shared id. A view: int_sessions is the incremental table under it.
{{ config(materialized='view') }}

select
    session_id,
    client_id,
    ga_session_id,
    started_at,
    session_date,
    session_number,
    utm_source,
    utm_medium,
    utm_campaign,
    utm_content,
    utm_term,
    gclid,
    landing_page,
    device_category,
    channel,
    is_direct,
    is_flagged_visitor
from {{ ref('int_sessions') }}
