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

