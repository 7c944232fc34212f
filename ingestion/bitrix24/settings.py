"""Bitrix24 REST methods, fields and limits."""

PAGE_SIZE = 50
BATCH_SIZE = 50  # sub-calls in one `batch` request (its maximum)
# Leaky bucket: 50 requests of burst, drained at 2 per second (per portal).
BURST = 40
DRAIN_PER_SECOND = 2.0
# A method over its 480 s of execution time within 10 minutes is blocked (429
# OPERATION_TIME_LIMIT) until its usage falls: wait for `time.operating_reset_at` when the reply
# gives it, else a minute between attempts, never longer than the 10-minute window.
OPERATION_BLOCK_WAIT_SECONDS = 60.0
OPERATING_WINDOW_SECONDS = 600.0
# Attempts of one request: ten waits of a minute outlast a block of the whole window.
MAX_ATTEMPTS = 11
# The errors of a request stopped by a limit, not by what it asked (also inside a `batch` reply).
LIMIT_ERRORS = frozenset({"QUERY_LIMIT_EXCEEDED", "OVERLOAD_LIMIT", "OPERATION_TIME_LIMIT"})
# Offset pages of a list sorted by DATE_MODIFY shift when a record is edited or deleted during
# the listing (it moves to the end or leaves): the record that slid into a page already read is
# never seen. A listing that saw fewer records than its first page counted is listed again.
LISTING_ATTEMPTS = 3

LEAD_FIELDS = [
    "ID", "TITLE", "NAME", "LAST_NAME", "STATUS_ID", "STATUS_SEMANTIC_ID", "SOURCE_ID",
    "ASSIGNED_BY_ID", "CONTACT_ID", "DATE_CREATE", "DATE_MODIFY", "DATE_CLOSED", "OPPORTUNITY",
    "CURRENCY_ID", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM",
    "PHONE", "EMAIL",
]
DEAL_FIELDS = [
    "ID", "TITLE", "LEAD_ID", "CONTACT_ID", "CATEGORY_ID", "STAGE_ID", "STAGE_SEMANTIC_ID",
    "CLOSED", "CLOSEDATE", "DATE_CREATE", "DATE_MODIFY", "OPPORTUNITY", "CURRENCY_ID",
    "ASSIGNED_BY_ID", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM",
]
CONTACT_FIELDS = ["ID", "NAME", "LAST_NAME", "DATE_CREATE", "DATE_MODIFY", "LEAD_ID", "PHONE", "EMAIL"]

ENTITIES = {
    # table: (list method, select)
    "leads": ("crm.lead.list", LEAD_FIELDS),
    "deals": ("crm.deal.list", DEAL_FIELDS),
    "contacts": ("crm.contact.list", CONTACT_FIELDS),
}
# Loaded whole on the first load whatever start_date says, then by DATE_MODIFY: a contact is a
# dimension, and one last edited before start_date still owns the leads and deals after it.
WHOLE_ON_FIRST_LOAD = frozenset({"contacts"})
# Tables whose records name their lead (LEAD_ID): with start_date, the leads last modified before
# it are in no lead listing (a converted lead is seldom edited again, while its deal changes until
# won), so they are asked for by id after the records are listed.
LEADS_LOOKED_UP_FOR = frozenset({"deals"})
HISTORY = {"lead_stage_history": 1, "deal_stage_history": 2}
# A record listed twice in one load (listed again, or its edit moved it to a later page) keeps
# its newest version.
NEWEST_VERSION = {"date_modify": {"dedup_sort": "desc"}}
# Fields a portal may leave empty in every record of a load (no last names kept, no lead closed
# yet): typed here, or dlt leaves their columns out and warns on every load until a value comes.
SPARSE_COLUMNS = {
    "leads": {"last_name": {"data_type": "text"}, "date_closed": {"data_type": "timestamp"}},
    "contacts": {"last_name": {"data_type": "text"}},
    "statuses": {"category_id": {"data_type": "text"}},
}
