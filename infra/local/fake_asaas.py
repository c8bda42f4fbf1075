"""Asaas's API on 127.0.0.1, for the demo: Ponte acts on an Asaas payment webhook only as `GET /v3/payments/{id}`
confirms it, so each payment the demo delivers is made known here first, and learns who a new customer is from
`GET /v3/customers/{id}` (a payment names its customer only by id). Nothing reaches the real Asaas."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "$aact_demo_only_not_a_real_key"  # for the local emulator only


class FakeAsaas:
    """Payments and customers by id, as Asaas's API gives them; any other request is answered 404."""

    def __init__(self) -> None:
        self.payments: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        known = {"payments": self.payments, "customers": self.customers}

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                collection, _, item = self.path.removeprefix("/v3/").partition("/")
                found = known.get(collection, {}).get(item)
                body = json.dumps(found or {"errors": [{"code": "not_found"}]}).encode()
                self.send_response(200 if found else 404)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v3"

    def knows(self, delivery: bytes, customer: dict[str, Any] | None = None) -> bytes:
        """`delivery`, its payment now known to Asaas's API as the delivery tells it (and `customer`, the payment's
        customer as `GET /v3/customers/{id}` gives it, when there is one to know)."""
        payment = json.loads(delivery)["payment"]
        self.payments[payment["id"]] = payment
        if customer is not None:
            self.customers[payment["customer"]] = {"object": "customer", "id": payment["customer"], **customer}
        return delivery

    def __enter__(self) -> FakeAsaas:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
