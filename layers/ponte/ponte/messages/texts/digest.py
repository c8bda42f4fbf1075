"""Texts of the daily collections digest (`collections.digest`, built by `ponte.services.digest`).

The e-mail tells, in the order collections works through them: the overdue book by days late, each bucket with its
accounts (name, what is overdue, days late, owner); the suspensions since the last digest; the suspension deadlines
of the next three business days; the promises to pay due today or lapsed; the customers no notice reaches. Each
list shows the accounts the body carries (its first) and says how many more there are. The SMS is one GSM-7
segment: what is overdue, then the counts that need someone today; when they do not fit, the amount goes first,
then the last counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.collections import CollectionsDigest
from ponte.messages.catalog import Entry, Texts
from ponte.messages.text import SMS_SEPTETS, septets, to_gsm
from ponte.messages.texts.collections import channel_word, days_late, outcome_word

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from ponte.domain.accounts import Locale
    from ponte.domain.bodies.collections import AgeBucket, DigestAccount
    from ponte.domain.money import Money
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter

_WORDS: dict[str, dict[Locale, str]] = {
    "bucket": {
        "pt-BR": "De {low} a {high} dias de atraso",
        "es": "De {low} a {high} días de atraso",
        "en": "{low} to {high} days late",
    },
    "bucket_open": {
        "pt-BR": "{low} dias de atraso ou mais",
        "es": "{low} días de atraso o más",
        "en": "{low} or more days late",
    },
    "suspended": {
        "pt-BR": "Suspensas desde o último resumo",
        "es": "Suspendidas desde el último resumen",
        "en": "Suspended since the last digest",
    },
    "deadlines": {
        "pt-BR": "Prazos de suspensão nos próximos três dias úteis",
        "es": "Plazos de suspensión en los próximos tres días hábiles",
        "en": "Suspension deadlines in the next three business days",
    },
    "promises": {
        "pt-BR": "Promessas de pagamento que vencem hoje ou venceram",
        "es": "Promesas de pago que vencen hoy o vencieron",
        "en": "Promises to pay due today or lapsed",
    },
    "unreachable": {
        "pt-BR": "Clientes que os avisos não alcançam",
        "es": "Clientes a quienes los avisos no llegan",
        "en": "Customers no notice reaches",
    },
    "owner": {"pt-BR": "responsável: {name}", "es": "responsable: {name}", "en": "owner: {name}"},
    "nobody": {"pt-BR": "sem responsável", "es": "sin responsable", "en": "no owner"},
    "suspended_on": {"pt-BR": "suspensa em {on}", "es": "suspendida el {on}", "en": "suspended on {on}"},
    "deadline_on": {"pt-BR": "prazo: {on}", "es": "plazo: {on}", "en": "deadline: {on}"},
    "promise": {"pt-BR": "promessa até {on}", "es": "promesa hasta el {on}", "en": "promised by {on}"},
    "promise_of": {
        "pt-BR": "promessa de {amount} até {on}",
        "es": "promesa de {amount} hasta el {on}",
        "en": "promised {amount} by {on}",
    },
    "due_today": {"pt-BR": "vence hoje", "es": "vence hoy", "en": "due today"},
    "lapsed": {"pt-BR": "vencida sem pagamento", "es": "vencida sin pago", "en": "lapsed unpaid"},
    "last_notice": {
        "pt-BR": "último aviso em {on}: {outcomes}",
        "es": "último aviso el {on}: {outcomes}",
        "en": "last notice on {on}: {outcomes}",
    },
    "no_contact": {"pt-BR": "sem e-mail nem telefone", "es": "sin correo ni teléfono", "en": "no e-mail or phone"},
    "nothing": {"pt-BR": "nenhuma conta", "es": "ninguna cuenta", "en": "no accounts"},
    "none": {"pt-BR": "nenhum", "es": "ninguno", "en": "none"},
    "headline": {"pt-BR": "{accounts} em atraso", "es": "{accounts} en mora", "en": "{accounts} overdue"},
}
# When a channel's send reached no one and its outcome has no words (`ponte.domain.dunning.FAILED_FOR_GOOD`).
_UNDELIVERED: dict[Locale, str] = {"pt-BR": "não entregue", "es": "no entregado", "en": "not delivered"}
# Counted nouns, by CLDR plural category (Formatter.count).
_COUNTED: dict[str, dict[Locale, dict[str, str]]] = {
    "accounts": {
        "pt-BR": {"one": "{n} conta", "other": "{n} contas"},
        "es": {"one": "{n} cuenta", "other": "{n} cuentas"},
        "en": {"one": "{n} account", "other": "{n} accounts"},
    },
    "more": {
        "pt-BR": {"one": "e mais {n} conta", "other": "e mais {n} contas"},
        "es": {"one": "y {n} cuenta más", "other": "y {n} cuentas más"},
        "en": {"one": "and {n} more account", "other": "and {n} more accounts"},
    },
    # The SMS's counts: ASCII, as GSM-7 carries them.
    "sms_suspended": {
        "pt-BR": {"one": "{n} suspensa", "other": "{n} suspensas"},
        "es": {"one": "{n} suspendida", "other": "{n} suspendidas"},
        "en": {"one": "{n} suspended", "other": "{n} suspended"},
    },
    "sms_deadlines": {
        "pt-BR": {"one": "{n} prazo em 3 dias uteis", "other": "{n} prazos em 3 dias uteis"},
        "es": {"one": "{n} plazo en 3 dias habiles", "other": "{n} plazos en 3 dias habiles"},
        "en": {"one": "{n} deadline in 3 business days", "other": "{n} deadlines in 3 business days"},
    },
    "sms_promises": {
        "pt-BR": {"one": "{n} promessa a cobrar", "other": "{n} promessas a cobrar"},
        "es": {"one": "{n} promesa por cobrar", "other": "{n} promesas por cobrar"},
        "en": {"one": "{n} promise due", "other": "{n} promises due"},
    },
    "sms_unreachable": {
        "pt-BR": {"one": "{n} cliente sem contato", "other": "{n} clientes sem contato"},
        "es": {"one": "{n} cliente sin contacto", "other": "{n} clientes sin contacto"},
        "en": {"one": "{n} customer unreachable", "other": "{n} customers unreachable"},
    },
}


def _word(name: str, fmt: Formatter) -> str:
    return _WORDS[name][fmt.locale]


def _counted(name: str, number: int, fmt: Formatter) -> str:
    return fmt.count(number, _COUNTED[name][fmt.locale])


def _accounts(number: int, fmt: Formatter) -> str:
    return _counted("accounts", number, fmt) if number else _word("nothing", fmt)


def _amounts(amounts: Iterable[Money], fmt: Formatter) -> str:
    return " + ".join(fmt.money(amount) for amount in amounts) or _word("none", fmt)


def _owner(account: DigestAccount, fmt: Formatter) -> str:
    name = account.owner_name or account.owner
    return _word("owner", fmt).format(name=name) if name else _word("nobody", fmt)


def _line(account: DigestAccount, fmt: Formatter, detail: str = "") -> str:
    """`- Padaria Estrela: R$ 1.500,00, 22 dias de atraso; responsável: Ana Souza` and what the list is about."""
    owed = _amounts(account.owed, fmt)
    late = f", {days_late(account.days_late, fmt)}" if account.days_late else ""
    return f"- {account.account_name}: {owed}{late}; {_owner(account, fmt)}" + (f"; {detail}" if detail else "")


def _section(
    title: str, accounts: tuple[DigestAccount, ...], count: int | None, lines: list[str], fmt: Formatter
) -> str:
    """A title with how many accounts, the lines of those the body carries, and how many more there are."""
    total = len(accounts) if count is None else count
    more = total - len(accounts)
    tail = [_counted("more", more, fmt)] if more > 0 and accounts else []
    return "\n".join([f"{title}: {_accounts(total, fmt)}", *lines, *tail])


def _bucket(bucket: AgeBucket, fmt: Formatter) -> str:
    low, high = bucket.from_days, bucket.to_days
    title = _word("bucket" if high is not None else "bucket_open", fmt).format(low=low, high=high)
    owed = bucket.owed or bucket.amounts
    heading = f"{title}: {_accounts(bucket.accounts, fmt)}" + (f", {_amounts(owed, fmt)}" if bucket.accounts else "")
    more = bucket.accounts - len(bucket.listed)
    tail = [_counted("more", more, fmt)] if more > 0 and bucket.listed else []
    return "\n".join([heading, *(_line(a, fmt) for a in bucket.listed), *tail])


def _promise(account: DigestAccount, day: date, fmt: Formatter) -> str:
    on = fmt.date(account.on)
    if account.promised is not None:
        promise = _word("promise_of", fmt).format(amount=fmt.money(account.promised), on=on)
    else:
        promise = _word("promise", fmt).format(on=on)
    return f"{promise} ({_word('due_today' if account.on == day else 'lapsed', fmt)})"


def _unreached(account: DigestAccount, fmt: Formatter) -> str:
    if not account.unreached:
        return _word("no_contact", fmt)
    outcomes = ", ".join(
        f"{channel_word(channel, fmt)} {outcome_word(status, fmt) or _UNDELIVERED[fmt.locale]}"
        for channel, status in account.unreached.items()
    )
    return _word("last_notice", fmt).format(on=fmt.date(account.on), outcomes=outcomes)


def _sms(body: CollectionsDigest, fmt: Formatter) -> str:
    """What is overdue and the counts that need someone today, in one GSM-7 segment: without the amount, then
    without the last counts, when they would not fit."""
    head = "Ponte: " + _headline(body, fmt)
    counts = [
        _counted(name, number, fmt)
        for name, number in (
            ("sms_suspended", _total(body.suspended, body.suspended_count)),
            ("sms_deadlines", _total(body.deadlines, body.deadline_count)),
            ("sms_promises", _total(body.promises, body.promise_count)),
            ("sms_unreachable", _total(body.unreachable, body.unreachable_count)),
        )
        if number
    ]
    heads = [f"{head}, {_amounts(body.totals, fmt)}", head] if body.totals else [head]
    for first in heads:
        for kept in range(len(counts), -1, -1):
            text = "; ".join([first, *counts[:kept]]) + "."
            if septets(" ".join(to_gsm(text).split())) <= SMS_SEPTETS:
                return text
    return head + "."


def _headline(body: CollectionsDigest, fmt: Formatter) -> str:
    return _word("headline", fmt).format(accounts=_accounts(body.accounts_overdue, fmt))


def _total(listed: tuple[DigestAccount, ...], count: int | None) -> int:
    return len(listed) if count is None else count


def _digest(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CollectionsDigest)
    day = body.day
    sections = [
        _section(
            _word("suspended", fmt),
            body.suspended,
            body.suspended_count,
            [_line(a, fmt, _word("suspended_on", fmt).format(on=fmt.date(a.on))) for a in body.suspended],
            fmt,
        ),
        _section(
            _word("deadlines", fmt),
            body.deadlines,
            body.deadline_count,
            [_line(a, fmt, _word("deadline_on", fmt).format(on=fmt.date(a.on))) for a in body.deadlines],
            fmt,
        ),
        _section(
            _word("promises", fmt),
            body.promises,
            body.promise_count,
            [_line(a, fmt, _promise(a, day, fmt)) for a in body.promises],
            fmt,
        ),
        _section(
            _word("unreachable", fmt),
            body.unreachable,
            body.unreachable_count,
            [_line(a, fmt, _unreached(a, fmt)) for a in body.unreachable],
            fmt,
        ),
    ]
    overview = _accounts(body.accounts_overdue, fmt)
    total = f", {_amounts(body.totals, fmt)}" if body.accounts_overdue else ""
    return {
        "day": fmt.date(day),
        "headline": _headline(body, fmt) + total,
        "overview": overview + total,
        "buckets": "\n\n".join(_bucket(b, fmt) for b in body.buckets) or _word("nothing", fmt),
        "sections": "\n\n".join(sections),
        "sms_text": _sms(body, fmt),
    }


ENTRIES: dict[str, Entry] = {
    "collections.digest": Entry(
        _digest,
        {
            "pt-BR": Texts(
                subject="Cobrança em {day}: {headline}",
                email="Carteira em atraso em {day}: {overview}.\n\n"
                "Por dias de atraso da fatura mais antiga de cada conta:\n\n{buckets}\n\n{sections}\n",
                sms="{sms_text}",
            ),
            "es": Texts(
                subject="Cobranza al {day}: {headline}",
                email="Cartera en mora al {day}: {overview}.\n\n"
                "Por días de atraso de la factura más antigua de cada cuenta:\n\n{buckets}\n\n{sections}\n",
                sms="{sms_text}",
            ),
            "en": Texts(
                subject="Collections on {day}: {headline}",
                email="Overdue book on {day}: {overview}.\n\n"
                "By days late of each account's oldest overdue invoice:\n\n{buckets}\n\n{sections}\n",
                sms="{sms_text}",
            ),
        },
    ),
}
