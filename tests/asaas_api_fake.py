"""Asaas's API on 127.0.0.1 for the adapter's unit tests: `answers` maps a path to (status, body), `delay` holds every
answer back, `seen` keeps each request's path and headers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


class FakeAsaasApi(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, tuple[int, bytes]]] = {}
    delay: ClassVar[float] = 0.0
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append({"path": self.path, **{name.lower(): value for name, value in self.headers.items()}})
        time.sleep(self.delay)
        status, body = self.answers.get(self.path, (404, b'{"errors": [{"code": "not_found"}]}'))
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped waiting (the timeout tests)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving() -> Iterator[str]:
    """The fake's base URL (`.../v3`) while it runs."""
    running = ThreadingHTTPServer(("127.0.0.1", 0), FakeAsaasApi)
    threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{running.server_address[1]}/v3"
    finally:
        running.shutdown()
        running.server_close()
