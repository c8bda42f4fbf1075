"""Texts of the notifications about collections: the customer's notices, suspension, reactivation, hand-offs,
alerts and the daily digest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.collections import (
    AccountReactivated,
    AccountSuspended,
    CollectionNotice,
    CollectionsAlert,
    CollectionsDigest,
    CollectionsHandOff,
    CustomerReactivated,
    CustomerSuspended,
    DigestAccount,
)
from ponte.messages.catalog import Entry, Texts

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ponte.domain.accounts import Locale
    from ponte.domain.dunning import InvoiceCharge, SentNotice
    from ponte.domain.money import Money
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter

_WORDS: dict[str, dict[Locale, str]] = {
    "due": {"pt-BR": "vencimento", "es": "vencimiento", "en": "due"},
    "late": {"pt-BR": "dias de atraso", "es": "días de atraso", "en": "days late"},
    "fine": {"pt-BR": "multa", "es": "multa", "en": "fine"},
    "interest": {"pt-BR": "juros", "es": "intereses", "en": "interest"},
    "none": {"pt-BR": "nenhum", "es": "ninguno", "en": "none"},
    "nobody": {"pt-BR": "sem responsável", "es": "sin responsable", "en": "no owner"},
    "staff": {"pt-BR": "equipe", "es": "equipo", "en": "staff"},
    "counted": {"pt-BR": "considerado", "es": "computado", "en": "counted"},
    "more": {"pt-BR": "ou mais", "es": "o más", "en": "or more"},
    "accounts": {"pt-BR": "conta(s)", "es": "cuenta(s)", "en": "account(s)"},
    "deadline": {"pt-BR": "prazo", "es": "plazo", "en": "deadline"},
}
_REASONS: dict[str, dict[Locale, str]] = {
    "suspension_withheld": {
        "pt-BR": "Suspensão não aplicada: a conta está marcada para nunca ser suspensa",
        "es": "Suspensión no aplicada: la cuenta está marcada para no suspenderse nunca",
        "en": "Suspension withheld: the account is flagged never to be suspended",
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


def _word(name: str, fmt: Formatter) -> str:
    return _WORDS[name][fmt.locale]


def _amounts(amounts: Iterable[Money], fmt: Formatter) -> str:
    return " + ".join(fmt.money(amount) for amount in amounts) or _word("none", fmt)


def _charges(charges: Iterable[InvoiceCharge], fmt: Formatter) -> str:
    lines = []
    for c in charges:
        line = f"- {c.invoice_id}: {fmt.money(c.outstanding)} ({_word('due', fmt)} {fmt.date(c.due_date)}"
        if c.days_late:
            line += (
                f", {c.days_late} {_word('late', fmt)}; {_word('fine', fmt)} {fmt.money(c.late_fee)}, "
                f"{_word('interest', fmt)} {fmt.money(c.interest)}; = {fmt.money(c.total)}"
            )
        lines.append(line + ")")
    return "\n".join(lines) or _word("none", fmt)


def _notices(notices: Iterable[SentNotice], fmt: Formatter) -> str:
    lines = [
        f"- {fmt.moment(n.sent_at)}: {n.step_id} ({_word('staff', fmt) if n.channel == 'staff' else n.channel})"
        + (f", {_word('deadline', fmt)} {fmt.date(n.deadline)}" if n.deadline else "")
        for n in notices
    ]
    return "\n".join(lines) or _word("none", fmt)


def _notice(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionNotice)
    due = min((c.due_date for c in body.invoices), default=body.anchor)
    return {
        "customer": body.customer_name,
        "invoices": _charges(body.invoices, fmt),
        "total": _amounts(body.totals, fmt),
        "due": fmt.date(due),
        "deadline": fmt.date(body.deadline) if body.deadline else "",
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
        "rule": record.rule,
        "deadline": fmt.date(record.deadline),
        "invoices": _charges(record.invoices, fmt),
        "total": _amounts(record.totals, fmt),
        "notices": _notices(record.notices, fmt),
        "payments": "\n".join(payments) or _word("none", fmt),
    }


def _customer_suspended(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerSuspended)
    return {
        "customer": body.customer_name,
        "deadline": fmt.date(body.deadline),
        "invoices": _charges(body.invoices, fmt),
        "total": _amounts(body.totals, fmt),
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
    }


def _customer_reactivated(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerReactivated)
    return {"customer": body.customer_name, "when": fmt.moment(notification.occurred_at)}


def _hand_off(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionsHandOff)
    return {
        "account": body.account_name,
        "account_id": notification.account_id,
        "owner": body.owner or _word("nobody", fmt),
        "since": fmt.date(body.anchor),
        "invoices": _charges(body.invoices, fmt),
        "total": _amounts(body.totals, fmt),
        "notices": _notices(body.notices, fmt),
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


def _digest_accounts(accounts: Iterable[DigestAccount], fmt: Formatter) -> str:
    lines = [
        f"- {fmt.date(a.on)}: {a.account_name} ({a.account_id}), {a.owner or _word('nobody', fmt)}: "
        f"{_amounts(a.owed, fmt)}"
        for a in accounts
    ]
    return "\n".join(lines) or _word("none", fmt)


def _digest(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionsDigest)
    buckets = [
        f"- {b.from_days}-{b.to_days}: " if b.to_days is not None else f"- {b.from_days} {_word('more', fmt)}: "
        for b in body.buckets
    ]
    lines = [
        f"{label}{b.accounts} {_word('accounts', fmt)}, {_amounts(b.amounts, fmt)}"
        for label, b in zip(buckets, body.buckets, strict=True)
    ]
    return {
        "day": fmt.date(body.day),
        "count": str(body.accounts_overdue),
        "total": _amounts(body.totals, fmt),
        "buckets": "\n".join(lines),
        "suspended": _digest_accounts(body.suspended, fmt),
        "suspended_count": str(len(body.suspended)),
        "deadlines": _digest_accounts(body.deadlines, fmt),
        "deadline_count": str(len(body.deadlines)),
    }


_RECORD = {
    "pt-BR": (
        "A conta {account} ({account_id}) foi suspensa em {when}. Responsável: {owner}.\n\n"
        "Por quê: {rule}.\nPrazo informado ao cliente: {deadline} (venceu sem pagamento).\n\n"
        "Faturas:\n{invoices}\nTotal com multa e juros: {total}\n\n"
        "Avisos enviados:\n{notices}\n\nPagamentos recebidos:\n{payments}\n\n"
        "Como reativar: um pagamento ou uma nota de crédito que deixe em atraso no máximo a tolerância reativa a "
        "conta na hora. Para reativar sem pagamento, marque a conta para nunca ser suspensa (never_suspend); para "
        "dar mais prazo antes dos próximos passos, registre uma promessa de pagamento (promise_to_pay_until).\n"
    ),
    "es": (
        "La cuenta {account} ({account_id}) fue suspendida el {when}. Responsable: {owner}.\n\n"
        "Por qué: {rule}.\nPlazo informado al cliente: {deadline} (venció sin pago).\n\n"
        "Facturas:\n{invoices}\nTotal con multa e intereses: {total}\n\n"
        "Avisos enviados:\n{notices}\n\nPagos recibidos:\n{payments}\n\n"
        "Cómo reactivar: un pago o una nota de crédito que deje en mora como máximo la tolerancia reactiva la "
        "cuenta en el acto. Para reactivar sin pago, marque la cuenta para no suspenderse nunca (never_suspend); "
        "para dar más plazo antes de los próximos pasos, registre una promesa de pago (promise_to_pay_until).\n"
    ),
    "en": (
        "Account {account} ({account_id}) was suspended on {when}. Owner: {owner}.\n\n"
        "Why: {rule}.\nDeadline named to the customer: {deadline} (it passed unpaid).\n\n"
        "Invoices:\n{invoices}\nTotal with fine and interest: {total}\n\n"
        "Notices sent:\n{notices}\n\nPayments received:\n{payments}\n\n"
        "How to reactivate: a payment or a credit note that leaves no more than the tolerance overdue reactivates "
        "the account at once. To reactivate without payment, flag the account never to be suspended "
        "(never_suspend); to give more time before the next steps, record a promise to pay "
        "(promise_to_pay_until).\n"
    ),
}

ENTRIES: dict[str, Entry] = {
    "customer.payment_reminder": Entry(
        _notice,
        {
            "pt-BR": Texts(
                subject="Lembrete: pagamento de {total} vence em {due}",
                email="Olá, {customer}!\n\nLembramos que o pagamento abaixo vence em {due}:\n\n{invoices}\n\n"
                "Total: {total}\n\nSe já pagou, desconsidere este aviso.\n",
                sms="Lembrete: {total} vence em {due}. Se ja pagou, desconsidere.",
            ),
            "es": Texts(
                subject="Recordatorio: el pago de {total} vence el {due}",
                email="¡Hola, {customer}!\n\nLe recordamos que el pago siguiente vence el {due}:\n\n{invoices}\n\n"
                "Total: {total}\n\nSi ya pagó, ignore este aviso.\n",
                sms="Recordatorio: {total} vence el {due}. Si ya pago, ignore este aviso.",
            ),
            "en": Texts(
                subject="Reminder: payment of {total} due on {due}",
                email="Hello, {customer}!\n\nA reminder that the payment below is due on {due}:\n\n{invoices}\n\n"
                "Total: {total}\n\nIf you have already paid, please disregard this notice.\n",
                sms="Reminder: {total} is due on {due}. If you have paid, please disregard.",
            ),
        },
    ),
    "customer.overdue_notice": Entry(
        _notice,
        {
            "pt-BR": Texts(
                subject="Pagamento em atraso: {total}",
                email="Olá, {customer}.\n\nNão identificamos o pagamento abaixo, vencido em {due}:\n\n{invoices}\n\n"
                "Total com multa e juros até hoje: {total}\n\nSe já pagou, desconsidere este aviso.\n",
                sms="Pagamento em atraso desde {due}: {total} com multa e juros. Se ja pagou, desconsidere.",
            ),
            "es": Texts(
                subject="Pago vencido: {total}",
                email="Hola, {customer}.\n\nNo registramos el pago siguiente, vencido el {due}:\n\n{invoices}\n\n"
                "Total con multa e intereses a hoy: {total}\n\nSi ya pagó, ignore este aviso.\n",
                sms="Pago vencido desde el {due}: {total} con multa e intereses. Si ya pago, ignore este aviso.",
            ),
            "en": Texts(
                subject="Payment overdue: {total}",
                email="Hello, {customer}.\n\nWe have not received the payment below, due on {due}:\n\n{invoices}\n\n"
                "Total with fine and interest to date: {total}\n\nIf you have already paid, please disregard.\n",
                sms="Payment overdue since {due}: {total} with fine and interest. If you have paid, disregard.",
            ),
        },
    ),
    "customer.final_warning": Entry(
        _notice,
        {
            "pt-BR": Texts(
                subject="Último aviso: pague {total} até {deadline} para evitar a suspensão",
                email="Olá, {customer}.\n\nO pagamento abaixo continua em aberto:\n\n{invoices}\n\n"
                "Pague {total} até {deadline} para evitar a suspensão do serviço. Se o pagamento não for "
                "identificado até o fim desse dia, a conta será suspensa automaticamente.\n",
                sms="Ultimo aviso: pague {total} ate {deadline} para evitar a suspensao do servico.",
            ),
            "es": Texts(
                subject="Último aviso: pague {total} hasta el {deadline} para evitar la suspensión",
                email="Hola, {customer}.\n\nEl pago siguiente sigue pendiente:\n\n{invoices}\n\n"
                "Pague {total} hasta el {deadline} para evitar la suspensión del servicio. Si el pago no se "
                "registra hasta el final de ese día, la cuenta se suspenderá automáticamente.\n",
                sms="Ultimo aviso: pague {total} hasta el {deadline} para evitar la suspension del servicio.",
            ),
            "en": Texts(
                subject="Final notice: pay {total} by {deadline} to avoid suspension",
                email="Hello, {customer}.\n\nThe payment below is still outstanding:\n\n{invoices}\n\n"
                "Pay {total} by {deadline} to avoid suspension of the service. If the payment is not received by "
                "the end of that day, the account will be suspended automatically.\n",
                sms="Final notice: pay {total} by {deadline} to avoid suspension of the service.",
            ),
        },
    ),
    "customer.suspended": Entry(
        _customer_suspended,
        {
            "pt-BR": Texts(
                subject="Serviço suspenso por falta de pagamento",
                email="Olá, {customer}.\n\nO prazo de {deadline} venceu sem pagamento e o serviço foi suspenso.\n\n"
                "{invoices}\n\nTotal com multa e juros: {total}\n\nAo pagar, a conta é reativada na hora.\n",
                sms="Servico suspenso: prazo {deadline} vencido. Pague {total} e a conta e reativada na hora.",
            ),
            "es": Texts(
                subject="Servicio suspendido por falta de pago",
                email="Hola, {customer}.\n\nEl plazo del {deadline} venció sin pago y el servicio fue suspendido.\n\n"
                "{invoices}\n\nTotal con multa e intereses: {total}\n\nAl pagar, la cuenta se reactiva en el acto.\n",
                sms="Servicio suspendido: plazo {deadline} vencido. Pague {total} y la cuenta se reactiva.",
            ),
            "en": Texts(
                subject="Service suspended for non-payment",
                email="Hello, {customer}.\n\nThe deadline of {deadline} passed unpaid and the service was suspended."
                "\n\n{invoices}\n\nTotal with fine and interest: {total}\n\nOnce paid, the account is reactivated "
                "at once.\n",
                sms="Service suspended: deadline {deadline} passed. Pay {total} to be reactivated at once.",
            ),
        },
    ),
    "account.suspended": Entry(
        _suspended,
        {
            "pt-BR": Texts(
                subject="Conta suspensa: {account} ({total})",
                email=_RECORD["pt-BR"],
                sms="Ponte: {account} suspensa. Prazo {deadline} vencido, deve {total}.",
            ),
            "es": Texts(
                subject="Cuenta suspendida: {account} ({total})",
                email=_RECORD["es"],
                sms="Ponte: {account} suspendida. Plazo {deadline} vencido, debe {total}.",
            ),
            "en": Texts(
                subject="Account suspended: {account} ({total})",
                email=_RECORD["en"],
                sms="Ponte: {account} suspended. Deadline {deadline} passed, owes {total}.",
            ),
        },
    ),
    "account.reactivated": Entry(
        _reactivated,
        {
            "pt-BR": Texts(
                subject="Conta reativada: {account}",
                email="A conta {account} ({account_id}) foi reativada em {when}. Responsável: {owner}.\n\n"
                "Situação: {status}. Em atraso: {remaining}.\n",
                sms="Ponte: {account} reativada. Em atraso: {remaining}.",
            ),
            "es": Texts(
                subject="Cuenta reactivada: {account}",
                email="La cuenta {account} ({account_id}) fue reactivada el {when}. Responsable: {owner}.\n\n"
                "Estado: {status}. En mora: {remaining}.\n",
                sms="Ponte: {account} reactivada. En mora: {remaining}.",
            ),
            "en": Texts(
                subject="Account reactivated: {account}",
                email="Account {account} ({account_id}) was reactivated on {when}. Owner: {owner}.\n\n"
                "Status: {status}. Overdue: {remaining}.\n",
                sms="Ponte: {account} reactivated. Overdue: {remaining}.",
            ),
        },
    ),
    "customer.reactivated": Entry(
        _customer_reactivated,
        {
            "pt-BR": Texts(
                subject="Serviço reativado",
                email="Olá, {customer}!\n\nRecebemos seu pagamento e o serviço foi reativado em {when}. Obrigado!\n",
                sms="Pagamento recebido: servico reativado. Obrigado!",
            ),
            "es": Texts(
                subject="Servicio reactivado",
                email="¡Hola, {customer}!\n\nRecibimos su pago y el servicio fue reactivado el {when}. ¡Gracias!\n",
                sms="Pago recibido: servicio reactivado. Gracias!",
            ),
            "en": Texts(
                subject="Service reactivated",
                email="Hello, {customer}!\n\nWe received your payment and the service was reactivated on {when}. "
                "Thank you!\n",
                sms="Payment received: service reactivated. Thank you!",
            ),
        },
    ),
    "collections.hand_off": Entry(
        _hand_off,
        {
            "pt-BR": Texts(
                subject="Para a cobrança: {account} ({total})",
                email="A conta {account} ({account_id}) passa à cobrança. Responsável: {owner}.\n\n"
                "Em atraso desde {since}:\n{invoices}\nTotal com multa e juros: {total}\n\n"
                "Avisos enviados:\n{notices}\n",
                sms="Ponte: {account} para a cobranca, {total} em atraso desde {since}.",
            ),
            "es": Texts(
                subject="A cobranza: {account} ({total})",
                email="La cuenta {account} ({account_id}) pasa a cobranza. Responsable: {owner}.\n\n"
                "En mora desde {since}:\n{invoices}\nTotal con multa e intereses: {total}\n\n"
                "Avisos enviados:\n{notices}\n",
                sms="Ponte: {account} a cobranza, {total} en mora desde {since}.",
            ),
            "en": Texts(
                subject="To collections: {account} ({total})",
                email="Account {account} ({account_id}) goes to collections. Owner: {owner}.\n\n"
                "Overdue since {since}:\n{invoices}\nTotal with fine and interest: {total}\n\n"
                "Notices sent:\n{notices}\n",
                sms="Ponte: {account} to collections, {total} overdue since {since}.",
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
    "collections.digest": Entry(
        _digest,
        {
            "pt-BR": Texts(
                subject="Cobrança em {day}: {count} conta(s) em atraso, {total}",
                email="Carteira em atraso em {day}: {count} conta(s), {total}.\n\n"
                "Por dias de atraso:\n{buckets}\n\nSuspensas desde o último resumo ({suspended_count}):\n"
                "{suspended}\n\nPrazos nos próximos três dias ({deadline_count}):\n{deadlines}\n",
                sms="Ponte: {count} conta(s) em atraso, {total}; {suspended_count} suspensa(s); "
                "{deadline_count} prazo(s) em 3 dias.",
            ),
            "es": Texts(
                subject="Cobranza al {day}: {count} cuenta(s) en mora, {total}",
                email="Cartera en mora al {day}: {count} cuenta(s), {total}.\n\n"
                "Por días de atraso:\n{buckets}\n\nSuspendidas desde el último resumen ({suspended_count}):\n"
                "{suspended}\n\nPlazos en los próximos tres días ({deadline_count}):\n{deadlines}\n",
                sms="Ponte: {count} cuenta(s) en mora, {total}; {suspended_count} suspendida(s); "
                "{deadline_count} plazo(s) en 3 dias.",
            ),
            "en": Texts(
                subject="Collections on {day}: {count} account(s) overdue, {total}",
                email="Overdue book on {day}: {count} account(s), {total}.\n\n"
                "By days late:\n{buckets}\n\nSuspended since the last digest ({suspended_count}):\n{suspended}\n\n"
                "Deadlines in the next three days ({deadline_count}):\n{deadlines}\n",
                sms="Ponte: {count} account(s) overdue, {total}; {suspended_count} suspended; "
                "{deadline_count} deadline(s) in 3 days.",
            ),
        },
    ),
}
