"""`python -m infra.local serve`: the HTTP API on 127.0.0.1 and the AWS emulator's endpoint, for curl and the AWS CLI.

The clock is the wall clock here: schedules fire as real time passes, and an object put through the emulator's S3
endpoint (`aws --endpoint-url ... s3 cp`) reaches the upload function as S3's notification would (both checked every
few seconds).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from infra.local.stack import LocalStack

TICK_SECONDS = 5


def main(*, port: int, aws_port: int) -> int:
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per emulator call drowns the output
    emulator = ThreadedMotoServer(ip_address="127.0.0.1", port=aws_port)
    emulator.start()
    endpoint = f"http://127.0.0.1:{aws_port}"
    try:
        with LocalStack(now=datetime.now(UTC), endpoint=endpoint) as stack:
            server = ThreadingHTTPServer(("127.0.0.1", port), _handler(stack))
            print(f"HTTP API:     http://127.0.0.1:{port}   (e.g. POST /webhooks/<provider>)")
            print(f"AWS emulator: {endpoint}   (aws --endpoint-url {endpoint} ...; credentials: testing/testing)")
            for logical_id, made in sorted(stack.resources.items()):
                print(f"  {logical_id:32} {made.ref}")
            stop = threading.Event()
            threading.Thread(target=_tick, args=(stack, stop), daemon=True).start()
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                print("stopping")
            finally:
                stop.set()
                server.server_close()
    finally:
        emulator.stop()
    return 0


def _tick(stack: LocalStack, stop: threading.Event) -> None:
    while not stop.wait(TICK_SECONDS):
        stack.advance_to(datetime.now(UTC))
        stack.deliver_uploads()  # objects put through the emulator's S3 endpoint, announced as S3 would


def _handler(stack: LocalStack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            stack.advance_to(max(stack.now, datetime.now(UTC)))
            status, headers, payload = stack.http(self.command, self.path, headers=dict(self.headers), body=body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            print(f"{time.strftime('%H:%M:%S')} {self.address_string()} {format % args}")

    return Handler
