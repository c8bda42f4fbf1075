"""Texts of the notifications about collections: the customer's notices, suspension, reactivation, hand-offs and
alerts (the daily digest's are in `ponte.messages.texts.digest`).

What a notice asks to pay is always the body's `totals`. When the policy charges the fine and interest, that is the
total with them ("Total with fine and interest"); when they are informational, it is the principal ("Amount
owed"), and the notice says how much the fine and interest come to so far and that they will be charged on a later
invoice: it never presents a total with them as what to pay.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ponte.domain.bodies.collections import (
    AccountReactivated,
    AccountSuspended,
    CollectionNotice,
    CollectionsAlert,
    CollectionsHandOff,
    CustomerDeadlineExtended,
    CustomerReactivated,
    CustomerSuspended,
)
from ponte.domain.dunning import STAFF_CHANNEL
from ponte.domain.ledger import OFFLINE
from ponte.domain.policy import StepKind
from ponte.messages.catalog import Entry, Texts
from ponte.messages.texts.payments import provider_name

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from ponte.domain.accounts import Locale
    from ponte.domain.dunning import InvoiceCharge, PlannedStep, SentNotice
    from ponte.domain.money import Money
    from ponte.domain.notifications import Notification
    from ponte.domain.policy import FeesMode
    from ponte.messages.formatting import Formatter

_WORDS: dict[str, dict[Locale, str]] = {
    "due": {"pt-BR": "vencimento", "es": "vencimiento", "en": "due"},
    "fine": {"pt-BR": "multa", "es": "multa", "en": "fine"},
    "interest": {"pt-BR": "juros", "es": "intereses", "en": "interest"},
    "none": {"pt-BR": "nenhum", "es": "ninguno", "en": "none"},  # of payments, notices, channels
    "no_invoice": {"pt-BR": "nenhuma", "es": "ninguna", "en": "none"},  # a fatura / una factura
    "nothing": {"pt-BR": "nada", "es": "nada", "en": "nothing"},  # of an amount
    "nobody": {"pt-BR": "sem responsável", "es": "sin responsable", "en": "no owner"},
    "staff": {"pt-BR": "equipe", "es": "equipo", "en": "staff"},
    "counted": {"pt-BR": "considerado", "es": "computado", "en": "counted"},
    "deadline": {"pt-BR": "prazo", "es": "plazo", "en": "deadline"},
    "fees_paid": {"pt-BR": "multa e juros já pagos", "es": "multa e intereses ya pagados", "en": "fees already paid"},
    "invoice": {"pt-BR": "Fatura", "es": "Factura", "en": "Invoice"},
    # An alert recorded before it carried these facts.
    "agreed_day": {"pt-BR": "a data combinada", "es": "la fecha acordada", "en": "the agreed day"},
    "current": {"pt-BR": "atual", "es": "actual", "en": "current"},
    "previous": {"pt-BR": "anterior", "es": "anterior", "en": "previous"},
    "later": {
        "pt-BR": "a cobrar em fatura futura",
        "es": "a cobrar en una próxima factura",
        "en": "for a later invoice",
    },
}
# What to pay, as the line that states it: with the fine and interest when charged, the principal otherwise.
_OWED_LABEL: dict[str, dict[Locale, str]] = {
    "charged": {
        "pt-BR": "Total com multa e juros",
        "es": "Total con multa e intereses",
        "en": "Total with fine and interest",
    },
    "charged_to_date": {
        "pt-BR": "Total com multa e juros até hoje",
        "es": "Total con multa e intereses a hoy",
        "en": "Total with fine and interest to date",
    },
    "informational": {"pt-BR": "Valor em aberto", "es": "Monto adeudado", "en": "Amount owed"},
}
# Informational fees: the amount so far, and that it is not part of what to pay now.
_FEES_LATER: dict[Locale, str] = {
    "pt-BR": "Multa e juros até hoje, {fees}, não estão incluídos: serão cobrados em uma próxima fatura.",
    "es": "La multa y los intereses a hoy, {fees}, no están incluidos: se cobrarán en una próxima factura.",
    "en": "The fine and interest to date, {fees}, are not included: they will be charged on a later invoice.",
}
_FEES_LATER_SMS: dict[Locale, str] = {
    "pt-BR": "Multa e juros ({fees}) virao em proxima fatura.",
    "es": "Multa e intereses ({fees}) en una proxima factura.",
    "en": "Fine and interest ({fees}) come on a later invoice.",
}
_WITH_FEES_SMS: dict[Locale, str] = {
    "pt-BR": " com multa e juros",
    "es": " con multa e intereses",
    "en": " with fine and interest",
}
_CREDIT: dict[Locale, str] = {
    "pt-BR": "Crédito do cliente: {credit}.",
    "es": "Crédito del cliente: {credit}.",
    "en": "Customer's credit: {credit}.",
}
_REASONS: dict[str, dict[Locale, str]] = {
    "promise_lapsed": {
        "pt-BR": "Promessa de pagamento vencida sem pagamento: a cobrança foi retomada",
        "es": "Promesa de pago vencida sin pago: la cobranza se reanudó",
        "en": "Promise to pay lapsed unpaid: collections resumed",
    },
    "suspension_withheld": {
        "pt-BR": "Suspensão não aplicada: a conta está marcada para nunca ser suspensa",
        "es": "Suspensión no aplicada: la cuenta está marcada para no suspenderse nunca",
        "en": "Suspension withheld: the account is flagged never to be suspended",
    },
    "customer_unreachable": {  # the headline says what collections must know first: no suspension, and why
        "pt-BR": "Suspensão não feita, cliente sem contato válido: o aviso final não chegou; atualize o contato",
        "es": "Suspensión no aplicada, cliente sin contacto válido: el aviso final no llegó; actualice el contacto",
        "en": "Suspension withheld, customer unreachable: the final notice reached no one; update the contact",
    },
    "unknown_currency": {
        "pt-BR": "Moeda sem regras na política de cobrança",
        "es": "Moneda sin reglas en la política de cobranza",
        "en": "Currency without thresholds in the collections policy",
    },
    "invalid_account": {
        "pt-BR": "Conta com dados inválidos, ignorada pela régua de cobrança",
        "es": "Cuenta con datos inválidos, omitida por la cobranza",
        "en": "Account with invalid data, skipped by collections",
    },
    "invalid_policy": {
        "pt-BR": "Política de cobrança recusada",
        "es": "Política de cobranza rechazada",
        "en": "Collections policy refused",
    },
}
_STATUS: dict[str, dict[Locale, str]] = {
    "active": {"pt-BR": "ativa", "es": "activa", "en": "active"},
    "overdue": {"pt-BR": "em atraso", "es": "en mora", "en": "overdue"},
    "suspended": {"pt-BR": "suspensa", "es": "suspendida", "en": "suspended"},
}


# Counted nouns, by CLDR plural category (Formatter.count).
_COUNTED: dict[str, dict[Locale, dict[str, str]]] = {
    "late": {
        "pt-BR": {"one": "{n} dia de atraso", "other": "{n} dias de atraso"},
        "es": {"one": "{n} día de atraso", "other": "{n} días de atraso"},
        "en": {"one": "{n} day late", "other": "{n} days late"},
    },
    "unnumbered": {
        "pt-BR": {"one": "{n} fatura sem número", "other": "{n} faturas sem número"},
        "es": {"one": "{n} factura sin número", "other": "{n} facturas sin número"},
        "en": {"one": "{n} invoice without a number", "other": "{n} invoices without a number"},
    },
}


def _counted(name: str, number: int, fmt: Formatter) -> str:
    return fmt.count(number, _COUNTED[name][fmt.locale])


def _word(name: str, fmt: Formatter) -> str:
    return _WORDS[name][fmt.locale]


def _amounts(amounts: Iterable[Money], fmt: Formatter) -> str:
    return " + ".join(fmt.money(amount) for amount in amounts) or _word("nothing", fmt)


def _charges(charges: Iterable[InvoiceCharge], mode: FeesMode, fmt: Formatter) -> str:
    lines = []
    for c in charges:
        line = f"- {_label(c, fmt)}: {fmt.money(c.outstanding)} ({_due(c, fmt)}"
        if c.days_late:
            line += f", {days_late(c.days_late, fmt)}"
        fees = f"{_word('fine', fmt)} {fmt.money(c.late_fee)}, {_word('interest', fmt)} {fmt.money(c.interest)}"
        if mode == "charged" and c.days_late:
            paid = ""
            if c.fees_paid is not None and not c.fees_paid.is_zero:  # nothing paid of them: nothing to take off
                paid = f", {_word('fees_paid', fmt)} {fmt.money(c.fees_paid)}"
            line += f"; {fees}{paid}; = {fmt.money(c.total)}"
        elif mode == "informational" and c.days_late and not c.fees_to_date.is_zero:
            line += f"; {fees}, {_word('later', fmt)}"
        lines.append(line + ")")
    return "\n".join(lines) or _word("no_invoice", fmt)


def _label(charge: InvoiceCharge, fmt: Formatter) -> str:
    """The invoice as the customer knows it. A charge recorded before charges carried their label shows the
    business's own number when its key ends with one (an uploaded CSV, JSON or UBL invoice); any other (a provider's
    id, an NF-e's access key) is "the invoice of <its due date>", which, with its amount, is how a customer knows it."""
    if charge.label:
        return charge.label
    source, _, rest = charge.invoice_id.partition(":")
    if source in {"erp", "ubl"} and rest:
        return unquote(rest.rsplit(":", 1)[-1])
    return f"{_word('invoice', fmt)} {fmt.date(charge.due_date)}"


