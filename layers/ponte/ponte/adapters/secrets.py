"""Webhook secrets from Secrets Manager, cached in the container (Powertools parameters).

A secret's value is JSON: `{"secrets": ["whsec_new", "whsec_old"]}` — several values are accepted while a
provider's secret is being rotated. A secret that was never set (the template's placeholder) holds an empty list,
so nothing verifies until it is: Ponte fails closed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ponte.domain.errors import SecretNotConfigured

CACHE_SECONDS = 300  # a rotated secret is picked up within five minutes, or at once when a signature fails
REFRESH_SECONDS = 60  # after a failed verification, the secret is read again at most this often


class WebhookSecrets:
    """Implements the `SecretSource` port over Secrets Manager, one secret per provider."""

    def __init__(
        self, secret_ids: dict[str, str], client: Any = None, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.secret_ids = secret_ids
        self._client = client
        self._monotonic = monotonic
        self._refreshed: dict[str, float] = {}
        self._provider: Any = None

    def values(self, name: str) -> list[str]:
        return self._read(name, force=False)

    def refreshed(self, name: str) -> list[str] | None:
        """Read again now (a verification failed with the cached value), unless that was done within a minute."""
        now = self._monotonic()
        last = self._refreshed.get(name)
        if last is not None and now - last < REFRESH_SECONDS:
            return None
        self._refreshed[name] = now
        return self._read(name, force=True)

    def _read(self, name: str, *, force: bool) -> list[str]:
        secret_id = self.secret_ids.get(name)
        if not secret_id:
            raise SecretNotConfigured(f"no secret is configured for {name}")
        from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415 - loaded on the first delivery

        if self._client is not None:
            if self._provider is None:  # one provider, so its cache lasts
                self._provider = parameters.SecretsProvider(boto3_client=self._client)
            raw = self._provider.get(secret_id, max_age=CACHE_SECONDS, force_fetch=force)
        else:
            raw = parameters.get_secret(secret_id, max_age=CACHE_SECONDS, force_fetch=force)
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
