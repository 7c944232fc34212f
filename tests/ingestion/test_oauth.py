"""A GA4 service account gets a freshly signed assertion for every token, so a load running past
the hour an assertion lives can still renew its access token."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ingestion.common import oauth
from ingestion.common.oauth import OAuthToken
from tests.ingestion.fake_api import FakeApi, Reply, Request


def claims(assertion: str) -> dict:
    payload = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_service_account_signs_each_token_request(monkeypatch: pytest.MonkeyPatch) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    assertions: list[str] = []

    def token_endpoint(request: Request) -> Reply:
        form = request.form()
        assert form["grant_type"] == oauth.JWT_GRANT
        assertions.append(form["assertion"])
        return Reply(body={"access_token": f"token-{len(assertions)}", "expires_in": 3600})

    with FakeApi(token_endpoint) as api:
        info = {"type": "service_account", "client_email": "loader@project.iam.gserviceaccount.com",
                "private_key": pem, "private_key_id": "k1", "token_uri": f"{api.url}/token"}
        token = OAuthToken.from_credentials("ga4", json.dumps(info), "https://www.googleapis.com/auth/analytics")
        monkeypatch.setattr(oauth.time, "time", lambda: 1_790_000_000)
        token.refresh()
        monkeypatch.setattr(oauth.time, "time", lambda: 1_790_000_000 + 3700)  # past the first one's hour
        token.refresh()

    assert token.access_token == "token-2"
    first, second = (claims(assertion) for assertion in assertions)
    assert (first["iat"], first["exp"]) == (1_790_000_000, 1_790_003_600)
    assert (second["iat"], second["exp"]) == (1_790_003_700, 1_790_007_300)
    assert second["aud"] == f"{api.url}/token" and second["iss"] == info["client_email"]


def test_credentials_that_are_not_json_name_the_setting_not_the_key() -> None:
    """A key file pasted with a line cut: the run failed with a bare JSONDecodeError, naming
    neither the source nor the setting."""
    broken = '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIsecret" "token_uri": 1}'
    expected = (r"^ga4: the credentials setting \(SOURCES__GA4__CREDENTIALS\) is not valid JSON: "
                r"Expecting ',' delimiter at line 1, column \d+")
    with pytest.raises(ValueError, match=expected) as error:
        OAuthToken.from_credentials("ga4", broken, "https://www.googleapis.com/auth/analytics")
    assert "MIIsecret" not in str(error.value)
