"""Webhook secrets from Secrets Manager, cached in the container.

A secret's value is JSON: `{"secrets": ["whsec_new", "whsec_old"]}` — several values are accepted while a
provider's secret is being rotated. A secret that was never set (the template's placeholder) holds an empty list,
so nothing verifies until it is: Ponte fails closed.
Read with one client of boto3's default session (`ponte.adapters.clients`), not Powertools' `parameters`, which
builds a session of its own and its own client: on the cold path, both cost more than the read itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ponte.adapters.clients import LazyClient
from ponte.domain.errors import SecretNotConfigured

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager.client import SecretsManagerClient

CACHE_SECONDS = 300  # a rotated secret is picked up within five minutes, or at once when a signature fails
REFRESH_SECONDS = 60  # after a failed verification, the secret is read again at most this often


class WebhookSecrets:
    """Implements the `SecretSource` port over Secrets Manager, one secret per provider."""

    client: LazyClient[SecretsManagerClient] = LazyClient("secretsmanager")

    def __init__(
        self,
        secret_ids: dict[str, str],
        client: SecretsManagerClient | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret_ids = secret_ids
        self._client = client
        self._monotonic = monotonic
        self._refreshed: dict[str, float] = {}
        self._cache: dict[str, tuple[float, str]] = {}  # secret id: when it was read, and its value
        self._parsed: dict[str, tuple[str, list[str]]] = {}  # secret id: the value last parsed, and its secrets

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
        now = self._monotonic()
        cached = self._cache.get(secret_id)
        if force or cached is None or now - cached[0] >= CACHE_SECONDS:
            raw = self.client.get_secret_value(SecretId=secret_id).get("SecretString", "")
            cached = self._cache[secret_id] = (now, raw)
        parsed = self._parsed.get(secret_id)
        if parsed is None or parsed[0] != cached[1]:  # parsed once per value read, not once per delivery
            parsed = self._parsed[secret_id] = (cached[1], parse_secret(cached[1], name))
        return list(parsed[1])


def parse_secret(raw: str, name: str) -> list[str]:
    try:
        document = json.loads(raw)
    except ValueError:
        raise SecretNotConfigured(f"the secret for {name} is not JSON") from None
    values = document.get("secrets") if isinstance(document, dict) else None
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise SecretNotConfigured(f'the secret for {name} has no "secrets" list of non-empty strings')
    return values
