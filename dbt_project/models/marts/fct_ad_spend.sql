-- Spend per day x platform x campaign x ad group x ad, in the account currency (cost) and the
-- reporting currency (spend); manual costs spread over their days (platform 'manual').
select
    spend_date,
    platform,
    account_id,
    campaign_id,
    campaign_name,
    ad_group_id,
    ad_group_name,
    ad_id,
    ad_name,
    channel,
    currency,
    cost,
    fx_rate,
    spend,
    impressions,
    clicks
from {{ ref('int_ad_spend') }}
