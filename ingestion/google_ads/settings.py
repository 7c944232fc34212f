"""Google Ads REST endpoints, GAQL queries and defaults."""

DEFAULT_BASE_URL = "https://googleads.googleapis.com"
DEFAULT_API_VERSION = "v26"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
DEFAULT_LOOKBACK_DAYS = 28  # ad platforms restate recent days
WINDOW_DAYS = 30  # one searchStream request per account and 30 days

METRICS = "metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions"

QUERIES = {
    "campaign_stats": (
        "SELECT segments.date, customer.id, customer.currency_code, customer.time_zone, "
        "campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, "
        "campaign.tracking_url_template, campaign.final_url_suffix, "
        f"{METRICS}, metrics.conversions_value FROM campaign"
    ),
    "ad_group_stats": (
        "SELECT segments.date, customer.id, customer.currency_code, campaign.id, campaign.name, "
        "ad_group.id, ad_group.name, ad_group.tracking_url_template, ad_group.final_url_suffix, "
        f"{METRICS} FROM ad_group"
    ),
    "ad_stats": (
        "SELECT segments.date, customer.id, customer.currency_code, campaign.id, campaign.name, "
        "ad_group.id, ad_group.name, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.status, "
        "ad_group_ad.ad.final_urls, ad_group_ad.ad.tracking_url_template, "
        "ad_group_ad.ad.final_url_suffix, ad_group_ad.ad.url_custom_parameters, "
        f"{METRICS} FROM ad_group_ad"
    ),
    "keyword_stats": (
        "SELECT segments.date, customer.id, customer.currency_code, campaign.id, ad_group.id, "
        "ad_group_criterion.criterion_id, ad_group_criterion.keyword.text, "
        f"ad_group_criterion.keyword.match_type, {METRICS} FROM keyword_view"
    ),
}

PRIMARY_KEYS = {
    "campaign_stats": ("customer_id", "campaign_id", "date"),
    "ad_group_stats": ("customer_id", "ad_group_id", "date"),
    "ad_stats": ("customer_id", "ad_group_id", "ad_id", "date"),
    "keyword_stats": ("customer_id", "ad_group_id", "criterion_id", "date"),
}

MONEY = {"data_type": "decimal", "precision": 18, "scale": 6}
# URL settings most accounts leave empty on every row: typed, or dlt leaves their columns out and
# warns on every load until one is set (one dict per column: dlt writes each column's name into it).
SPARSE_COLUMNS = {
    "campaign_stats": {"tracking_url_template": {"data_type": "text"},
                       "final_url_suffix": {"data_type": "text"}},
    "ad_group_stats": {"ad_group_tracking_url_template": {"data_type": "text"},
                       "ad_group_final_url_suffix": {"data_type": "text"}},
    "ad_stats": {"ad_tracking_url_template": {"data_type": "text"},
                 "ad_final_url_suffix": {"data_type": "text"}},
}
COLUMNS = {
    "date": {"data_type": "date", "nullable": False},
    "customer_id": {"data_type": "text", "nullable": False},
    "cost": MONEY,
    "cost_micros": {"data_type": "bigint"},
    "impressions": {"data_type": "bigint"},
    "clicks": {"data_type": "bigint"},
    "conversions": {"data_type": "double"},
}
