"""Keep secrets out of logs, error messages and the Dagster event log."""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()

# Query-string and header forms that carry credentials in the APIs we speak.
_CREDENTIAL_PATTERNS = [
    re.compile(r"(?i)(access_token|refresh_token|client_secret|token|api_key|auth_key|key|secret)=([^&\s\"']+)"),
    re.compile(r"(?i)(authorization|auth-key|developer-token)(\"?\s*[:=]\s*\"?)([^\"',}\s]+(?: [^\"',}\s]+)?)"),
    re.compile(r"(/rest/\d+/)([A-Za-z0-9_]+)(/?)"),  # Bitrix24 webhook code in the URL path
    re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s]+:)([^@\s]+)(@)", re.I),  # a password in a URL
    re.compile(r"(bearer\s+)([^\s'\"\\]+)()", re.I),  # a header's value quoted without its name
]


def register_secret(value: object) -> None:
    """Remember a secret so that `redact` removes it wherever it appears."""
    text = str(value or "").strip()
    if len(text) >= 4:
        with _lock:
            _secrets.add(text)


def redact(text: object) -> str:
    out = str(text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        out = out.replace(secret, "***")
    out = _CREDENTIAL_PATTERNS[0].sub(lambda m: f"{m.group(1)}=***", out)
    out = _CREDENTIAL_PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2)}***", out)
    for pattern in _CREDENTIAL_PATTERNS[2:]:
        out = pattern.sub(lambda m: f"{m.group(1)}***{m.group(3)}", out)
    return out


class RedactingFilter(logging.Filter):
    """Rewrites every record's message with secrets removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction() -> None:
    """Attach the redacting filter to the root logger's handlers and to the loggers we use."""
    flt = RedactingFilter()
    for name in ("", "throughline", "dlt", "dagster", "urllib3", "requests"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(flt)