# A due date that is not a business day moves to the next one (business-day counting): the notice says both.
_MOVED: dict[Locale, str] = {
    "pt-BR": "vencimento em {due} ({why}), prorrogado para {to}",
    "es": "vencimiento el {due} ({why}), prorrogado al {to}",
    "en": "due {due} ({why}), moved to {to}",
}
_MOVED_SMS: dict[Locale, str] = {
    "pt-BR": " (prorrogado de {due}, {why})",
    "es": " (prorrogado del {due}, {why})",
    "en": " (moved from {due}, {why})",
}
_NOT_A_BUSINESS_DAY: dict[str, dict[Locale, str]] = {
    "weekend": {"pt-BR": "fim de semana", "es": "fin de semana", "en": "a weekend"},
    "holiday": {"pt-BR": "feriado", "es": "feriado", "en": "a holiday"},
}
# When a reminder says the payment is due: on a date, or today.
_DUE_ON: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("em {due}", "hoje"),
    "es": ("el {due}", "hoy"),
    "en": ("on {due}", "today"),
}


def _due(charge: InvoiceCharge, fmt: Formatter) -> str:
    return due_text(charge.due_date, charge.effective_due_date, fmt)


def due_text(due: date, moved_to: date | None, fmt: Formatter) -> str:
    """When an invoice is due: its due date ("vencimento 16/11/2026"), or the date it was due and the business day
    it moved to ("vencimento em 25/12/2026 (feriado), prorrogado para 28/12/2026")."""
    if moved_to is None or moved_to == due:
        return f"{_word('due', fmt)} {fmt.date(due)}"
    return _MOVED[fmt.locale].format(due=fmt.date(due), why=_why_moved(due, fmt), to=fmt.date(moved_to))


def _why_moved(due: date, fmt: Formatter) -> str:
    # A weekday that is not a business day is a holiday, national or local.
    return _NOT_A_BUSINESS_DAY["weekend" if due.weekday() >= 5 else "holiday"][fmt.locale]


def _due_facts(notification: Notification, body: CollectionNotice, fmt: Formatter) -> dict[str, str]:
    """When the notice's invoices are due, as its texts place it: `due` (the effective due date), `due_on` ("on
    that date", or "today" when the notice goes out that day) and, for a reminder's SMS, `moved` (that it moved, and
    from when; an overdue notice's SMS has no room for it beside the fees, and shows the effective date alone)."""
    due = min((c.effective_due for c in body.invoices), default=body.anchor)
    on_date, today = _DUE_ON[fmt.locale]
    moved = [c for c in body.invoices if c.effective_due_date == due]
    facts = {
        "due": fmt.date(due),
        "due_on": today if fmt.day_of(notification.occurred_at) == due else on_date.format(due=fmt.date(due)),
        "moved": "",
    }
    if moved:
        first = min(moved, key=lambda c: c.due_date)
        facts["moved"] = _MOVED_SMS[fmt.locale].format(
            due=fmt.date(first.due_date), why=_why_moved(first.due_date, fmt)
        )
    return facts


