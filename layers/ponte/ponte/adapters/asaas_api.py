"""Asaas's API: a payment's webhook names its customer only by id (`cus_...`), so the customer is fetched to know
who paid (docs.asaas.com/reference/recuperar-um-unico-cliente); and Asaas signs nothing, so the payment a webhook
reports is fetched to act only on what Asaas says of it (docs.asaas.com/reference/recuperar-uma-unica-cobranca)."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

# The errors belong to the lookups' contract, beside the customer, so that callers need not import this.
from ponte.providers.asaas import AsaasApiError, AsaasAuthError, AsaasCustomer, AsaasUnavailable

__all__ = ["AsaasApi", "AsaasApiError", "AsaasAuthError", "AsaasUnavailable"]

DEFAULT_BASE_URL = "https://api.asaas.com/v3"
TIMEOUT_SECONDS = 4.0  # Asaas waits for the webhook's answer and retries it; a slow lookup must not hold it long
CACHE_SIZE = 512  # customers kept per container
CACHE_SECONDS = 600.0  # and for ten minutes at most: a customer's details change, rarely
_MAX_CUSTOMER_BYTES = 64 * 1024  # a customer is a few hundred bytes
# A payment is a few kilobytes (its splits and refunds included); it came in a webhook body of at most 256 KiB.
_MAX_PAYMENT_BYTES = 256 * 1024
# Asaas refuses requests without a User-Agent from accounts opened since 2024-06-13 (docs.asaas.com, Authentication).
_USER_AGENT = "ponte-webhooks"


class AsaasApi:
    """`GET /customers/{id}` and `GET /payments/{id}` with the account's API key in the `access_token` header.

    Customers are remembered per container (at most `cache_size` of them, each for `cache_seconds`), so the
    several webhooks of one payment ask Asaas once. A customer Asaas does not know is not remembered. Payments are
    never remembered: each webhook acts on the payment as Asaas has it now (a payment created, then received a
    minute later, must not be seen as still pending).
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = TIMEOUT_SECONDS,
        cache_size: int = CACHE_SIZE,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not api_key.strip():
            raise ValueError("an Asaas API key is required")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._key = api_key
        self._cache_size = cache_size
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, AsaasCustomer]] = OrderedDict()
        self._lock = threading.Lock()

    def customer(self, customer_id: str) -> AsaasCustomer | None:
        """The customer `customer_id`, or None when Asaas has no such customer (404) for this API key.

        Raises AsaasAuthError when the key is refused, AsaasUnavailable when Asaas fails or is too slow, and
        AsaasApiError for any other answer that is not the customer.
        """
        if not customer_id:
            raise ValueError("an Asaas customer id is required")
        cached = self._cached(customer_id)
        if cached is not None:
            return cached
        document = self._get("customers", customer_id, _MAX_CUSTOMER_BYTES)
        if document is None:
            return None
        try:
            found = AsaasCustomer.model_validate(document)
        except ValidationError:
            raise AsaasApiError("Asaas answered with something that is not a customer") from None
        if found.id != customer_id:
            raise AsaasApiError("Asaas answered with another customer than the one asked for")
        self._remember(customer_id, found)
        return found

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        """The payment `payment_id` as Asaas has it now (a JSON object, amounts as exact Decimals, for
        `ponte.providers.asaas.normalise_payment` to read), or None when Asaas has no such payment (404) for this
        API key.

        Raises AsaasAuthError when the key is refused, AsaasUnavailable when Asaas fails or is too slow, and
        AsaasApiError for any other answer that is not that payment.
        """
        if not payment_id:
            raise ValueError("an Asaas payment id is required")
        document = self._get("payments", payment_id, _MAX_PAYMENT_BYTES)
        if document is None:
            return None
        if not isinstance(document, dict):
            raise AsaasApiError("Asaas answered with something that is not a payment")
        if document.get("id") != payment_id:
            raise AsaasApiError("Asaas answered with another payment than the one asked for")
        return document

    def _get(self, collection: str, item_id: str, limit: int) -> object | None:
        """The JSON document at `/{collection}/{item_id}`, or None when Asaas answers 404."""
        url = f"{self.base_url}/{collection}/{urllib.parse.quote(item_id, safe='')}"
        request = urllib.request.Request(  # noqa: S310 - the base URL is configuration (https in production)
            url, headers={"access_token": self._key, "Accept": "application/json", "User-Agent": _USER_AGENT}
        )
        what = collection.removesuffix("s")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                raw = answer.read(limit + 1)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 404:  # no such customer or payment for this API key
                return None
            raise _refusal(error.code, what) from None
        except (OSError, http.client.HTTPException) as error:  # timeouts, refused or dropped connections
            raise AsaasUnavailable(f"Asaas did not answer: {error.__class__.__name__}") from None
        if len(raw) > limit:
            raise AsaasApiError(f"Asaas answered with more than {limit // 1024} KiB for one {what}")
        try:
            document: object = json.loads(raw, parse_float=Decimal)
        except (ValueError, RecursionError):  # not JSON
            raise AsaasApiError(f"Asaas answered with something that is not a {what}") from None
        return document

    def _cached(self, customer_id: str) -> AsaasCustomer | None:
        with self._lock:
            entry = self._cache.get(customer_id)
            if entry is None:
                return None
            stored_at, customer = entry
            if self._clock() - stored_at > self._cache_seconds:
                del self._cache[customer_id]
                return None
            self._cache.move_to_end(customer_id)
            return customer

    def _remember(self, customer_id: str, customer: AsaasCustomer) -> None:
        with self._lock:
            self._cache[customer_id] = (self._clock(), customer)
            self._cache.move_to_end(customer_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


def _refusal(status: int, what: str) -> AsaasApiError:
    """The error a refusal other than 404 stands for, for the caller to map."""
    if status in (401, 403):
        return AsaasAuthError(f"Asaas refused the API key (HTTP {status})", status)
    if status == 429 or status >= 500:
        return AsaasUnavailable(f"Asaas could not answer (HTTP {status})", status)
    return AsaasApiError(f"Asaas refused the {what} lookup (HTTP {status})", status)
