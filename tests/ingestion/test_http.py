"""The shared HTTP client: transport faults are retried like a dropped connection."""

from __future__ import annotations

import socket
import threading

from ingestion.common.http import ApiClient


def test_a_body_cut_short_is_asked_again() -> None:
    """The connection drops half-way through a large body (a searchStream or insights page): the
    request is retried, as a dropped connection is, not failed as an unnamed ChunkedEncodingError."""
    requests_seen = []
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        for attempt in range(2):
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                requests_seen.append(attempt)
                body = b'[{"results": [{"campaign": {"id": "1"}}' if attempt == 0 else b'[{"results": []}]'
                length = 5000 if attempt == 0 else len(body)  # the first says more than it sends
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (length, body))

    threading.Thread(target=serve, daemon=True).start()
    client = ApiClient("google_ads", f"http://127.0.0.1:{server.getsockname()[1]}", sleep=lambda seconds: None)
    try:
        assert client.post_json("v26/customers/1/googleAds:searchStream", page="customer 1", json_body={}) == [
            {"results": []}]
    finally:
        server.close()
    assert requests_seen == [0, 1]