_PAY_AT: dict[Locale, tuple[str, str, str]] = {
    "pt-BR": ("Como pagar", "pague em", "boleto (linha digitável)"),
    "es": ("Cómo pagar", "pague en", "boleto (línea digitable)"),
    "en": ("How to pay", "pay at", "boleto (digitable line)"),
}


def how_to_pay(invoices: Iterable[tuple[str, str | None, str | None]], fmt: Formatter) -> str:
    """A paragraph with each invoice's payment link and boleto line, from (the invoice as the customer knows it, its
    link, its boleto line) when a source gave them; nothing when none did. Every customer notice that asks for a
    payment says how to make it with these words: the collections notices, the new deadline and the new invoice."""
    title, link, slip = _PAY_AT[fmt.locale]
    lines = []
    for label, url, digits in dict.fromkeys(invoices):
        if url:
            lines.append(f"- {label}: {link} {url}")
        if digits:
            lines.append(f"- {label}: {slip} {digits}")
    return f"{title}:\n" + "\n".join(lines) + "\n\n" if lines else ""


def _how_to_pay(charges: Iterable[InvoiceCharge], fmt: Formatter) -> str:
    return how_to_pay(((_label(c, fmt), c.payment_url, c.bank_slip) for c in charges), fmt)


_NEXT: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "final_warning": "Se não houver pagamento, em {on} enviaremos o aviso final",
        "overdue_notice": "Se não houver pagamento, em {on} enviaremos um novo aviso",
        "suspend": "a suspensão do serviço não ocorrerá antes de {on}",
        "suspend_alone": "Se não houver pagamento, a suspensão do serviço não ocorrerá antes de {on}",
    },
    "es": {
        "final_warning": "Si no se registra el pago, el {on} enviaremos el aviso final",
        "overdue_notice": "Si no se registra el pago, el {on} enviaremos un nuevo aviso",
        "suspend": "la suspensión del servicio no ocurrirá antes del {on}",
        "suspend_alone": "Si no se registra el pago, la suspensión del servicio no ocurrirá antes del {on}",
    },
    "en": {
        "final_warning": "If no payment arrives, we will send the final notice on {on}",
        "overdue_notice": "If no payment arrives, we will send another notice on {on}",
        "suspend": "the service will not be suspended before {on}",
        "suspend_alone": "If no payment arrives, the service will not be suspended before {on}",
    },
}


def _what_next(plan: Iterable[PlannedStep], fmt: Formatter) -> str:
    """What happens next if nothing is paid, from the engine's plan: the next notice and the earliest suspension."""
    steps = sorted(plan, key=lambda step: step.on)
    words = _NEXT[fmt.locale]
    notice = next((s for s in steps if s.kind in {StepKind.FINAL_WARNING, StepKind.OVERDUE_NOTICE}), None)
    suspend = next((s for s in steps if s.kind is StepKind.SUSPEND), None)
    parts = []
    if notice is not None:
        parts.append(words[notice.kind.value].format(on=fmt.date(notice.on)))
    if suspend is not None:
        key = "suspend" if parts else "suspend_alone"
        parts.append(words[key].format(on=fmt.date(suspend.on)))
    return "; ".join(parts) + ".\n\n" if parts else ""


def _owed(
    mode: FeesMode, totals: Iterable[Money], fees: Iterable[Money], fmt: Formatter, *, to_date: bool = False
) -> dict[str, str]:
    """What to pay and how the fine and interest stand, as the texts place them: `total` (what to pay), `owed`
    (the line that states it, with the note on informational fees), `fees_note` (that note alone, as a paragraph),
    and for SMS `with_fees` (after a charged total) and `fees_later` (the informational note)."""
    total = _amounts(totals, fmt)
    facts = {"total": total, "with_fees": "", "fees_note": "", "fees_later": ""}
    if mode == "charged":
        label = _OWED_LABEL["charged_to_date" if to_date else "charged"][fmt.locale]
        return facts | {"owed": f"{label}: {total}", "with_fees": _WITH_FEES_SMS[fmt.locale]}
    owed = f"{_OWED_LABEL['informational'][fmt.locale]}: {total}"
    fees = tuple(fees)
    if not fees:
        return facts | {"owed": owed}
    amounts = _amounts(fees, fmt)
    note = _FEES_LATER[fmt.locale].format(fees=amounts)
    return facts | {
        "owed": f"{owed}\n{note}",
        "fees_note": f"\n{note}\n",
        "fees_later": " " + _FEES_LATER_SMS[fmt.locale].format(fees=amounts),
    }


def _credit(credit: Iterable[Money], fmt: Formatter, end: str = "") -> str:
    """The customer's credit, as a sentence ending in `end`; nothing when there is none."""
    amounts = tuple(credit)
    return _CREDIT[fmt.locale].format(credit=_amounts(amounts, fmt)) + end if amounts else ""


# What a channel's send came to, as the owner reads it in a decision's record.
_OUTCOMES: dict[str, dict[Locale, str]] = {
    "accepted": {"pt-BR": "enviado", "es": "enviado", "en": "sent"},
    "delivered": {"pt-BR": "entregue", "es": "entregado", "en": "delivered"},
    "delayed": {"pt-BR": "entrega atrasada", "es": "entrega demorada", "en": "delivery delayed"},
    "bounced": {"pt-BR": "devolvido", "es": "rebotado", "en": "bounced"},
    "complained": {"pt-BR": "marcado como spam", "es": "marcado como spam", "en": "marked as spam"},
    "rejected": {"pt-BR": "rejeitado", "es": "rechazado", "en": "rejected"},
    "rendering_failed": {"pt-BR": "não montado", "es": "no generado", "en": "not rendered"},
    "refused": {"pt-BR": "recusado", "es": "rechazado", "en": "refused"},
    "held": {"pt-BR": "não enviado", "es": "no enviado", "en": "not sent"},
    "pending": {"pt-BR": "sem resposta ainda", "es": "sin respuesta aún", "en": "no answer yet"},
}


