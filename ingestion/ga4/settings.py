"""GA4: BigQuery-export files and the Data API runReport."""

DEFAULT_BASE_URL = "https://analyticsdata.googleapis.com"
SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
EXPORT_LOOKBACK_DAYS = 3  # daily export tables are updated with late events for 3 days
REPORT_LOOKBACK_DAYS = 3
REPORT_PAGE_SIZE = 10000

REPORT_DIMENSIONS = [
    "date", "sessionSource", "sessionMedium", "sessionCampaignName",
    "sessionManualAdContent", "sessionManualTerm", "landingPage",
]
REPORT_METRICS = ["sessions", "totalUsers", "engagedSessions", "keyEvents"]

# Event names that carry a submitted form (and its client_id parameter).
FORM_EVENTS = frozenset({"form_submit", "generate_lead"})

EVENT_COLUMNS = [
    "event_date", "event_timestamp", "event_at", "event_name", "user_pseudo_id", "ga_session_id",
    "ga_session_number", "page_location", "page_referrer", "source", "medium", "campaign",
    "content", "term", "gclid", "device_category", "geo_country", "geo_city", "client_id",
]
