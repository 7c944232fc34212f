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


def test_a_server_that_refuses_connections_is_tried_six_times_even_where_limits_allow_more() -> None:
    """Bitrix24 allows 11 attempts to outlast its rate limits; a portal that refuses connections
    held the run (and the warehouse's write lock) through all of them and every Dagster retry."""
    from ingestion.common.http import RetryPolicy, SourceError

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens: every connection is refused
    waits: list[float] = []
    client = ApiClient("bitrix24", f"http://127.0.0.1:{port}", policy=RetryPolicy(max_attempts=11), sleep=waits.append)
    try:
        client.get_json("crm.lead.list")
    except SourceError as error:
        assert "gave up after 6 attempts; last error: ConnectionError" in str(error)
    else:
        raise AssertionError("a refused connection succeeded")
    assert len(waits) == 5
