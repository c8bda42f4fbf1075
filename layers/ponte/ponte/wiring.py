"""Composition of adapters and use cases that several functions share. Nothing here runs at import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ponte.adapters.dynamodb import DynamoStore
    from ponte.adapters.policy_store import PolicyStore
    from ponte.adapters.secrets import WebhookSecrets
    from ponte.domain.accounts import Locale
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import Ledger
    from ponte.services.payments import PaymentSettings
    from ponte.services.webhooks import PaymentLookup


@cache
def holidays_around(country: str, year: int) -> frozenset[date]:
    """National holidays of the year before, the year and the year after (a ladder spans a year's end)."""
    from ponte.calendar import business_holidays  # noqa: PLC0415

    return business_holidays(country, range(year - 1, year + 2))


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
            holidays=holidays_around(self.country, now.year),
        )
        return change_for(ledger, decision, now=now, staff_locale=self.locale, cause=cause, immediate_only=True)

    def mercadopago_api(self) -> PaymentLookup:
        from ponte.adapters.mercadopago_api import MercadoPagoApi  # noqa: PLC0415

        return MercadoPagoApi(self.mercadopago_base_url, self.secrets.values("mercadopago-token")[0])

    def webhook_ports(self) -> dict[str, Any]:
        return {
            "secrets": self.secrets,
            "store": self.store,
            "settings": self.settings,
            "recompute": self.recompute,
            "mercadopago_api": self.mercadopago_api,
        }
