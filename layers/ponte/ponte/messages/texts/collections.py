"""Texts of the notifications about collections: the customer's notices, suspension, reactivation, hand-offs and
alerts (the daily digest's are in `ponte.messages.texts.digest`).

What a notice asks to pay is always the body's `totals`. When the policy charges the fine and interest, that is the
total with them ("Total with fine and interest"); when they are informational, it is the principal ("Amount
owed"), and the notice says how much the fine and interest come to so far and that they will be charged on a later
invoice: it never presents a total with them as what to pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.collections import (
    AccountReactivated,
    AccountSuspended,
    CollectionNotice,
    CollectionsAlert,
    CollectionsHandOff,
    CustomerReactivated,
    CustomerSuspended,
)
from ponte.domain.policy import StepKind
from ponte.messages.catalog import Entry, Texts

if TYPE_CHECKING:
    from collections.abc import Iterable

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
    "none": {"pt-BR": "nenhum", "es": "ninguno", "en": "none"},
    "nobody": {"pt-BR": "sem responsável", "es": "sin responsable", "en": "no owner"},
    "staff": {"pt-BR": "equipe", "es": "equipo", "en": "staff"},
    "counted": {"pt-BR": "considerado", "es": "computado", "en": "counted"},
    "deadline": {"pt-BR": "prazo", "es": "plazo", "en": "deadline"},
    "fees_paid": {"pt-BR": "já pago", "es": "ya pagado", "en": "paid"},
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
    "customer_unreachable": {
        "pt-BR": "Cliente sem contato válido: o aviso final não chegou e a suspensão não foi feita; atualize o contato",
        "es": "Cliente sin contacto válido: el aviso final no llegó y no se suspendió; actualice el contacto",
        "en": "Customer unreachable: the final notice reached no one and the suspension was withheld; update the "
        "contact",
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
}


def _counted(name: str, number: int, fmt: Formatter) -> str:
    return fmt.count(number, _COUNTED[name][fmt.locale])


def _word(name: str, fmt: Formatter) -> str:
    return _WORDS[name][fmt.locale]


def _amounts(amounts: Iterable[Money], fmt: Formatter) -> str:
    return " + ".join(fmt.money(amount) for amount in amounts) or _word("none", fmt)


def _charges(charges: Iterable[InvoiceCharge], mode: FeesMode, fmt: Formatter) -> str:
    lines = []
    for c in charges:
        line = f"- {_label(c)}: {fmt.money(c.outstanding)} ({_due(c, fmt)}"
        if c.days_late:
            line += f", {_counted('late', c.days_late, fmt)}"
        fees = f"{_word('fine', fmt)} {fmt.money(c.late_fee)}, {_word('interest', fmt)} {fmt.money(c.interest)}"
        if mode == "charged" and c.days_late:
            paid = f", {_word('fees_paid', fmt)} {fmt.money(c.fees_paid)}" if c.fees_paid is not None else ""
            line += f"; {fees}{paid}; = {fmt.money(c.total)}"
        elif mode == "informational" and c.days_late and not c.fees_to_date.is_zero:
            line += f"; {fees}, {_word('later', fmt)}"
        lines.append(line + ")")
    return "\n".join(lines) or _word("none", fmt)


def _label(charge: InvoiceCharge) -> str:
    """The invoice as the customer knows it; a record kept from before labels existed shows its own number."""
    return charge.label or charge.invoice_id.rsplit(":", 1)[-1]


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
    """When the invoice is due: its due date, or the date it was due and the business day it moved to."""
    moved_to = charge.effective_due_date
    if moved_to is None:
        return f"{_word('due', fmt)} {fmt.date(charge.due_date)}"
    return _MOVED[fmt.locale].format(due=fmt.date(charge.due_date), why=_why_moved(charge, fmt), to=fmt.date(moved_to))


def _why_moved(charge: InvoiceCharge, fmt: Formatter) -> str:
    # A weekday that is not a business day is a holiday, national or local.
    return _NOT_A_BUSINESS_DAY["weekend" if charge.due_date.weekday() >= 5 else "holiday"][fmt.locale]


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
        facts["moved"] = _MOVED_SMS[fmt.locale].format(due=fmt.date(first.due_date), why=_why_moved(first, fmt))
    return facts


_PAY_AT: dict[Locale, tuple[str, str, str]] = {
    "pt-BR": ("Como pagar", "pague em", "boleto (linha digitável)"),
    "es": ("Cómo pagar", "pague en", "boleto (línea digitable)"),
    "en": ("How to pay", "pay at", "boleto (digitable line)"),
}


def _how_to_pay(charges: Iterable[InvoiceCharge], fmt: Formatter) -> str:
    """A paragraph with each invoice's payment link or boleto line, when a source gave one; nothing otherwise."""
    title, link, slip = _PAY_AT[fmt.locale]
    lines = []
    for label, url, digits in dict.fromkeys((_label(c), c.payment_url, c.bank_slip) for c in charges):
        if url:
            lines.append(f"- {label}: {link} {url}")
        if digits:
            lines.append(f"- {label}: {slip} {digits}")
    return f"{title}:\n" + "\n".join(lines) + "\n\n" if lines else ""


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
}


