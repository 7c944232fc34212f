"""A tiny HTTP server on 127.0.0.1 whose answers a test scripts, to check connectors against
canned responses in the real APIs' formats (../shared/reference/apis/)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    raw_query: str = ""  # as sent: a flag without a value (`&json`) differs from `json=`

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Reply]


class FakeApi:
    """Routes requests to `handler`; `fail_next` queues error replies that are served first."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self.queued: list[tuple[str, Reply]] = []
        api = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command, parsed.path,
                    {k: v[0] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()},
                    {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length), parsed.query,
                )
                api.requests.append(request)
                reply = api.next_failure(request.path) or api.handler(request)
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, *replies: Reply, path: str = "") -> None:
        """Serve these replies, in order, to the next requests whose path contains `path`."""
        self.queued.extend((path, reply) for reply in replies)

    def next_failure(self, path: str) -> Reply | None:
        for index, (scope, reply) in enumerate(self.queued):
            if scope in path:
                del self.queued[index]
                return reply
        return None
