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


def test_a_bitrix_contact_keeps_its_first_valid_phone_and_email() -> None:
    """PHONE and EMAIL are lists (bitrix24.md: multifields, {ID, VALUE_TYPE, VALUE, TYPE_ID}): a
    first entry too short to dial or left empty hid the good number and address after it, and the
    lead lost its contact key (no call or duplicate matched it)."""
    record = {"ID": "7",
              "PHONE": [{"ID": "1", "VALUE_TYPE": "WORK", "VALUE": "067 123", "TYPE_ID": "PHONE"},
                        {"ID": "2", "VALUE_TYPE": "MOBILE", "VALUE": "+380 67 765 43 21", "TYPE_ID": "PHONE"}],
              "EMAIL": [{"ID": "3", "VALUE_TYPE": "WORK", "VALUE": "", "TYPE_ID": "EMAIL"},
                        {"ID": "4", "VALUE_TYPE": "HOME", "VALUE": " Olena@Example.UA", "TYPE_ID": "EMAIL"}]}
    row = normalise(record, None, "UA")
    assert (row["PHONE_E164"], row["EMAIL_NORMALIZED"]) == ("+380677654321", "olena@example.ua")
    assert normalise({"ID": "8", "PHONE": [], "EMAIL": None}, None, "UA")["PHONE_E164"] is None
