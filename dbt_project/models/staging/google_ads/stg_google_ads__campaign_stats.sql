{{ google_ads_daily_stats('campaign_stats', {
    'campaign_id': 'text', 'campaign_name': 'text', 'campaign_status': 'text',
    'advertising_channel_type': 'text', 'final_url_suffix': 'text',
}, expressions={'advertising_channel_type': 'upper(advertising_channel_type) as channel_type'}) }}
