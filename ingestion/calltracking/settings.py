"""Call-tracking providers: endpoints, fields and limits."""

DEFAULT_BASE_URLS = {"ringostat": "https://api.ringostat.net", "callrail": "https://api.callrail.com"}
DEFAULT_LOOKBACK_DAYS = 2  # calls change after the fact (tags, recordings)

RINGOSTAT_MAX_ROWS = 6500  # the API's hard limit per request: split the window below it
RINGOSTAT_WINDOW_DAYS = 7  # a week per request: a two-year backfill in 105 requests, not 730
# Ringostat documents no rate limit; its API reference advises at most one request a second.
RINGOSTAT_REQUESTS_PER_SECOND = 1.0
RINGOSTAT_FIELDS = (
    "uniqueid,calldate,caller,dst,disposition,call_type,duration,waittime,billsec,connected_with,"
    "employee_fio,pool_name,utm_source,utm_medium,utm_campaign,utm_content,utm_term,client_id,"
    "landing,recording,proper_flag,repeated_flag"
)

CALLRAIL_PER_PAGE = 250
CALLRAIL_RETENTION_MONTHS = 25  # older calls are gone; a range reaching before them is an error
CALLRAIL_FIELDS = (
    "source,source_name,medium,campaign,utm_source,utm_medium,utm_campaign,utm_content,utm_term,"
    "ga,gclid,agent_email,landing_page_url,first_call,call_type,company_time_zone"
)

CALLS_COLUMNS = {
    "call_id": {"data_type": "text", "nullable": False},
    "started_at": {"data_type": "timestamp", "nullable": False},
    "answered": {"data_type": "bool"},
    "wait_seconds": {"data_type": "bigint"},
    "duration_seconds": {"data_type": "bigint"},
    "talk_seconds": {"data_type": "bigint"},
    "gclid": {"data_type": "text"},  # Ringostat has none; CallRail's often empty
}
