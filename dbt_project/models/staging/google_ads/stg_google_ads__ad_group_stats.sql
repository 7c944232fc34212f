{{ google_ads_daily_stats('ad_group_stats', {
    'campaign_id': 'text', 'ad_group_id': 'text', 'ad_group_name': 'text',
}) }}
