"""Texts of the notifications about accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.accounts import AccountOpened, CustomerWelcome
from ponte.messages.catalog import Entry, Texts

if TYPE_CHECKING:
    from ponte.domain.accounts import Contact, Locale
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter

_NONE = {"pt-BR": "não informado", "es": "no informado", "en": "not given"}


def _contact(contact: Contact, locale: Locale) -> str:
    parts = [contact.name, contact.email or "", contact.phone or ""]
    return ", ".join(part for part in parts if part) or _NONE[locale]


def _account_opened(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, AccountOpened)
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "contact": _contact(body.contact, fmt.locale),
        "owner": body.owner or _NONE[fmt.locale],
        "when": fmt.moment(notification.occurred_at),
    }


def _customer_welcome(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerWelcome)
    return {"customer": body.customer_name, "when": fmt.moment(notification.occurred_at)}


ENTRIES: dict[str, Entry] = {
    "account.opened": Entry(
        _account_opened,
        {
            "pt-BR": Texts(
                subject="Nova conta: {account}",
                email=(
                    "Uma nova conta foi aberta em {when}.\n\n"
                    "Conta: {account} ({account_id})\nContato: {contact}\nResponsável: {owner}\n"
                ),
                sms="Ponte: nova conta {account}. Responsavel: {owner}.",
            ),
            "es": Texts(
                subject="Nueva cuenta: {account}",
                email=(
                    "Se abrió una nueva cuenta el {when}.\n\n"
                    "Cuenta: {account} ({account_id})\nContacto: {contact}\nResponsable: {owner}\n"
                ),
                sms="Ponte: nueva cuenta {account}. Responsable: {owner}.",
            ),
            "en": Texts(
                subject="New account: {account}",
                email=(
                    "A new account was opened on {when}.\n\n"
                    "Account: {account} ({account_id})\nContact: {contact}\nOwner: {owner}\n"
                ),
                sms="Ponte: new account {account}. Owner: {owner}.",
            ),
        },
    ),
    "customer.welcome": Entry(
        _customer_welcome,
        {
            "pt-BR": Texts(
                subject="Bem-vindo, {customer}",
                email="Olá, {customer}!\n\nSua conta está ativa desde {when}. Estamos à disposição.\n",
                sms="Ola, {customer}! Sua conta esta ativa.",
            ),
            "es": Texts(
                subject="Bienvenido, {customer}",
                email="¡Hola, {customer}!\n\nSu cuenta está activa desde el {when}. Quedamos a su disposición.\n",
                sms="Hola, {customer}! Su cuenta esta activa.",
            ),
            "en": Texts(
                subject="Welcome, {customer}",
                email="Hello, {customer}!\n\nYour account has been active since {when}. We are here to help.\n",
                sms="Hello, {customer}! Your account is active.",
            ),
        },
    ),
}
