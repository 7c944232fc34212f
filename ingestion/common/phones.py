"""Contact normalisation shared by the CRM and call-tracking sources."""

from __future__ import annotations

import re

import phonenumbers

# The _ga cookie: GA1.<domain depth>.<client id>, the depth written 2-2 where the cookie was set on a
# sub-path, the client id being <random>.<first visit time>.
GA_COOKIE = re.compile(r"GA\d+\.\d+(-\d+)?\.(?P<client_id>\d+\.\d+)", re.IGNORECASE)


def to_e164(raw: object, default_region: str = "UA") -> str | None:
    """Return the phone as E.164 (`+380671234567`), or None when it is not a valid number.

    Numbers written without a leading `+` but with a country code (`380671234567`) are
    recognised too, which is how call-tracking providers deliver them, and so is the old
    Ukrainian long-distance form with a leading 8 (`8 067 123 45 67`), still common in CRMs.
    """
    text = str(raw or "").strip()
    if not text:
        return None
    candidates = [text]
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and len(digits) >= 11:
        candidates.append("+" + digits)
    if len(digits) == 11 and digits.startswith("80"):
        candidates.append(digits[1:])
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, default_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def normalize_email(raw: object) -> str | None:
    text = str(raw or "").strip().lower()
    return text if "@" in text else None


def ga_client_id(raw: object) -> str | None:
    """The GA client id (`1382483615.1522331416`) of a value sites may fill with the whole _ga
    cookie (`GA1.2.1382483615.1522331416`) instead, in a CRM field or a call tracker; None when empty."""
    text = str(raw or "").strip()
    cookie = GA_COOKIE.fullmatch(text)
    return cookie["client_id"] if cookie else text or None