# A step of the ladder as its reader is told of it (a record kept before steps had their kind: "notice").
_STEPS: dict[str, dict[Locale, str]] = {
    "reminder": {"pt-BR": "lembrete", "es": "recordatorio", "en": "reminder"},
    "overdue_notice": {"pt-BR": "aviso de atraso", "es": "aviso de mora", "en": "overdue notice"},
    "final_warning": {"pt-BR": "aviso final", "es": "aviso final", "en": "final notice"},
    "suspend": {"pt-BR": "suspensão", "es": "suspensión", "en": "suspension"},
    "hand_off": {"pt-BR": "envio à cobrança", "es": "envío a cobranza", "en": "hand-off to collections"},
    "notice": {"pt-BR": "aviso", "es": "aviso", "en": "notice"},
    "alert": {"pt-BR": "alerta à equipe", "es": "alerta al equipo", "en": "alert to staff"},
}
_CHANNELS: dict[str, dict[Locale, str]] = {
    "email": {"pt-BR": "e-mail", "es": "correo", "en": "e-mail"},
    "sms": {"pt-BR": "SMS", "es": "SMS", "en": "SMS"},
    "notice": {"pt-BR": "sem e-mail nem telefone", "es": "sin correo ni teléfono", "en": "no e-mail or phone"},
}
# A customer notice recorded on no channel: the customer had no address when it went out
# (`ponte.services.collections.customer_channels`). Nothing comes back from it, so no outcome is told.
_NO_ADDRESS = "notice"


def _notices(notices: Iterable[SentNotice], fmt: Formatter) -> str:
    lines = [
        f"- {fmt.moment(n.sent_at)}: {_step(n, fmt)} "
        f"({_word('staff', fmt) if n.channel == STAFF_CHANNEL else _sent_on(n, fmt)})"
        + (f", {_word('deadline', fmt)} {fmt.date(n.deadline)}" if n.deadline else "")
        for n in notices
    ]
    return "\n".join(lines) or _word("none", fmt)


def _step(notice: SentNotice, fmt: Formatter) -> str:
    if notice.step_kind is not None:
        return _STEPS[notice.step_kind.value][fmt.locale]
    return _STEPS["alert" if notice.channel == STAFF_CHANNEL else "notice"][fmt.locale]


def channel_word(channel: str, fmt: Formatter) -> str:
    """A notice's channel as its reader calls it (`e-mail`, `correo`, `SMS`); the digest's too."""
    return _CHANNELS.get(channel, {}).get(fmt.locale, channel)


def outcome_word(outcome: str | None, fmt: Formatter) -> str | None:
    """What a channel's send came to, in the reader's words; None for an outcome without words."""
    return _OUTCOMES.get(outcome or "", {}).get(fmt.locale)


def days_late(days: int, fmt: Formatter) -> str:
    """`1 dia de atraso`, `22 dias de atraso`, by the locale's plural rules; the digest's too."""
    return _counted("late", days, fmt)


def _sent_on(notice: SentNotice, fmt: Formatter) -> str:
    return _came_to(notice.channel, notice.outcome, fmt)


def _came_to(channel: str, outcome: str | None, fmt: Formatter) -> str:
    """A channel and what its send came to (`e-mail: entregue`); a notice on no channel, as such."""
    words = outcome_word(outcome, fmt) if channel != _NO_ADDRESS else None
    return f"{channel_word(channel, fmt)}: {words}" if words else channel_word(channel, fmt)


def _notice(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionNotice)
    return {
        "customer": body.customer_name,
        "invoices": _charges(body.invoices, body.fees_mode, fmt),
        **_due_facts(notification, body, fmt),
        "deadline": fmt.date(body.deadline) if body.deadline else "",
        "how_to_pay": _how_to_pay(body.invoices, fmt),
        "next": _what_next(body.plan, fmt),
        **_owed(body.fees_mode, body.totals, body.fees_to_date, fmt, to_date=True),
    }


def _suspended(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, AccountSuspended)
    record = body.record
    payments = [
        f"- {fmt.moment(p.received_at)}: {fmt.money(p.amount)} ({_word('counted', fmt)} {fmt.money(p.counted)}), "
        f"{_payment_source(p.reference, fmt)}"
        for p in body.payments
    ]
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "owner": fmt.person(body.owner) or _word("nobody", fmt),
        "when": fmt.moment(notification.occurred_at),
        "policy_version": str(record.policy_version),
        "deadline": fmt.date(record.deadline),
        "invoices": _charges(record.invoices, record.fees_mode, fmt),
        "notices": _notices(record.notices, fmt),
        "payments": "\n".join(payments) or _word("none", fmt),
        "credit": _credit(record.credit, fmt, "\n"),
        **_owed(record.fees_mode, record.totals, record.fees_to_date, fmt),
    }


# A payment as staff find it: the provider by name with its id there (what the provider's dashboard searches for),
# or one staff recorded by hand, with the reference they gave; never the ledger's key (`asaas:pay_123`).
_PAID_THROUGH: dict[Locale, str] = {
    "pt-BR": "{provider}, pagamento {id}",
    "es": "{provider}, pago {id}",
    "en": "{provider}, payment {id}",
}
_RECORDED_BY_STAFF: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("registrado pela equipe", "registrado pela equipe, referência {id}"),
    "es": ("registrado por el equipo", "registrado por el equipo, referencia {id}"),
    "en": ("recorded by staff", "recorded by staff, reference {id}"),
}
# The id a payment staff recorded without a reference gets: the account's version (`v12`), which tells them nothing.
_UNREFERENCED = re.compile(r"v\d+")
# What follows `~` is the account a staff-recorded payment came from in a merge (`services.payments.MERGED_FROM`).
_CAME_FROM = "~"


def _payment_source(reference: str, fmt: Formatter) -> str:
    """Where a payment came from, from its key in the ledger (`<provider>:<the provider's id>`)."""
    provider, _, payment_id = reference.partition(":")
    if not payment_id:
        return reference
    if provider == OFFLINE:
        alone, referenced = _RECORDED_BY_STAFF[fmt.locale]
        typed = payment_id.partition(_CAME_FROM)[0]
        return alone if _UNREFERENCED.fullmatch(typed) else referenced.format(id=typed)
    return _PAID_THROUGH[fmt.locale].format(provider=provider_name(provider), id=payment_id)


def _customer_suspended(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerSuspended)
    return {
        "customer": body.customer_name,
        "deadline": fmt.date(body.deadline),
        "invoices": _charges(body.invoices, body.fees_mode, fmt),
        "how_to_pay": _how_to_pay(body.invoices, fmt),
        **_owed(body.fees_mode, body.totals, body.fees_to_date, fmt),
    }


