"""Meta Marketing API endpoints, fields and defaults."""

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v26.0"
INSIGHTS_RETENTION_MONTHS = 37  # older insights are gone; a range reaching before them is an error (#3018)
DEFAULT_LOOKBACK_DAYS = 28
WINDOW_DAYS = 30
PAGE_LIMIT = 500
# The ads list asked with fewer ads a page when Meta finds a page too much data, down to this.
MIN_PAGE_LIMIT = 25

INSIGHTS_FIELDS = (
    "account_id,account_currency,campaign_id,campaign_name,adset_id,adset_name,ad_id,ad_name,"
    "spend,impressions,clicks,reach,actions,action_values,date_start,date_stop"
)
ADS_FIELDS = "id,name,adset_id,campaign_id,effective_status,updated_time,creative{id,url_tags,object_story_spec}"
# Every effective status an ad can have. Unless asked for by status, Meta leaves deleted and
# archived ads out of an account's ad-level insights and of its ads list, and a deleted ad's spend
# (up to its deletion, and the clicks it still tracks for 28 days after) is spend all the same.
AD_STATUSES = ("ACTIVE", "PAUSED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
               "CAMPAIGN_PAUSED", "ADSET_PAUSED", "ARCHIVED", "DELETED", "IN_PROCESS", "WITH_ISSUES")

# The action that counts as a lead, in order of preference (Meta reports several aliases).
LEAD_ACTIONS = ("lead", "offsite_conversion.fb_pixel_lead", "onsite_web_lead")

# Graph error codes that mean "slow down and retry" (usually with HTTP 400). Code 1 is also
# "Please reduce the amount of data you're asking for": that one is asked again for fewer days.
THROTTLING_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, *range(80000, 80015)})
# A throttled account recovers in minutes, and without X-Business-Use-Case-Usage Meta does not
# say when: 12 attempts from 2 s, as dlt's Meta source makes (about 7 minutes at most), not the
# client's default 6 from 1 s (about 30 s).
THROTTLED_ATTEMPTS, THROTTLED_BACKOFF_SECONDS = 12, 2.0
TOO_MUCH_DATA_CODE = 1
TOO_MUCH_DATA_MESSAGE = "reduce the amount of data"
# (code, subcode) of "request timed out" that a smaller request avoids; 2 / 1504038 is retried as is.
TIMED_OUT = frozenset({(100, 1504018)})
AUTH_CODES = frozenset({190, 102})

INSIGHTS_COLUMNS = {
    "date_start": {"data_type": "date", "nullable": False},
    "ad_id": {"data_type": "text", "nullable": False},
    "spend": {"data_type": "decimal", "precision": 18, "scale": 6},
    "impressions": {"data_type": "bigint"},
    "clicks": {"data_type": "bigint"},
    "reach": {"data_type": "bigint"},
    "leads": {"data_type": "bigint"},
}