def _notices(notices: Iterable[SentNotice], fmt: Formatter) -> str:
    lines = [
        f"- {fmt.moment(n.sent_at)}: {n.step_id} ({_word('staff', fmt) if n.channel == 'staff' else _sent_on(n, fmt)})"
        + (f", {_word('deadline', fmt)} {fmt.date(n.deadline)}" if n.deadline else "")
        for n in notices
    ]
    return "\n".join(lines) or _word("none", fmt)


def _sent_on(notice: SentNotice, fmt: Formatter) -> str:
    outcome = _OUTCOMES.get(notice.outcome or "", {}).get(fmt.locale)
    return f"{notice.channel}: {outcome}" if outcome else notice.channel


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
        f"{p.reference}"
        for p in body.payments
    ]
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "owner": body.owner or _word("nobody", fmt),
        "when": fmt.moment(notification.occurred_at),
        "policy_version": str(record.policy_version),
        "deadline": fmt.date(record.deadline),
        "invoices": _charges(record.invoices, record.fees_mode, fmt),
        "notices": _notices(record.notices, fmt),
        "payments": "\n".join(payments) or _word("none", fmt),
        "credit": _credit(record.credit, fmt, "\n"),
        **_owed(record.fees_mode, record.totals, record.fees_to_date, fmt),
    }


def _customer_suspended(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerSuspended)
    return {
        "customer": body.customer_name,
        "deadline": fmt.date(body.deadline),
        "invoices": _charges(body.invoices, body.fees_mode, fmt),
        **_owed(body.fees_mode, body.totals, body.fees_to_date, fmt),
    }


def _reactivated(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, AccountReactivated)
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "owner": body.owner or _word("nobody", fmt),
        "when": fmt.moment(notification.occurred_at),
        "status": _STATUS[body.status.value][fmt.locale],
        "remaining": _amounts(body.remaining, fmt),
        "credit": (" " + _credit(body.credit, fmt)).rstrip(),
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


def _customer_reactivated(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerReactivated)
    sentence, sms = _REACTIVATED["paid" if body.reason == "settled" else "unpaid"][fmt.locale]
    when = fmt.moment(notification.occurred_at)
    remaining = _amounts(body.remaining, fmt)
    owed = _STILL_OWED[fmt.locale].format(remaining=remaining) if body.remaining else ""
    sms_owed = _STILL_OWED_SMS[fmt.locale].format(remaining=remaining) if body.remaining else ""
    return {
        "customer": body.customer_name,
        "what_happened": sentence.format(when=when) + owed,
        "sms_text": sms + sms_owed,
    }


def _hand_off(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionsHandOff)
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "owner": body.owner or _word("nobody", fmt),
        "since": fmt.date(body.anchor),
        "invoices": _charges(body.invoices, body.fees_mode, fmt),
        "notices": _notices(body.notices, fmt),
        "credit": _credit(body.credit, fmt, "\n"),
        **_owed(body.fees_mode, body.totals, body.fees_to_date, fmt),
    }