def _reactivated(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, AccountReactivated)
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "owner": fmt.person(body.owner) or _word("nobody", fmt),
        "when": fmt.moment(notification.occurred_at),
        "status": _STATUS[body.status.value][fmt.locale],
        "why": _REACTIVATED_WHY[body.reason][fmt.locale],
        "remaining": _amounts(body.remaining, fmt),
        "credit": (" " + _credit(body.credit, fmt)).rstrip(),
    }


# Why the owner's account was reactivated: only `settled` is a payment.
_REACTIVATED_WHY: dict[str, dict[Locale, str]] = {
    "settled": {
        "pt-BR": "o cliente pagou o que devia (resta no máximo a tolerância)",
        "es": "el cliente pagó lo que debía (queda como máximo la tolerancia)",
        "en": "the customer paid what they owed (at most the tolerance is left)",
    },
    "never_suspend": {
        "pt-BR": "a conta foi marcada para nunca ser suspensa; nenhum pagamento chegou",
        "es": "la cuenta fue marcada para no suspenderse nunca; no llegó ningún pago",
        "en": "the account was flagged never to be suspended; no payment arrived",
    },
    "exempt": {
        "pt-BR": "a equipe isentou a conta da suspensão; nenhum pagamento chegou",
        "es": "el equipo dejó la cuenta exenta de suspensión; no llegó ningún pago",
        "en": "staff exempted the account from suspension; no payment arrived",
    },
    "staff": {
        "pt-BR": "a equipe retirou a suspensão sem pagamento",
        "es": "el equipo levantó la suspensión sin pago",
        "en": "staff lifted the suspension without a payment",
    },
}


_REACTIVATED: dict[str, dict[Locale, tuple[str, str]]] = {
    # (e-mail sentence, SMS) for a reactivation by payment, and for one without a payment.
    "paid": {
        "pt-BR": (
            "Recebemos seu pagamento e o serviço foi reativado em {when}. Obrigado!",
            "Pagamento recebido: servico reativado. Obrigado!",
        ),
        "es": (
            "Recibimos su pago y el servicio fue reactivado el {when}. ¡Gracias!",
            "Pago recibido: servicio reactivado. Gracias!",
        ),
        "en": (
            "We received your payment and the service was reactivated on {when}. Thank you!",
            "Payment received: service reactivated. Thank you!",
        ),
    },
    "unpaid": {
        "pt-BR": ("O serviço foi reativado em {when}.", "Seu servico foi reativado."),
        "es": ("El servicio fue reactivado el {when}.", "Su servicio fue reactivado."),
        "en": ("The service was reactivated on {when}.", "Your service was reactivated."),
    },
}
_STILL_OWED: dict[Locale, str] = {
    "pt-BR": " Ainda há {remaining} em aberto; pague assim que puder para evitar novos avisos.",
    "es": " Aún quedan {remaining} pendientes; pague en cuanto pueda para evitar nuevos avisos.",
    "en": " {remaining} is still owed; please pay as soon as you can to avoid further notices.",
}


_STILL_OWED_SMS: dict[Locale, str] = {
    "pt-BR": " Ainda em aberto: {remaining}.",
    "es": " Aun pendiente: {remaining}.",
    "en": " Still owed: {remaining}.",
}


_CUSTOMER_CREDIT: dict[Locale, tuple[str, str]] = {
    # (e-mail, SMS): what the customer paid above what they owed.
    "pt-BR": (" Você pagou {credit} a mais: esse valor fica como crédito na sua conta.", " Credito: {credit}."),
    "es": (" Pagó {credit} de más: ese monto queda como crédito en su cuenta.", " Credito: {credit}."),
    "en": (" You paid {credit} more than you owed: it stays as a credit on your account.", " Credit: {credit}."),
}


def _customer_reactivated(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerReactivated)
    sentence, sms = _REACTIVATED["paid" if body.reason == "settled" else "unpaid"][fmt.locale]
    when = fmt.moment(notification.occurred_at)
    remaining = _amounts(body.remaining, fmt)
    owed = _STILL_OWED[fmt.locale].format(remaining=remaining) if body.remaining else ""
    sms_owed = _STILL_OWED_SMS[fmt.locale].format(remaining=remaining) if body.remaining else ""
    credit, sms_credit = ("", "")
    if body.credit:
        amounts = _amounts(body.credit, fmt)
        credit, sms_credit = (form.format(credit=amounts) for form in _CUSTOMER_CREDIT[fmt.locale])
    return {
        "customer": body.customer_name,
        "what_happened": sentence.format(when=when) + owed + credit,
        "sms_text": sms + sms_owed + sms_credit,
    }


def _deadline_extended(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerDeadlineExtended)
    return {
        "customer": body.customer_name,
        "was": fmt.date(body.was),
        "deadline": fmt.date(body.deadline),
        "total": _amounts(body.totals, fmt),
        "invoices": ", ".join(body.invoices) or _word("no_invoice", fmt),
        "how_to_pay": how_to_pay(((w.label, w.payment_url, w.bank_slip) for w in body.ways_to_pay), fmt),
    }


def _hand_off(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionsHandOff)
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "owner": fmt.person(body.owner) or _word("nobody", fmt),
        "since": fmt.date(body.anchor),
        "invoices": _charges(body.invoices, body.fees_mode, fmt),
        "notices": _notices(body.notices, fmt),
        "credit": _credit(body.credit, fmt, "\n"),
        **_owed(body.fees_mode, body.totals, body.fees_to_date, fmt),
    }


