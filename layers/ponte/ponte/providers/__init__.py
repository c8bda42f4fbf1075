"""Payment providers' webhooks: one module per provider verifies a request and normalises its body.

Stripe and Standard Webhooks senders report everything in the signed body (`WEBHOOK_PROVIDERS`); an Asaas
payment event is acted on only as Asaas's API confirms the payment (its body is authenticated by a static token
alone); Mercado Pago only names the payment that changed, which `mercadopago` reads once fetched from its API.
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
