"""Mercado Pago's payments API: the notification body is not signed, so the payment is fetched before acting."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

from ponte.domain.errors import NotFound

TIMEOUT_SECONDS = 4  # Mercado Pago wants an answer within a few seconds; it retries for days


class PaymentNotFound(NotFound):
    """Mercado Pago has no such payment (for this access token)."""


class MercadoPagoApi:
    """GET /v1/payments/{id} with the account's access token."""

    def __init__(self, base_url: str, access_token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = access_token

    def payment(self, payment_id: str) -> dict[str, Any]:
        url = f"{self.base_url}/v1/payments/{urllib.parse.quote(payment_id, safe='')}"
        request = urllib.request.Request(  # noqa: S310 - the base URL is configuration (https in production)
            url, headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                document = json.loads(answer.read(), parse_float=Decimal)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise PaymentNotFound(f"Mercado Pago has no payment {payment_id}") from None
            raise
        if not isinstance(document, dict):
            raise ValueError("Mercado Pago answered with something that is not a payment")
        return document
