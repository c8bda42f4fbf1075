"""What each notification says, per locale. The facts are formatted by `Formatter`; texts only place them.

Texts live in one module per area under `ponte.messages.texts`; each maps a notification kind to its facts
function and its texts in every locale. To add a kind: add its body under `ponte.domain.bodies`, then its entry in
the area's texts module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter


# A fact the message has no value for, after its label ("Fatura: sem informação"): words that agree with any label.
NOT_GIVEN: dict[Locale, str] = {"pt-BR": "sem informação", "es": "sin información", "en": "not given"}


@dataclass(frozen=True)
class Texts:
    subject: str
    email: str
    sms: str


@dataclass(frozen=True)
class Entry:
    facts: Callable[[Notification, Formatter], dict[str, str]]
    texts: dict[Locale, Texts]


def catalog() -> dict[str, Entry]:
    """Every kind's entry, gathered from the texts modules (imported here, when the first message is rendered)."""
    from ponte.messages.texts import accounts, collections, delivery, digest, invoices, payments, staff  # noqa: PLC0415

    return {
        **accounts.ENTRIES,
        **payments.ENTRIES,
        **collections.ENTRIES,
        **digest.ENTRIES,
        **invoices.ENTRIES,
        **delivery.ENTRIES,
        **staff.ENTRIES,
    }
