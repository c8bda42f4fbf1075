"""Composition of adapters and use cases that several functions share. Nothing here runs at import."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ponte.adapters.asaas_api import AsaasApi
    from ponte.adapters.documents import DirectoryStore
    from ponte.adapters.dynamodb import DynamoStore
    from ponte.adapters.policy_store import PolicyStore
    from ponte.adapters.secrets import WebhookSecrets
    from ponte.domain.accounts import Locale
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import Ledger
    from ponte.services.owners import Owners
    from ponte.services.payments import PaymentSettings
    from ponte.services.webhooks import CustomerLookup, PaymentLookup


@dataclass
class PaymentWiring:
    """The payment webhook's ports, built once per container on first use."""

    table_name: str
    secret_ids: dict[str, str]
    time_zone: str
    country: str
    locale: Locale
    default_owner: str | None
    policy_parameter: str
    mercadopago_base_url: str
    asaas_base_url: str
    staff_directory_parameter: str = ""  # empty: no staff directory
    _asaas_client: AsaasApi | None = field(default=None, init=False, repr=False, compare=False)
    _asaas_key: str = field(default="", init=False, repr=False, compare=False)

    @cached_property
    def store(self) -> DynamoStore:
        from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415

        return DynamoStore(self.table_name)

    @cached_property
    def secrets(self) -> WebhookSecrets:
        from ponte.adapters.secrets import WebhookSecrets  # noqa: PLC0415

        return WebhookSecrets(self.secret_ids)

    @cached_property
    def settings(self) -> PaymentSettings:
        from ponte.services.payments import PaymentSettings  # noqa: PLC0415

        return PaymentSettings(
            staff_locale=self.locale,
            customer_locale=self.locale,
            time_zone=self.time_zone,
            default_owner=self.default_owner,
            owners=self.owners,
        )

    @cached_property
    def directory(self) -> DirectoryStore | None:
        from ponte.adapters.documents import DirectoryStore  # noqa: PLC0415

        return DirectoryStore(self.staff_directory_parameter) if self.staff_directory_parameter else None

    @cached_property
    def owners(self) -> Owners:
        """The owner rule for accounts a provider's customer opens; the directory is read only when one is."""
        from ponte.adapters.owner_rotation import RotationCounters  # noqa: PLC0415
        from ponte.services.owners import Owners  # noqa: PLC0415

        return Owners(
            directory=self.directory.in_use if self.directory is not None else None,
            rotation=RotationCounters(self.table_name),
            default_owner=self.default_owner,
        )

    @cached_property
    def policy(self) -> PolicyStore:
        from ponte.adapters.policy_store import PolicyStore  # noqa: PLC0415

        return PolicyStore(self.policy_parameter)

    def recompute(self, ledger: Ledger, now: datetime, cause: str) -> AccountChange | None:
        """The collections decision after a payment: reactivation at once, anything else left to the sweep."""
        from ponte.services.collections import change_for, decide  # noqa: PLC0415

        decision = decide(
            ledger,
            now=now,
            policy=self.policy.current().policy,
            time_zone=self.time_zone,
            holidays=_holidays_around(self.country, now.year),
        )
        return change_for(ledger, decision, now=now, staff_locale=self.locale, cause=cause, immediate_only=True)

    def mercadopago_api(self) -> PaymentLookup:
        from ponte.adapters.mercadopago_api import MercadoPagoApi  # noqa: PLC0415

        return MercadoPagoApi(self.mercadopago_base_url, self.secrets.values("mercadopago-token")[0])

    def asaas_api(self) -> CustomerLookup | None:
        """Asaas's customer API, once its key is set (the client and its cache then live with the container)."""
        from ponte.adapters.asaas_api import AsaasApi  # noqa: PLC0415
        from ponte.domain.errors import SecretNotConfigured  # noqa: PLC0415

        try:
            key = self.secrets.values("asaas-api-key")[0]
        except SecretNotConfigured:
            return None  # Asaas customers are then known by their Asaas id alone
        if self._asaas_client is None or self._asaas_key != key:  # a new key after a rotation: a new client
            self._asaas_client, self._asaas_key = AsaasApi(key, self.asaas_base_url), key
        return self._asaas_client

    def webhook_ports(self) -> dict[str, Any]:
        return {
            "asaas_api": self.asaas_api,
            "secrets": self.secrets,
            "store": self.store,
            "settings": self.settings,
            "recompute": self.recompute,
            "mercadopago_api": self.mercadopago_api,
        }


def _holidays_around(country: str, year: int) -> frozenset[date]:
    from ponte.calendar import holidays_around  # noqa: PLC0415 - the table is read on first use, not at import

    return holidays_around(country, year)
