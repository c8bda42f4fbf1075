"""Payment providers' webhooks: one module per provider verifies a request and normalises its body.

Stripe, Asaas and Standard Webhooks senders report everything in the signed body (`WEBHOOK_PROVIDERS`);
Mercado Pago only names the payment that changed, which `mercadopago` reads once fetched from its API.
"""

from collections.abc import Mapping

from ponte.providers import asaas, standard, stripe
from ponte.providers.base import PayloadError, SignatureError, WebhookProvider

WEBHOOK_PROVIDERS: Mapping[str, WebhookProvider] = {
    stripe.PROVIDER: stripe,
    asaas.PROVIDER: asaas,
    standard.PROVIDER: standard,
}

__all__ = ["WEBHOOK_PROVIDERS", "PayloadError", "SignatureError", "WebhookProvider"]
