"""Secrets stay out of error messages: a password in a URL, and requests that cannot be sent."""

from __future__ import annotations

import pytest
import requests

from ingestion.common.http import ApiClient, SourceError
from ingestion.common.redaction import redact
from throughline.warehouse import Warehouse


def test_a_warehouse_password_is_masked_wherever_an_error_quotes_it() -> None:
    """psycopg refuses a URL whose password holds an unescaped '%' quoting the password alone
    (dlt and dbt accept it, so the loads work and the error shows up later, in a run's summary
    and its alert); an unsupported scheme was echoed whole."""
    Warehouse.from_url("postgresql://bi:Wh%zz9secret@127.0.0.1:5432/analytics")
    # (other tests register secrets of their own, such as "token": only these values are looked for)
    assert "Wh%zz9" not in redact('invalid percent-encoded token: "Wh%zz9secret"')
    with pytest.raises(ValueError) as refused:
        Warehouse.from_url("postgresql+psycopg://bi:n0t-a-secret-yet@db.example.com/analytics")
    assert "n0t-a-secret-yet" not in str(refused.value) and ":***@db.example.com" in str(refused.value)
    assert "p%40ss" not in redact("could not reach postgres://reader:p%40ss@db.example.com/db")


def test_a_request_that_cannot_be_sent_is_a_source_error_without_its_token() -> None:
    """A token pasted with its line break makes a header requests refuses to send: the error
    quoted the header, token and all, past every redaction (only connection faults were caught)."""
    def authorize(headers: dict[str, str], params: dict) -> None:
        headers["Authorization"] = "Bearer EAAB-pasted-token\n"

    client = ApiClient("meta_ads", "http://127.0.0.1:9", authorize=authorize, sleep=lambda seconds: None)
    with pytest.raises(SourceError) as failed:
        client.get_json("v26.0/act_1/insights", page="2026-09-01")
    assert "EAAB-pasted-token" not in str(failed.value)
    assert str(failed.value).startswith("meta_ads: request to v26.0/act_1/insights (2026-09-01) failed: InvalidHeader")
    assert isinstance(requests.exceptions.InvalidHeader("x"), requests.RequestException)