# What an alert's reader needs to know and do, written from its facts (never the engine's own sentence).
_ALERT_DETAIL: dict[str, dict[Locale, str]] = {
    "promise_lapsed": {
        "pt-BR": "A promessa de pagamento até {until} venceu sem o pagamento; a régua recomeça com um novo prazo. "
        "Fale com o cliente ou registre uma nova promessa.",
        "es": "La promesa de pago hasta el {until} venció sin el pago; la cobranza se reanuda con un nuevo plazo. "
        "Hable con el cliente o registre una nueva promesa.",
        "en": "The promise to pay by {until} lapsed unpaid; the ladder resumes with a fresh deadline. Talk to the "
        "customer or record a new promise.",
    },
    "suspension_withheld": {
        "pt-BR": "A conta passou da etapa de suspensão, mas está marcada para nunca ser suspensa. Decida se ela "
        "continua assim.",
        "es": "La cuenta pasó la etapa de suspensión, pero está marcada para no suspenderse nunca. Decida si sigue "
        "así.",
        "en": "The account is past its suspension step but is flagged never to be suspended. Decide whether it "
        "stays so.",
    },
    "customer_unreachable": {
        "pt-BR": "Nenhum aviso com o prazo chegou ao cliente ({tried}), então a suspensão não foi feita. Atualize o "
        "e-mail ou o telefone do cliente: um novo aviso final sai com um novo prazo.",
        "es": "Ningún aviso con el plazo llegó al cliente ({tried}), así que no se suspendió. Actualice el correo o "
        "el teléfono del cliente: un nuevo aviso final saldrá con un nuevo plazo.",
        "en": "No notice naming the deadline reached the customer ({tried}), so the suspension was withheld. Update "
        "the customer's e-mail or phone: a new final notice goes out with a fresh deadline.",
    },
    "unknown_currency": {
        "pt-BR": "A política de cobrança (versão {version}) não tem limites para {currencies}: essas faturas ficam "
        "fora da régua até a política incluir a moeda.",
        "es": "La política de cobranza (versión {version}) no tiene límites para {currencies}: esas facturas quedan "
        "fuera de la cobranza hasta que la política incluya la moneda.",
        "en": "The collections policy (version {version}) has no thresholds for {currencies}: these invoices are "
        "left out of the ladder until the policy adds the currency.",
    },
    "invalid_account": {
        "pt-BR": "Dados da conta com erro{parts}: a régua ignora a conta até serem corrigidos. Os detalhes técnicos "
        "estão nos registros do processamento.",
        "es": "Datos de la cuenta con error{parts}: la cobranza omite la cuenta hasta que se corrijan. Los detalles "
        "técnicos están en los registros del procesamiento.",
        "en": "The account's data has errors{parts}: the ladder skips the account until they are fixed. The "
        "technical details are in the processing logs.",
    },
    "invalid_policy": {
        "pt-BR": "A versão {version} da política de cobrança foi recusada; a versão {in_force} continua em vigor. "
        "Veja o que está errado com: ponte policy check",
        "es": "La versión {version} de la política de cobranza fue rechazada; la versión {in_force} sigue vigente. "
        "Vea qué está mal con: ponte policy check",
        "en": "Version {version} of the collections policy was refused; version {in_force} stays in force. See "
        "what is wrong with: ponte policy check",
    },
}
# The parts of an account's record a validation names, as staff call them.
_PARTS: dict[str, dict[Locale, str]] = {
    "name": {"pt-BR": "nome", "es": "nombre", "en": "name"},
    "contact": {"pt-BR": "contato", "es": "contacto", "en": "contact"},
    "locale": {"pt-BR": "idioma", "es": "idioma", "en": "language"},
    "tax_id": {"pt-BR": "CPF/CNPJ", "es": "identificación fiscal", "en": "tax id"},
    "invoices": {"pt-BR": "faturas", "es": "facturas", "en": "invoices"},
    "payments": {"pt-BR": "pagamentos", "es": "pagos", "en": "payments"},
    "holds": {"pt-BR": "suspensões pela equipe", "es": "pausas del equipo", "en": "staff holds"},
    "account": {"pt-BR": "cadastro", "es": "registro", "en": "record"},
}
_OTHER_PART: dict[Locale, str] = {"pt-BR": "outros dados", "es": "otros datos", "en": "other data"}


def _alert(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionsAlert)
    parts = dict.fromkeys(_PARTS.get(p, {}).get(fmt.locale, _OTHER_PART[fmt.locale]) for p in body.problems)
    tried = ", ".join(
        _came_to(channel, outcome if outcome_word(outcome, fmt) else "pending", fmt)
        for channel, outcome in body.tried.items()
    )
    facts = {
        "until": fmt.date(body.until) if body.until else _word("agreed_day", fmt),
        "currencies": ", ".join(body.currencies),
        "version": str(body.policy_version) if body.policy_version else _word("current", fmt),
        "in_force": str(body.in_force) if body.in_force else _word("previous", fmt),
        "tried": tried or _word("none", fmt),
        "parts": f" ({', '.join(parts)})" if parts else "",
    }
    unnumbered = len(body.invoice_keys) - len(body.invoices)
    invoices = [*body.invoices, *([_counted("unnumbered", unnumbered, fmt)] if unnumbered > 0 else [])]
    return {
        "reason": _REASONS[body.reason][fmt.locale],
        # The subject names the account before an inbox cuts it: the reason's headline alone, before its colon.
        "headline": _REASONS[body.reason][fmt.locale].split(":", 1)[0],
        "account": body.account_name or notification.account_id,
        "account_id": notification.account_id,
        "detail": _ALERT_DETAIL[body.reason][fmt.locale].format(**facts),
        "invoices": ", ".join(invoices) or _word("no_invoice", fmt),
    }


_RECORD = {
    "pt-BR": (
        "A conta {account} ({account_id}) foi suspensa em {when}. Responsável: {owner}.\n\n"
        "Por quê: pela política de cobrança (versão {policy_version}), a conta é suspensa quando o prazo informado ao "
        "cliente num aviso final vence e o valor em atraso passa da tolerância.\n"
        "Prazo informado ao cliente: {deadline} (venceu sem pagamento).\n\n"
        "Faturas:\n{invoices}\n{owed}\n{credit}\n"
        "Avisos enviados:\n{notices}\n\nPagamentos recebidos:\n{payments}\n\n"
        "Como reativar: um pagamento ou uma nota de crédito que deixe em atraso no máximo a tolerância reativa a "
        "conta na hora. Para reativar sem pagamento, isente a conta da suspensão até uma data; para dar mais prazo "
        "antes dos próximos passos, registre uma promessa de pagamento. Ambos no console da equipe, na conta.\n"
    ),
    "es": (
        "La cuenta {account} ({account_id}) fue suspendida el {when}. Responsable: {owner}.\n\n"
        "Por qué: según la política de cobranza (versión {policy_version}), la cuenta se suspende cuando vence el "
        "plazo informado al cliente en un aviso final y lo vencido supera la tolerancia.\n"
        "Plazo informado al cliente: {deadline} (venció sin pago).\n\n"
        "Facturas:\n{invoices}\n{owed}\n{credit}\n"
        "Avisos enviados:\n{notices}\n\nPagos recibidos:\n{payments}\n\n"
        "Cómo reactivar: un pago o una nota de crédito que deje en mora como máximo la tolerancia reactiva la "
        "cuenta en el acto. Para reactivar sin pago, exima la cuenta de la suspensión hasta una fecha; para dar más "
        "plazo antes de los próximos pasos, registre una promesa de pago. Ambos en la consola del equipo, en la "
        "cuenta.\n"
    ),
    "en": (
        "Account {account} ({account_id}) was suspended on {when}. Owner: {owner}.\n\n"
        "Why: under the collections policy (version {policy_version}), an account is suspended when the deadline a "
        "final notice named to the customer passes and more than the tolerance is overdue.\n"
        "Deadline named to the customer: {deadline} (it passed unpaid).\n\n"
        "Invoices:\n{invoices}\n{owed}\n{credit}\n"
        "Notices sent:\n{notices}\n\nPayments received:\n{payments}\n\n"
        "How to reactivate: a payment or a credit note that leaves no more than the tolerance overdue reactivates "
        "the account at once. To reactivate without payment, exempt the account from suspension until a date; to "
        "give more time before the next steps, record a promise to pay. Both in the staff console, on the "
        "account.\n"
    ),
}

