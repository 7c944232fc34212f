-- Campaigns of every ad platform (and manual cost lines), with the normalised name that
-- sessions' utm_campaign may carry instead of the id.
select
    platform,
    campaign_id,
    max(campaign_name) as campaign_name,
    {{ normalize_utm('max(campaign_name)') }} as campaign_name_normalized,
    max(channel) as channel,
    min(spend_date) as first_spend_date,
    max(spend_date) as last_spend_date
from {{ ref('int_ad_spend') }}
where campaign_id is not null
group by platform, campaign_id
