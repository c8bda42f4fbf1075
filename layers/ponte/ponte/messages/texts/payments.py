"""Texts of the notifications about payments. Every alert names the provider and its event id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies import payments as bodies
from ponte.messages.catalog import NOT_GIVEN, Entry, Texts
from ponte.messages.reasons import reason_text, status_text

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter

# The providers by their own names (the registry's ids are lower-case, in one word).
_PROVIDERS = {"mercadopago": "Mercado Pago", "standard": "Standard Webhooks"}
_METHODS: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "card": "cartão",
        "pix": "Pix",
        "boleto": "boleto",
        "bank_transfer": "transferência",
        "bank_debit": "débito em conta",
        "wallet": "carteira digital",
        "other": "outra",
    },
    "es": {
        "card": "tarjeta",
        "pix": "Pix",
        "boleto": "boleto",
        "bank_transfer": "transferencia",
        "bank_debit": "débito bancario",
        "wallet": "billetera digital",
        "other": "otro",
    },
    "en": {
        "card": "card",
        "pix": "Pix",
        "boleto": "boleto",
        "bank_transfer": "bank transfer",
        "bank_debit": "bank debit",
        "wallet": "digital wallet",
        "other": "other",
    },
}
_OUTCOME: dict[Locale, dict[str, str]] = {
    "pt-BR": {"won": "ganha (o pagamento volta a contar)", "lost": "perdida (o valor volta a ser devido)"},
    # Of "el contracargo": masculine.
    "es": {"won": "ganado (el pago vuelve a contar)", "lost": "perdido (el importe vuelve a deberse)"},
    "en": {"won": "won (the payment counts again)", "lost": "lost (the amount is owed again)"},
}


def provider_name(provider: str) -> str:
    """A provider as people call it (`Mercado Pago`), from its id in the registry (`mercadopago`)."""
    return _PROVIDERS.get(provider, provider.capitalize())


def _common(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, bodies.PaymentBody)
    none = NOT_GIVEN[fmt.locale]
    facts = {
        "customer": body.customer_name,
        "account_id": notification.account_id,
        "provider": provider_name(body.provider),
        "event": body.provider_event,
        "when": fmt.moment(notification.occurred_at),
        "owner": fmt.person(notification.owner) or none,
    }
    for name in ("reason", "invoice_number", "description", "payment_method", "plan", "status", "subscription_id"):
        value = getattr(body, name, None)
        facts[name] = str(value) if value else none
    reason = getattr(body, "reason", None)
    if reason:
        facts["reason"] = reason_text(str(reason), fmt.locale)
    status = getattr(body, "status", None)
    if status:
        facts["status"] = status_text(str(status), fmt.locale)
    if facts["payment_method"] != none:
        facts["payment_method"] = _METHODS[fmt.locale].get(facts["payment_method"], facts["payment_method"])
    for name in ("amount", "paid"):
        value = getattr(body, name, None)
        facts[name] = fmt.money(value) if value is not None else none
    if isinstance(body, bodies.CustomerNew):
        contact = body.contact
        facts["contact"] = ", ".join(p for p in (contact.name, contact.email, contact.phone) if p)
    if isinstance(body, bodies.PaymentUnmatchedAlert):
        facts["candidates"] = "\n".join(
            _CANDIDATE[fmt.locale].format(
                number=c.invoice_number, due=fmt.date(c.due_date), outstanding=fmt.money(c.outstanding)
            )
            for c in body.candidates
        )
        facts["count"] = str(len(body.candidates))
    if isinstance(body, bodies.ChargebackClosedAlert):
        facts["outcome"] = _OUTCOME[fmt.locale][body.outcome]
    return facts


_CANDIDATE: dict[Locale, str] = {
    "pt-BR": "- fatura {number}, vencimento {due}, em aberto {outstanding}",
    "es": "- factura {number}, vencimiento {due}, pendiente {outstanding}",
    "en": "- invoice {number}, due {due}, outstanding {outstanding}",
}

_SOURCE = {
    "pt-BR": "\nOrigem: {provider}, evento {event}, em {when}.\n",
    "es": "\nOrigen: {provider}, evento {event}, el {when}.\n",
    "en": "\nSource: {provider}, event {event}, on {when}.\n",
}


def _entry(texts: dict[Locale, tuple[str, str, str]]) -> Entry:
    return Entry(
        _common,
        {locale: Texts(subject, email + _SOURCE[locale], sms) for locale, (subject, email, sms) in texts.items()},
    )


ENTRIES: dict[str, Entry] = {
    "customer.new": _entry(
        {
            "pt-BR": (
                "Novo cliente: {customer} pagou {amount}",
                "{customer} acaba de pagar e é um novo cliente. Pode iniciar a entrega.\n\n"
                "Cliente: {customer} ({account_id})\nContato: {contact}\nProduto/plano: {description}\n"
                "Valor: {amount}\nForma de pagamento: {payment_method}\nFatura: {invoice_number}\n"
                "Responsável: {owner}\n",
                "Ponte: novo cliente {customer} pagou {amount} ({description}). Resp.: {owner}",
            ),
            "es": (
                "Nuevo cliente: {customer} pagó {amount}",
                "{customer} acaba de pagar y es un nuevo cliente. Puede iniciar la entrega.\n\n"
                "Cliente: {customer} ({account_id})\nContacto: {contact}\nProducto/plan: {description}\n"
                "Importe: {amount}\nMedio de pago: {payment_method}\nFactura: {invoice_number}\n"
                "Responsable: {owner}\n",
                "Ponte: nuevo cliente {customer} pagó {amount} ({description}). Resp.: {owner}",
            ),
            "en": (
                "New customer: {customer} paid {amount}",
                "{customer} has just paid and is a new customer. Delivery can start.\n\n"
                "Customer: {customer} ({account_id})\nContact: {contact}\nProduct/plan: {description}\n"
                "Amount: {amount}\nPayment method: {payment_method}\nInvoice: {invoice_number}\n"
                "Owner: {owner}\n",
                "Ponte: new customer {customer} paid {amount} ({description}). Owner: {owner}",
            ),
        }
    ),
    "payment.unmatched": _entry(
        {
            "pt-BR": (
                "Pagamento sem fatura indicada: {customer}, {amount}",
                "{customer} ({account_id}) pagou {amount} sem indicar a fatura, e há {count} faturas em aberto "
                "que ele pode estar pagando. O valor foi abatido das parcelas mais antigas; confira e, se "
                "preciso, corrija.\n\nFaturas em aberto:\n{candidates}\n\nResponsável: {owner}\n",
                "Ponte: {customer} pagou {amount} sem indicar a fatura; {count} em aberto. Confira.",
            ),
            "es": (
                "Pago sin factura indicada: {customer}, {amount}",
                "{customer} ({account_id}) pagó {amount} sin indicar la factura, y hay {count} facturas "
                "pendientes que podría estar pagando. El importe se aplicó a las cuotas más antiguas; "
                "revíselo y, si hace falta, corríjalo.\n\nFacturas pendientes:\n{candidates}\n\n"
                "Responsable: {owner}\n",
                "Ponte: {customer} pagó {amount} sin indicar la factura; {count} pendientes. Revise.",
            ),
            "en": (
                "Payment with no invoice named: {customer}, {amount}",
                "{customer} ({account_id}) paid {amount} without naming the invoice, and {count} open invoices "
                "could be the one. The amount went to the oldest installments first; please check it and "
                "correct it if needed.\n\nOpen invoices:\n{candidates}\n\nOwner: {owner}\n",
                "Ponte: {customer} paid {amount} naming no invoice; {count} open. Please check.",
            ),
        }
    ),
    "payment.failed": _entry(
        {
            "pt-BR": (
                "Pagamento recusado: {customer}, {amount}",
                "O pagamento de {amount} de {customer} ({account_id}) falhou.\n\n"
                "Motivo: {reason}\nFatura: {invoice_number}\nResponsável: {owner}\n",
                "Ponte: pagamento de {amount} de {customer} falhou: {reason}",
            ),
            "es": (
                "Pago rechazado: {customer}, {amount}",
                "El pago de {amount} de {customer} ({account_id}) falló.\n\n"
                "Motivo: {reason}\nFactura: {invoice_number}\nResponsable: {owner}\n",
                "Ponte: el pago de {amount} de {customer} falló: {reason}",
            ),
            "en": (
                "Payment failed: {customer}, {amount}",
                "The payment of {amount} by {customer} ({account_id}) failed.\n\n"
                "Reason: {reason}\nInvoice: {invoice_number}\nOwner: {owner}\n",
                "Ponte: payment of {amount} by {customer} failed: {reason}",
            ),
        }
    ),
    "refund.issued": _entry(
        {
            "pt-BR": (
                "Reembolso: {customer}, {amount}",
                "Reembolso de {amount} para {customer} ({account_id}), de um pagamento de {paid}.\n",
                "Ponte: reembolso de {amount} para {customer}.",
            ),
            "es": (
                "Reembolso: {customer}, {amount}",
                "Se reembolsaron {amount} a {customer} ({account_id}) de un pago de {paid}.\n",
                "Ponte: reembolso de {amount} a {customer}.",
            ),
            "en": (
                "Refund: {customer}, {amount}",
                "{customer} ({account_id}) was refunded {amount} of a payment of {paid}.\n",
                "Ponte: refund of {amount} to {customer}.",
            ),
        }
    ),
    "chargeback.opened": _entry(
        {
            "pt-BR": (
                "Contestação aberta: {customer}, {amount}",
                "{customer} ({account_id}) contestou um pagamento de {amount}. Enquanto a contestação estiver "
                "aberta, a fatura fica fora da régua de cobrança.\n\nMotivo: {reason}\nFatura: {invoice_number}\n",
                "Ponte: contestacao de {amount} por {customer}. Motivo: {reason}",
            ),
            "es": (
                "Contracargo abierto: {customer}, {amount}",
                "{customer} ({account_id}) disputó un pago de {amount}. Mientras la disputa siga abierta, la "
                "factura queda fuera del proceso de cobro.\n\nMotivo: {reason}\nFactura: {invoice_number}\n",
                "Ponte: contracargo de {amount} de {customer}. Motivo: {reason}",
            ),
            "en": (
                "Chargeback opened: {customer}, {amount}",
                "{customer} ({account_id}) disputed a payment of {amount}. While the dispute is open, the "
                "invoice is left out of the collections ladder.\n\nReason: {reason}\nInvoice: {invoice_number}\n",
                "Ponte: chargeback of {amount} by {customer}. Reason: {reason}",
            ),
        }
    ),
    "chargeback.closed": _entry(
        {
            "pt-BR": (
                "Contestação encerrada: {customer}, {amount}",
                "A contestação de {amount} de {customer} ({account_id}) foi {outcome}.\n",
                "Ponte: contestacao de {amount} de {customer} encerrada.",
            ),
            "es": (
                "Contracargo cerrado: {customer}, {amount}",
                "El contracargo de {amount} de {customer} ({account_id}) fue {outcome}.\n",
                "Ponte: contracargo de {amount} de {customer} cerrado.",
            ),
            "en": (
                "Chargeback closed: {customer}, {amount}",
                "The chargeback of {amount} by {customer} ({account_id}) was {outcome}.\n",
                "Ponte: chargeback of {amount} by {customer} closed.",
            ),
        }
    ),
    "subscription.changed": _entry(
        {
            "pt-BR": (
                "Assinatura alterada: {customer}",
                "A assinatura {subscription_id} de {customer} ({account_id}) mudou.\n\n"
                "Plano: {plan}\nSituação: {status}\nValor: {amount}\n",
                "Ponte: assinatura de {customer} mudou: {plan}, {status}.",
            ),
            "es": (
                "Suscripción modificada: {customer}",
                "La suscripción {subscription_id} de {customer} ({account_id}) cambió.\n\n"
                "Plan: {plan}\nEstado: {status}\nImporte: {amount}\n",
                "Ponte: la suscripción de {customer} cambió: {plan}, {status}.",
            ),
            "en": (
                "Subscription changed: {customer}",
                "Subscription {subscription_id} of {customer} ({account_id}) changed.\n\n"
                "Plan: {plan}\nStatus: {status}\nAmount: {amount}\n",
                "Ponte: subscription of {customer} changed: {plan}, {status}.",
            ),
        }
    ),
    "subscription.cancelled": _entry(
        {
            "pt-BR": (
                "Assinatura cancelada: {customer}",
                "A assinatura {subscription_id} de {customer} ({account_id}) foi cancelada.\n\n"
                "Plano: {plan}\nMotivo: {reason}\nResponsável: {owner}\n",
                "Ponte: assinatura de {customer} cancelada ({plan}).",
            ),
            "es": (
                "Suscripción cancelada: {customer}",
                "La suscripción {subscription_id} de {customer} ({account_id}) fue cancelada.\n\n"
                "Plan: {plan}\nMotivo: {reason}\nResponsable: {owner}\n",
                "Ponte: suscripción de {customer} cancelada ({plan}).",
            ),
            "en": (
                "Subscription cancelled: {customer}",
                "Subscription {subscription_id} of {customer} ({account_id}) was cancelled.\n\n"
                "Plan: {plan}\nReason: {reason}\nOwner: {owner}\n",
                "Ponte: subscription of {customer} cancelled ({plan}).",
            ),
        }
    ),
}
