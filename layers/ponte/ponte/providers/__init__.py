"""Payment providers' webhooks: one module per provider verifies a request and normalises its body.

Stripe, Asaas and Standard Webhooks senders report what Ponte acts on in the body (`WEBHOOK_PROVIDERS`), though an
Asaas payment event is acted on only as Asaas's API confirms the payment (its body is authenticated by a static
token alone); Mercado Pago only names the payment that changed, which `mercadopago` reads once fetched from its API.

`PROVIDERS` is the one list of providers a webhook is accepted for. A provider's module is imported when the first
delivery for it arrives, not when the function starts: each costs tens of milliseconds of a cold start (Stripe's the
most), and a container mostly serves one provider.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, cast

from ponte.providers.base import PayloadError, SignatureError, Verifier, WebhookProvider

if TYPE_CHECKING:
    from types import ModuleType

# Each provider's module. Mercado Pago's body only names a payment: it has no `normalise`, and is read from the
# payment its API returns (`mercadopago.normalise_payment`).
_MODULES: Mapping[str, str] = {
    "stripe": "ponte.providers.stripe",
    "asaas": "ponte.providers.asaas",
    "standard": "ponte.providers.standard",
    "mercadopago": "ponte.providers.mercadopago",
}
_NAMES_A_PAYMENT_ONLY = frozenset({"mercadopago"})
PROVIDERS: tuple[str, ...] = tuple(_MODULES)
# The providers that deliver each event on its own, in no particular order, and deliver one not accepted again for
# days (Stripe for up to three, docs.stripe.com/webhooks), with how long: a refund of a payment made within that
# time may have overtaken its payment's event, and waits for it (409) rather than land beside it. Asaas's queue
# delivers a payment's events in order and pauses after 15 refusals; a Mercado Pago notification is read as the
# payment's state now.
OUT_OF_ORDER: Mapping[str, timedelta] = {"stripe": timedelta(days=3)}


@cache
def provider_module(name: str) -> ModuleType:
    """The provider's module, imported on first use; KeyError for a provider not in `PROVIDERS`."""
    return importlib.import_module(_MODULES[name])


def verifier(name: str) -> Verifier:
    """The provider's signature check; KeyError for a provider not in `PROVIDERS`."""
    return cast("Verifier", provider_module(name))


class _BodyProviders(Mapping[str, WebhookProvider]):
    """The providers whose body reports what Ponte acts on, each module imported when it is first looked up."""

    def __getitem__(self, name: str) -> WebhookProvider:
        if name in _NAMES_A_PAYMENT_ONLY:
            raise KeyError(name)
        return cast("WebhookProvider", provider_module(name))

    def __iter__(self) -> Iterator[str]:
        return (name for name in _MODULES if name not in _NAMES_A_PAYMENT_ONLY)

    def __len__(self) -> int:
        return len(_MODULES) - len(_NAMES_A_PAYMENT_ONLY)


WEBHOOK_PROVIDERS: Mapping[str, WebhookProvider] = _BodyProviders()

__all__ = [
    "OUT_OF_ORDER",
    "PROVIDERS",
    "WEBHOOK_PROVIDERS",
    "PayloadError",
    "SignatureError",
    "Verifier",
    "WebhookProvider",
    "provider_module",
    "verifier",
]
