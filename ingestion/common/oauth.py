"""OAuth 2.0 access tokens for Google APIs: refresh-token grant or service-account JWT."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from ingestion.common.http import ApiClient, SourceError
from ingestion.common.redaction import register_secret

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass
class OAuthToken:
    """Fetches an access token lazily and renews it when asked (after a 401)."""

    source: str
    token_url: str
    form: dict[str, str]
    session: requests.Session = field(default_factory=requests.Session)
    access_token: str | None = None
    # a service account signs a new assertion (valid an hour) for each token it asks for
    assertion: Callable[[], str] | None = None

    @classmethod
    def refresh_grant(cls, source: str, token_url: str, client_id: str, client_secret: str,
                      refresh_token: str) -> OAuthToken:
        for secret in (client_secret, refresh_token):
            register_secret(secret)
        return cls(source, token_url, {
            "grant_type": "refresh_token", "client_id": client_id,
            "client_secret": client_secret, "refresh_token": refresh_token,
        })

    @classmethod
    def from_credentials(cls, source: str, credentials: Any, scope: str) -> OAuthToken:
        """A service-account key (JWT bearer grant) or an authorized-user JSON (refresh grant)."""
        try:
            info = json.loads(credentials) if isinstance(credentials, str) else dict(credentials)
        except json.JSONDecodeError as exc:  # its text holds a private key: only where it breaks
            raise ValueError(
                f"{source}: the credentials setting (SOURCES__{source.upper()}__CREDENTIALS) is not valid JSON: "
                f"{exc.msg} at line {exc.lineno}, column {exc.colno}; give the service account's key file "
                "contents as they are") from None
        token_url = info.get("token_uri", "https://oauth2.googleapis.com/token")
        if info.get("type") == "service_account":
            register_secret(info.get("private_key"))
            return cls(source, token_url, {"grant_type": JWT_GRANT},
                       assertion=lambda: _signed_jwt(info, scope, token_url))
        return cls.refresh_grant(source, token_url, info["client_id"], info["client_secret"],
                                 info["refresh_token"])

    def refresh(self) -> None:
        """Renew the access token (retrying 429/5xx like any call); a refusal is a clear error."""
        client = ApiClient(self.source, self.token_url, session=self.session)
        form = {**self.form, "assertion": self.assertion()} if self.assertion else self.form
        try:
            body = client.post_json(self.token_url, page="OAuth token", data=form)
        except SourceError as error:
            raise SourceError(self.source, self.token_url, "OAuth token",
                              f"the access token could not be renewed ({error}); check the client "
                              "id, client secret and refresh token", error.status) from error
        self.access_token = body["access_token"]
        register_secret(self.access_token)

    def authorize(self, headers: dict[str, str], params: dict[str, Any]) -> None:
        if self.access_token is None:
            self.refresh()
        headers["Authorization"] = f"Bearer {self.access_token}"


def _signed_jwt(info: dict[str, Any], scope: str, audience: str) -> str:
    import base64

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": info.get("private_key_id", "")}
    claims = {"iss": info["client_email"], "scope": scope, "aud": audience,
              "iat": now, "exp": now + 3600}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    key = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"