def _alert(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionsAlert)
    return {
        "reason": _REASONS[body.reason][fmt.locale],
        "account": body.account_name or notification.account_id,
        "account_id": notification.account_id,
        "detail": body.detail,
        "invoices": ", ".join(body.invoice_keys) or _word("none", fmt),
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
                subject="Lembrete: pagamento de {total} vence {due_on}",
                email="Olá, {customer}!\n\nLembramos que o pagamento abaixo vence {due_on}:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Total: {total}\n\n{next}Se já pagou, desconsidere este aviso.\n",
                sms="Lembrete: {total} vence {due_on}{moved}. Se ja pagou, desconsidere.",
            ),
            "es": Texts(
                subject="Recordatorio: el pago de {total} vence {due_on}",
                email="¡Hola, {customer}!\n\nLe recordamos que el pago siguiente vence {due_on}:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Total: {total}\n\n{next}Si ya pagó, ignore este aviso.\n",
                sms="Recordatorio: {total} vence {due_on}{moved}. Si ya pago, ignore este aviso.",
            ),
            "en": Texts(
                subject="Reminder: payment of {total} due {due_on}",
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
                subject="Último aviso: pague {total} até {deadline} para evitar a suspensão",
                email="Olá, {customer}.\n\nO pagamento abaixo continua em aberto:\n\n{invoices}\n\n"
                "{how_to_pay}"
                "Pague {total} até {deadline} para evitar a suspensão do serviço. Se o pagamento não for "
                "identificado até o fim desse dia, a conta será suspensa automaticamente.\n{fees_note}",
                sms="Ultimo aviso: pague {total} ate {deadline} para evitar a suspensao do servico.{fees_later}",
            ),
            "es": Texts(
                subject="Último aviso: pague {total} hasta el {deadline} para evitar la suspensión",
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
                "{invoices}\n\n{owed}\n\nAo pagar, a conta é reativada na hora.\n",
                sms="Servico suspenso: prazo {deadline} vencido. Pague {total} e a conta e reativada na hora."
                "{fees_later}",
            ),
            "es": Texts(
                subject="Servicio suspendido por falta de pago",
                email="Hola, {customer}.\n\nEl plazo del {deadline} venció sin pago y el servicio fue suspendido.\n\n"
                "{invoices}\n\n{owed}\n\nAl pagar, la cuenta se reactiva en el acto.\n",
                sms="Servicio suspendido: plazo {deadline} vencido. Pague {total} y la cuenta se reactiva.{fees_later}",
            ),
            "en": Texts(
                subject="Service suspended for non-payment",
                email="Hello, {customer}.\n\nThe deadline of {deadline} passed unpaid and the service was suspended."
                "\n\n{invoices}\n\n{owed}\n\nOnce paid, the account is reactivated at once.\n",
                sms="Service suspended: deadline {deadline} passed. Pay {total} to be reactivated at once.{fees_later}",
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
                "Situação: {status}. Em atraso: {remaining}.{credit}\n",
                sms="Ponte: {account} reativada. Em atraso: {remaining}.{credit}",
            ),
            "es": Texts(
                subject="Cuenta reactivada: {account}",
                email="La cuenta {account} ({account_id}) fue reactivada el {when}. Responsable: {owner}.\n\n"
                "Estado: {status}. En mora: {remaining}.{credit}\n",
                sms="Ponte: {account} reactivada. En mora: {remaining}.{credit}",
            ),
            "en": Texts(
                subject="Account reactivated: {account}",
                email="Account {account} ({account_id}) was reactivated on {when}. Owner: {owner}.\n\n"
                "Status: {status}. Overdue: {remaining}.{credit}\n",
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
                "En mora desde {since}:\n{invoices}\n{owed}\n{credit}\n"
                "Avisos enviados:\n{notices}\n",
                sms="Ponte: {account} a cobranza, {total} en mora desde {since}.{fees_later}",
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
                subject="{reason}: {account}",
                email="{reason}.\n\nConta: {account} ({account_id})\nFaturas: {invoices}\nDetalhe: {detail}\n",
                sms="Ponte: {reason}: {account}.",
            ),
            "es": Texts(
                subject="{reason}: {account}",
                email="{reason}.\n\nCuenta: {account} ({account_id})\nFacturas: {invoices}\nDetalle: {detail}\n",
                sms="Ponte: {reason}: {account}.",
            ),
            "en": Texts(
                subject="{reason}: {account}",
                email="{reason}.\n\nAccount: {account} ({account_id})\nInvoices: {invoices}\nDetail: {detail}\n",
                sms="Ponte: {reason}: {account}.",
            ),
        },
    ),
}
