"""Texts of the notifications about accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.accounts import AccountOpened, AccountsMerged, AccountsNotMerged, CustomerWelcome
from ponte.messages.catalog import NOT_GIVEN, Entry, Texts

if TYPE_CHECKING:
    from ponte.domain.accounts import Contact, Locale
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter


def _contact(contact: Contact, locale: Locale) -> str:
    parts = [contact.name, contact.email or "", contact.phone or ""]
    return ", ".join(part for part in parts if part) or NOT_GIVEN[locale]


def _account_opened(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, AccountOpened)
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "contact": _contact(body.contact, fmt.locale),
        "owner": fmt.person(body.owner) or NOT_GIVEN[fmt.locale],
        "when": fmt.moment(notification.occurred_at),
    }


def _customer_welcome(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerWelcome)
    return {"customer": body.customer_name, "when": fmt.moment(notification.occurred_at)}


_REFUSED: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "different_tax_ids": "as duas contas têm CPF/CNPJ diferentes",
        "too_many_records": "a outra conta tem registros demais para uma fusão automática",
    },
    "es": {
        "different_tax_ids": "las dos cuentas tienen identificaciones fiscales distintas",
        "too_many_records": "la otra cuenta tiene demasiados registros para una fusión automática",
    },
    "en": {
        "different_tax_ids": "the two accounts have different tax ids",
        "too_many_records": "the other account has too many records for an automatic merge",
    },
}


def _merge_facts(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, AccountsMerged | AccountsNotMerged)
    facts = {
        "account": body.account_name,
        "account_id": notification.account_id,
        "owner": fmt.person(notification.owner) or NOT_GIVEN[fmt.locale],
        "when": fmt.moment(notification.occurred_at),
    }
    if isinstance(body, AccountsMerged):
        facts |= {
            "other": body.absorbed_name,
            "other_id": body.absorbed_id,
            "invoices": str(body.invoices),
            "payments": str(body.payments),
        }
    else:
        facts |= {"other": body.other_name, "other_id": body.other_id, "reason": _REFUSED[fmt.locale][body.reason]}
    return facts


ENTRIES: dict[str, Entry] = {
    "account.merged": Entry(
        _merge_facts,
        {
            "pt-BR": Texts(
                subject="Contas unificadas: {account}",
                email=(
                    "As contas {other} ({other_id}) e {account} ({account_id}) eram o mesmo cliente e foram "
                    "unificadas em {when}. Faturas movidas: {invoices}; pagamentos movidos: {payments}. "
                    "O cliente não foi avisado.\n\nResponsável: {owner}\n"
                ),
                sms="Ponte: contas {other} e {account} unificadas (mesmo cliente).",
            ),
            "es": Texts(
                subject="Cuentas unificadas: {account}",
                email=(
                    "Las cuentas {other} ({other_id}) y {account} ({account_id}) eran el mismo cliente y se "
                    "unificaron el {when}. Facturas movidas: {invoices}; pagos movidos: {payments}. "
                    "No se avisó al cliente.\n\nResponsable: {owner}\n"
                ),
                sms="Ponte: cuentas {other} y {account} unificadas (mismo cliente).",
            ),
            "en": Texts(
                subject="Accounts merged: {account}",
                email=(
                    "Accounts {other} ({other_id}) and {account} ({account_id}) were the same customer and were "
                    "merged on {when}. Invoices moved: {invoices}; payments moved: {payments}. The customer was "
                    "not told.\n\nOwner: {owner}\n"
                ),
                sms="Ponte: accounts {other} and {account} merged (same customer).",
            ),
        },
    ),
    "account.merge_refused": Entry(
        _merge_facts,
        {
            "pt-BR": Texts(
                subject="Contas a conferir: {account} e {other}",
                email=(
                    "{account} ({account_id}) e {other} ({other_id}) parecem ser o mesmo cliente, mas não foram "
                    "unificadas: {reason}. Confira e decida.\n\nResponsável: {owner}\n"
                ),
                sms="Ponte: conferir contas {account} e {other}: {reason}.",
            ),
            "es": Texts(
                subject="Cuentas por revisar: {account} y {other}",
                email=(
                    "{account} ({account_id}) y {other} ({other_id}) parecen ser el mismo cliente, pero no se "
                    "unificaron: {reason}. Revíselo y decida.\n\nResponsable: {owner}\n"
                ),
                sms="Ponte: revisar cuentas {account} y {other}: {reason}.",
            ),
            "en": Texts(
                subject="Accounts to check: {account} and {other}",
                email=(
                    "{account} ({account_id}) and {other} ({other_id}) look like one customer but were not "
                    "merged: {reason}. Please check and decide.\n\nOwner: {owner}\n"
                ),
                sms="Ponte: check accounts {account} and {other}: {reason}.",
            ),
        },
    ),
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
                subject="Boas-vindas, {customer}",
                email="Olá, {customer}!\n\nSua conta está ativa desde {when}. Estamos à disposição.\n",
                sms="Ola, {customer}! Sua conta esta ativa.",
            ),
            "es": Texts(
                subject="Le damos la bienvenida, {customer}",
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
