{{ google_ads_daily_stats('keyword_stats', {
    'campaign_id': 'text', 'ad_group_id': 'text', 'criterion_id': 'text',
    'keyword_text': 'text', 'match_type': 'text',
}, expressions={'keyword_text': normalize_utm('keyword_text') ~ ' as keyword'}) }}
