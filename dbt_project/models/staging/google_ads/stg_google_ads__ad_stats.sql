{{ google_ads_daily_stats('ad_stats', {
    'campaign_id': 'text', 'ad_group_id': 'text', 'ad_group_name': 'text',
    'ad_id': 'text', 'ad_name': 'text', 'final_urls': 'text', 'ad_final_url_suffix': 'text',
}) }}
