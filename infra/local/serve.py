"""`python -m infra.local serve`: the HTTP API and the staff console on 127.0.0.1, and the AWS emulator's endpoint,
for a browser, curl and the AWS CLI.

The clock is the wall clock here: schedules fire as real time passes, and an object put through the emulator's S3
endpoint (`aws --endpoint-url ... s3 cp`) reaches the upload function as S3's notification would (both checked every
second: S3's notifications typically arrive within seconds). The console is served as CloudFront serves it
(`infra.local.console`): its files at `/`, the staff API under `/staff` on the same origin; it signs in against the
emulator's Cognito, where a staff directory and two users are made at start, with a few accounts to find.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from infra.local.console import DOCUMENTS, Login, console_config, seed_staff, static_file
from infra.local.stack import LocalStack

TICK_SECONDS = 1
_API_PREFIXES = ("/webhooks/", "/staff/")


@dataclass(frozen=True)
class Served:
    stack: LocalStack
    url: str  # the HTTP API and the console
    endpoint: str  # the AWS emulator
    logins: dict[str, Login]


@contextlib.contextmanager
def serving(*, port: int = 0, aws_port: int = 0, quiet: bool = False) -> Iterator[Served]:
    """The local stack on the emulator's server, its HTTP API and console on `port` (0: any free port), the clock
    following the wall clock. The staff directory, users and accounts are seeded."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per emulator call drowns the output
    emulator = ThreadedMotoServer(ip_address="127.0.0.1", port=aws_port)
    emulator.start()
    host, bound = emulator.get_host_and_port()  # the port the emulator got, when asked for any (0)
    endpoint = f"http://{host}:{bound}"
    # The HTTP server first: its address is the console's, which staff alert e-mails link to (CONSOLE_URL).
    served: dict[str, Any] = {}
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler(served, quiet=quiet))
    except OSError:
        emulator.stop()
        raise
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        with LocalStack(
            now=datetime.now(UTC), endpoint=endpoint, documents=DOCUMENTS, environment={"CONSOLE_URL": url}
        ) as stack:
            logins = seed_staff(stack)
            served.update(stack=stack, config=console_config(stack, auth_endpoint=endpoint))
            stop = threading.Event()
            threads = [
                # Stopping waits for the server's next poll: a tenth of a second rather than half of one.
                threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
                threading.Thread(target=_tick, args=(stack, stop), daemon=True),
            ]
            for thread in threads:
                thread.start()
            try:
                yield Served(stack, url, endpoint, logins)
            finally:
                stop.set()
                server.shutdown()
    finally:
        server.server_close()
        emulator.stop()


def main(*, port: int, aws_port: int) -> int:
    with serving(port=port, aws_port=aws_port) as served:
        print(f"HTTP API:     {served.url}   (e.g. POST /webhooks/<provider>)")
        print(f"Console:      {served.url}/   (staff sign in with Cognito; the staff API is under /staff)")
        for login in served.logins.values():
            print(f"  sign in as {login.name} ({', '.join(login.groups)}): {login.email} / {login.password}")
        endpoint = served.endpoint
        print(f"AWS emulator: {endpoint}   (aws --endpoint-url {endpoint} ...; credentials: testing/testing)")
        for logical_id, made in sorted(served.stack.resources.items()):
            print(f"  {logical_id:32} {made.ref}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")
    return 0


def _tick(stack: LocalStack, stop: threading.Event) -> None:
    while not stop.wait(TICK_SECONDS):
        stack.catch_up(datetime.now(UTC))
        stack.deliver_uploads()  # objects put through the emulator's S3 endpoint, announced as S3 would


def _handler(served: dict[str, Any], *, quiet: bool) -> type[BaseHTTPRequestHandler]:
    """Requests are answered once `served` holds the stack and the console's config (the server starts after)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            stack: LocalStack = served["stack"]
            config: dict[str, str] = served["config"]
            if self.command == "GET" and not self.path.startswith(_API_PREFIXES):
                status, headers, payload = static_file(self.path, config)
            else:
                stack.catch_up(datetime.now(UTC))
                status, headers, payload = stack.http(self.command, self.path, headers=dict(self.headers), body=body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            if not quiet:
                print(f"{time.strftime('%H:%M:%S')} {self.address_string()} {format % args}")

    return Handler
