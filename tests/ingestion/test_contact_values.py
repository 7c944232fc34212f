"""Contact values as CRMs really hold them: phones in the old Ukrainian long-distance form, and
GA client ids in custom Bitrix24 fields of any type (a string, a number, a multiple field)."""

from __future__ import annotations

import pytest

from ingestion.bitrix24.helpers import normalise
from ingestion.common.phones import to_e164


@pytest.mark.parametrize(("raw", "expected"), [
    ("8 067 123 45 67", "+380671234567"),
    ("80671234567", "+380671234567"),
    ("8 (044) 555-11-22", "+380445551122"),
    ("067 123 45 67", "+380671234567"),
    ("380671234567", "+380671234567"),
    ("+48 601 234 567", "+48601234567"),
    ("8 067 123 45", None),  # a digit short
    ("n/a", None),
    ("", None),
])
def test_phones_to_e164(raw: str, expected: str | None) -> None:
    assert to_e164(raw) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("1382483615.1522331416", "1382483615.1522331416"),
    (" 1382483615.1522331416 ", "1382483615.1522331416"),
    ("GA1.2.1382483615.1522331416", "1382483615.1522331416"),  # the whole _ga cookie
    ("ga1.1.1382483615.1522331416", "1382483615.1522331416"),
    ("GA1.2-2.1382483615.1522331416", "1382483615.1522331416"),  # a cookie set on a sub-path
    (["", "1382483615.1522331416", "999.1"], "1382483615.1522331416"),
    (1382483615, "1382483615"),
    (True, None),
    (False, None),
    ([], None),
    ("", None),
    (None, None),
])
def test_client_id_from_a_custom_field_of_any_type(value: object, expected: str | None) -> None:
    record = {"ID": "1", "UF_CRM_1704817278": value}
    assert normalise(record, "UF_CRM_1704817278", "UA")["CLIENT_ID"] == expected