ENTRIES: dict[str, Entry] = {
    "customer.payment_reminder": Entry(
        _notice,
        {
            "pt-BR": Texts(
                subject="Lembrete: {total} vence {due_on}",
                email="Olá, {customer}!\n\nLembramos que o pagamento abaixo vence {due_on}:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Total: {total}\n\n{next}Se já pagou, desconsidere este aviso.\n",
                sms="Lembrete: {total} vence {due_on}{moved}. Se ja pagou, desconsidere.",
            ),
            "es": Texts(
                subject="Recordatorio: {total} vence {due_on}",
                email="¡Hola, {customer}!\n\nLe recordamos que el pago siguiente vence {due_on}:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Total: {total}\n\n{next}Si ya pagó, ignore este aviso.\n",
                sms="Recordatorio: {total} vence {due_on}{moved}. Si ya pago, ignore este aviso.",
            ),
            "en": Texts(
                subject="Reminder: {total} due {due_on}",
                email="Hello, {customer}!\n\nA reminder that the payment below is due {due_on}:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Total: {total}\n\n{next}If you have already paid, please disregard this notice.\n",
                sms="Reminder: {total} is due {due_on}{moved}. If you have paid, please disregard.",
            ),
        },
    ),
    "customer.overdue_notice": Entry(
        _notice,
        {
            "pt-BR": Texts(
                subject="Pagamento em atraso: {total}",
                email="Olá, {customer}.\n\nNão identificamos o pagamento abaixo, vencido em {due}:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "{owed}\n\n{next}Se já pagou, desconsidere este aviso.\n",
                sms="Pagamento em atraso desde {due}: {total}{with_fees}. Se ja pagou, desconsidere.{fees_later}",
            ),
            "es": Texts(
                subject="Pago vencido: {total}",
                email="Hola, {customer}.\n\nNo registramos el pago siguiente, vencido el {due}:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "{owed}\n\n{next}Si ya pagó, ignore este aviso.\n",
                sms="Pago vencido desde el {due}: {total}{with_fees}. Si ya pago, ignore este aviso.{fees_later}",
            ),
            "en": Texts(
                subject="Payment overdue: {total}",
                email="Hello, {customer}.\n\nWe have not received the payment below, due on {due}:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "{owed}\n\n{next}If you have already paid, please disregard.\n",
                sms="Payment overdue since {due}: {total}{with_fees}. If you have paid, disregard.{fees_later}",
            ),
        },
    ),
    "customer.final_warning": Entry(
        _notice,
        {
            "pt-BR": Texts(
                subject="Último aviso: {total} até {deadline} para evitar a suspensão",
                email="Olá, {customer}.\n\nO pagamento abaixo continua em aberto:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Pague {total} até {deadline} para evitar a suspensão do serviço. Se o pagamento não for "
                "identificado até o fim desse dia, a conta será suspensa automaticamente.\n{fees_note}",
                sms="Ultimo aviso: pague {total} ate {deadline} para evitar a suspensao do servico.{fees_later}",
            ),
            "es": Texts(
                subject="Último aviso: {total} hasta el {deadline} para evitar la suspensión",
                email="Hola, {customer}.\n\nEl pago siguiente sigue pendiente:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Pague {total} hasta el {deadline} para evitar la suspensión del servicio. Si el pago no se "
                "registra hasta el final de ese día, la cuenta se suspenderá automáticamente.\n{fees_note}",
                sms="Ultimo aviso: pague {total} hasta el {deadline} para evitar la suspension del servicio."
                "{fees_later}",
            ),
            "en": Texts(
                subject="Final notice: pay {total} by {deadline} to avoid suspension",
                email="Hello, {customer}.\n\nThe payment below is still outstanding:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Pay {total} by {deadline} to avoid suspension of the service. If the payment is not received by "
                "the end of that day, the account will be suspended automatically.\n{fees_note}",
                sms="Final notice: pay {total} by {deadline} to avoid suspension of the service.{fees_later}",
            ),
        },
    ),
    "customer.suspended": Entry(
        _customer_suspended,
        {
            "pt-BR": Texts(
                subject="Serviço suspenso por falta de pagamento",
                email="Olá, {customer}.\n\nO prazo de {deadline} venceu sem pagamento e o serviço foi suspenso.\n\n"
                "{invoices}\n\n{how_to_pay}{owed}\n\nAssim que o pagamento for identificado, a conta é reativada.\n",
                sms="Servico suspenso: prazo {deadline} vencido. Pague {total} para reativar a conta.{fees_later}",
            ),
            "es": Texts(
                subject="Servicio suspendido por falta de pago",
                email="Hola, {customer}.\n\nEl plazo del {deadline} venció sin pago y el servicio fue suspendido.\n\n"
                "{invoices}\n\n{how_to_pay}{owed}\n\nEn cuanto se registre el pago, la cuenta se reactiva.\n",
                sms="Servicio suspendido: plazo {deadline} vencido. Pague {total} y la cuenta se reactiva.{fees_later}",
            ),
            "en": Texts(
                subject="Service suspended for non-payment",
                email="Hello, {customer}.\n\nThe deadline of {deadline} passed unpaid and the service was suspended."
                "\n\n{invoices}\n\n{how_to_pay}{owed}\n\nAs soon as the payment is received, the account is "
                "reactivated.\n",
                sms="Service suspended: deadline {deadline} passed. Pay {total} to be reactivated.{fees_later}",
            ),
        },
    ),
    "account.suspended": Entry(
        _suspended,
        {
            "pt-BR": Texts(
                subject="Conta suspensa: {account} ({total})",
                email=_RECORD["pt-BR"],
                sms="Ponte: {account} suspensa. Prazo {deadline} vencido, deve {total}.{fees_later}",
            ),
            "es": Texts(
                subject="Cuenta suspendida: {account} ({total})",
                email=_RECORD["es"],
                sms="Ponte: {account} suspendida. Plazo {deadline} vencido, debe {total}.{fees_later}",
            ),
            "en": Texts(
                subject="Account suspended: {account} ({total})",
                email=_RECORD["en"],
                sms="Ponte: {account} suspended. Deadline {deadline} passed, owes {total}.{fees_later}",
            ),
        },
    ),
    "account.reactivated": Entry(
        _reactivated,
        {
            "pt-BR": Texts(
                subject="Conta reativada: {account}",
                email="A conta {account} ({account_id}) foi reativada em {when}. Responsável: {owner}.\n\n"
                "Por quê: {why}.\nSituação: {status}. Em atraso: {remaining}.{credit}\n",
                sms="Ponte: {account} reativada. Em atraso: {remaining}.{credit}",
            ),
            "es": Texts(
                subject="Cuenta reactivada: {account}",
                email="La cuenta {account} ({account_id}) fue reactivada el {when}. Responsable: {owner}.\n\n"
                "Por qué: {why}.\nEstado: {status}. En mora: {remaining}.{credit}\n",
                sms="Ponte: {account} reactivada. En mora: {remaining}.{credit}",
            ),
            "en": Texts(
                subject="Account reactivated: {account}",
                email="Account {account} ({account_id}) was reactivated on {when}. Owner: {owner}.\n\n"
                "Why: {why}.\nStatus: {status}. Overdue: {remaining}.{credit}\n",
                sms="Ponte: {account} reactivated. Overdue: {remaining}.{credit}",
            ),
        },
    ),
    "customer.reactivated": Entry(
        _customer_reactivated,
        {
            "pt-BR": Texts(
                subject="Serviço reativado",
                email="Olá, {customer}!\n\n{what_happened}\n",
                sms="{sms_text}",
            ),
            "es": Texts(
                subject="Servicio reactivado",
                email="¡Hola, {customer}!\n\n{what_happened}\n",
                sms="{sms_text}",
            ),
            "en": Texts(
                subject="Service reactivated",
                email="Hello, {customer}!\n\n{what_happened}\n",
                sms="{sms_text}",
            ),
        },
    ),
    "customer.deadline_extended": Entry(
        _deadline_extended,
        {
            "pt-BR": Texts(
                subject="Novo prazo: pague {total} até {deadline}",
                email="Olá, {customer}.\n\nO prazo para o pagamento em aberto foi estendido de {was} para "
                "{deadline}.\n\nEm aberto: {total} ({invoices}).\n\n{how_to_pay}"
                "Pague até {deadline} para evitar a suspensão do serviço.\n",
                sms="Novo prazo: pague {total} ate {deadline} para evitar a suspensao do servico.",
            ),
            "es": Texts(
                subject="Nuevo plazo: {total} hasta el {deadline}",
                email="Hola, {customer}.\n\nEl plazo del pago pendiente se extendió del {was} al {deadline}.\n\n"
                "Pendiente: {total} ({invoices}).\n\n{how_to_pay}"
                "Pague hasta el {deadline} para evitar la suspensión del servicio.\n",
                sms="Nuevo plazo: pague {total} hasta el {deadline} para evitar la suspension del servicio.",
            ),
            "en": Texts(
                subject="New deadline: pay {total} by {deadline}",
                email="Hello, {customer}.\n\nThe deadline for the outstanding payment has been extended from {was} "
                "to {deadline}.\n\nOutstanding: {total} ({invoices}).\n\n{how_to_pay}"
                "Pay by {deadline} to avoid suspension of the service.\n",
                sms="New deadline: pay {total} by {deadline} to avoid suspension of the service.",
            ),
        },
    ),
    "collections.hand_off": Entry(
        _hand_off,
        {
            "pt-BR": Texts(
                subject="Para a cobrança: {account} ({total})",
                email="A conta {account} ({account_id}) passa à cobrança. Responsável: {owner}.\n\n"
                "Em atraso desde {since}:\n{invoices}\n{owed}\n{credit}\n"
                "Avisos enviados:\n{notices}\n",
                sms="Ponte: {account} para a cobranca, {total} em atraso desde {since}.{fees_later}",
            ),
            "es": Texts(
                subject="A cobranza: {account} ({total})",
                email="La cuenta {account} ({account_id}) pasa a cobranza. Responsable: {owner}.\n\n"
                "En mora desde el {since}:\n{invoices}\n{owed}\n{credit}\n"
                "Avisos enviados:\n{notices}\n",
                sms="Ponte: {account} a cobranza, {total} en mora desde el {since}.{fees_later}",
            ),
            "en": Texts(
                subject="To collections: {account} ({total})",
                email="Account {account} ({account_id}) goes to collections. Owner: {owner}.\n\n"
                "Overdue since {since}:\n{invoices}\n{owed}\n{credit}\n"
                "Notices sent:\n{notices}\n",
                sms="Ponte: {account} to collections, {total} overdue since {since}.{fees_later}",
            ),
        },
    ),
    "collections.alert": Entry(
        _alert,
        {
            "pt-BR": Texts(
                subject="{headline}: {account}",
                email="{reason}.\n\n{detail}\n\nConta: {account} ({account_id})\nFaturas: {invoices}\n",
                sms="Ponte: {reason}: {account}.",
            ),
            "es": Texts(
                subject="{headline}: {account}",
                email="{reason}.\n\n{detail}\n\nCuenta: {account} ({account_id})\nFacturas: {invoices}\n",
                sms="Ponte: {reason}: {account}.",
            ),
            "en": Texts(
                subject="{headline}: {account}",
                email="{reason}.\n\n{detail}\n\nAccount: {account} ({account_id})\nInvoices: {invoices}\n",
                sms="Ponte: {reason}: {account}.",
            ),
        },
    ),
}
