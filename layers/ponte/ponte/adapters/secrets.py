"""Webhook secrets from Secrets Manager, cached in the container (Powertools parameters).

A secret's value is JSON: `{"secrets": ["whsec_new", "whsec_old"]}` — several values are accepted while a
provider's secret is being rotated. A secret that was never set (the template's placeholder) holds an empty list,
so nothing verifies until it is: Ponte fails closed.
"""

from __future__ import annotations

import json
from typing import Any

from ponte.domain.errors import SecretNotConfigured

CACHE_SECONDS = 300  # a rotated secret is picked up within five minutes


class WebhookSecrets:
    """Implements the `SecretSource` port over Secrets Manager, one secret per provider."""

    def __init__(self, secret_ids: dict[str, str], client: Any = None) -> None:
        self.secret_ids = secret_ids
        self._client = client

    def values(self, name: str) -> list[str]:
        secret_id = self.secret_ids.get(name)
        if not secret_id:
            raise SecretNotConfigured(f"no secret is configured for {name}")
        from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415 - loaded on the first delivery

        if self._client is not None:
            provider = parameters.SecretsProvider(boto3_client=self._client)
            raw = provider.get(secret_id, max_age=CACHE_SECONDS)
        else:
            raw = parameters.get_secret(secret_id, max_age=CACHE_SECONDS)
        return parse_secret(str(raw), name)


def parse_secret(raw: str, name: str) -> list[str]:
    try:
        document = json.loads(raw)
    except ValueError:
        raise SecretNotConfigured(f"the secret for {name} is not JSON") from None
    values = document.get("secrets") if isinstance(document, dict) else None
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise SecretNotConfigured(f'the secret for {name} has no "secrets" list of non-empty strings')
    return values
