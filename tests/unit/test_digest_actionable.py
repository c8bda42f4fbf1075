"""The digest collections can act on, with in-memory fakes: per age bucket the accounts (name, owner, amount, days
late), the day's suspensions, the deadlines of the next three business days, the promises due, the customers no
notice reaches; the e-mail in each locale lists the first accounts of each list and says how many more, the SMS
stays one GSM-7 segment."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest

from ponte.domain.accounts import AccountStatus, HoldKind, Locale, StaffHold
from ponte.domain.bodies.collections import AgeBucket, CollectionsDigest, DigestAccount
from ponte.domain.dunning import SentNotice
from ponte.domain.ledger import DeliveryStatus, Ledger
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification
from ponte.domain.policy import default_policy
from ponte.messages import render
from ponte.messages.text import SMS_SEPTETS, septets, to_gsm
from ponte.services.digest import TOP, collections_digest
from ponte.services.staff_delivery import staff_names
from tests.collections_support import TZ, account, invoice, local, payment
from tests.memory_store import MemoryLedgerStore
from tests.staff_support import directory

# Thursday 26 November 2026. Brazilian business days: Friday 27, Monday 30, Tuesday 1 December are the next three;
# the previous business day is Wednesday 25 (and Friday 20 November is a national holiday).
TODAY = date(2026, 11, 26)
HOLIDAYS = frozenset({date(2026, 11, 20), date(2026, 12, 25)})
OWNERS = {"ana": "Ana Souza", "bia": "Bia Ramos"}


@dataclass(frozen=True)
class Entry:
    account_id: str
    suspended_at: datetime | None = None


class Book:
    def __init__(self, *entries: Entry) -> None:
        self.listed = {e.account_id: e for e in entries}
        self.published: dict[str, Notification] = {}

    def entries(self) -> list[Entry]:
        return list(self.listed.values())

    def drop(self, account_id: str) -> None:
        self.listed.pop(account_id, None)

    def keep(self, account_id: str, status: AccountStatus, suspended_at: datetime | None, **listing: object) -> None:
        raise AssertionError("the digest only reads the book")

    def publish(self, notification: Notification, recorded_at: datetime, *, business_wide: bool = False) -> bool:
        if notification.notification_id in self.published:
            return False
        self.published[notification.notification_id] = notification
        return True


def owing(account_id: str, name: str, due: date, cents: int, *, owner: str = "ana", **extra: Any) -> Ledger:
    return Ledger(
        account=account(account_id, status=extra.pop("status", AccountStatus.OVERDUE), name=name, owner=owner, **extra),
        invoices=(invoice(f"NF-{account_id}", due, cents),),
    )


def digest_of(*ledgers: Ledger, suspended: dict[str, datetime] | None = None, day: date = TODAY) -> CollectionsDigest:
    suspended = suspended or {}
    book = Book(*(Entry(ledger.account.account_id, suspended.get(ledger.account.account_id)) for ledger in ledgers))
    note = collections_digest(
        book,
        MemoryLedgerStore(*ledgers),
        book,
        now=local(day, 8, 30),
        policy=default_policy(),
        time_zone=TZ,
        holidays=HOLIDAYS,
        staff_locale="pt-BR",
        owners=OWNERS,
    )
    assert note is not None
    assert isinstance(note.body, CollectionsDigest)
    return note.body


def names(accounts: tuple[DigestAccount, ...]) -> list[str]:
    return [a.account_name for a in accounts]


def promise(until: date, amount: int | None = None, set_at: datetime | None = None) -> StaffHold:
    return StaffHold(
        kind=HoldKind.PROMISE_TO_PAY,
        until=until,
        set_by="sub-ana",
        set_by_name="Ana Souza",
        set_at=set_at or local(date(2026, 11, 16), 10),
        reason="vai pagar na sexta",
        amount=Money(amount=amount, currency="BRL") if amount is not None else None,
    )


def test_each_bucket_lists_its_accounts_most_owed_first_with_owner_amount_and_days_late() -> None:
    body = digest_of(
        owing("a", "Mercado Sol", date(2026, 11, 20), 40_000),  # 6 days late
        owing("b", "Padaria Estrela", date(2026, 11, 16), 150_000, owner="bia"),  # 10 days late
        owing("c", "Bar Lua", date(2026, 10, 2), 90_000, owner="caio"),  # 55: the directory does not know Caio
        owing("d", "Café Norte", date(2026, 8, 1), 30_000),  # 117
    )
    first, second, third, fourth = body.buckets
    assert names(first.listed) == ["Padaria Estrela", "Mercado Sol"]
    assert first.accounts == 2 and first.owed == (Money(amount=190_000, currency="BRL"),)
    padaria = first.listed[0]
    assert (padaria.owner, padaria.owner_name, padaria.days_late) == ("bia", "Bia Ramos", 10)
    assert padaria.owed == (Money(amount=150_000, currency="BRL"),)
    assert second.accounts == 0 and second.listed == ()
    assert [(a.account_name, a.owner, a.owner_name, a.days_late) for a in third.listed] == [
        ("Bar Lua", "caio", None, 55)
    ]
    assert names(fourth.listed) == ["Café Norte"] and fourth.listed[0].days_late == 117
    assert body.accounts_overdue == 4 and body.totals == (Money(amount=310_000, currency="BRL"),)


def test_a_list_carries_its_first_accounts_and_how_many_it_has() -> None:
    many = [owing(f"acc-{n:02d}", f"Cliente {n:02d}", date(2026, 11, 20), 10_000 + n) for n in range(TOP + 3)]
    body = digest_of(*many)
    bucket = body.buckets[0]
    assert bucket.accounts == TOP + 3 and len(bucket.listed) == TOP
    assert bucket.listed[0].account_name == f"Cliente {TOP + 2:02d}"  # the most owed first


def test_suspensions_since_the_last_digest_and_deadlines_of_the_next_three_business_days() -> None:
    warned = owing("warned", "Padaria Estrela", date(2026, 11, 9), 150_000).model_copy(
        update={
            "notices": (
                SentNotice(
                    step_id="final-warning",
                    sent_at=local(date(2026, 11, 24), 9),
                    channel="email",
                    deadline=date(2026, 11, 30),  # two business days from Thursday
                ),
            )
        }
    )
    later = owing("later", "Mercado Sol", date(2026, 11, 12), 80_000)  # its deadline: 3 December, the fourth
    cut = owing("cut", "Bar Lua", date(2026, 10, 1), 60_000, status=AccountStatus.SUSPENDED)
    old = owing("old", "Café Norte", date(2026, 10, 1), 60_000, status=AccountStatus.SUSPENDED)
    body = digest_of(
        warned,
        later,
        cut,
        old,
        suspended={"cut": local(TODAY, 8), "old": local(date(2026, 11, 25), 8)},  # before yesterday's digest
    )
    assert [(a.account_name, a.on) for a in body.deadlines] == [("Padaria Estrela", date(2026, 11, 30))]
    assert body.deadline_count == 1
    assert [(a.account_name, a.on, a.days_late) for a in body.suspended] == [("Bar Lua", TODAY, 56)]
    assert body.suspended_count == 1


def test_promises_due_today_or_lapsed_since_the_last_digest_unless_kept() -> None:
    due = owing("due", "Mercado Sol", date(2026, 11, 2), 40_000, holds=(promise(TODAY, 40_000),))
    lapsed = owing("lapsed", "Padaria Estrela", date(2026, 11, 2), 50_000, holds=(promise(date(2026, 11, 25)),))
    long_ago = owing("long-ago", "Bar Lua", date(2026, 11, 2), 50_000, holds=(promise(date(2026, 11, 18)),))
    by_hand = owing("by-hand", "Café Norte", date(2026, 11, 2), 20_000, promise_to_pay_until=TODAY)
    kept = Ledger(
        account=account("kept", status=AccountStatus.OVERDUE, name="Loja Azul", holds=(promise(TODAY, 10_000),)),
        invoices=(invoice("NF-1", date(2026, 11, 2), 10_000), invoice("NF-2", date(2026, 11, 3), 30_000)),
        payments=(payment("pix-1", 10_000, local(date(2026, 11, 20)), "NF-1"),),
    )
    body = digest_of(due, lapsed, long_ago, by_hand, kept)
    assert [(a.account_name, a.on, a.promised) for a in body.promises] == [
        ("Padaria Estrela", date(2026, 11, 25), None),
        ("Mercado Sol", TODAY, Money(amount=40_000, currency="BRL")),
        ("Café Norte", TODAY, None),
    ]


def test_customers_no_notice_reaches() -> None:
    def notified(account_id: str, name: str, outcomes: dict[str, str], **contact: Any) -> Ledger:
        ledger = owing(account_id, name, date(2026, 11, 2), 30_000, **contact)
        sent_at = local(date(2026, 11, 24), 9)
        return ledger.model_copy(
            update={
                "notices": tuple(
                    SentNotice(step_id="final-warning", sent_at=sent_at, channel=c, notice_id=f"n-{account_id}")
                    for c in outcomes
                ),
                "deliveries": tuple(
                    DeliveryStatus(notice_id=f"n-{account_id}", channel=c, status=s) for c, s in outcomes.items()
                ),
            }
        )

    body = digest_of(
        notified("bounced", "Oficina Sul", {"email": "bounced", "sms": "refused"}),
        notified("by-sms", "Mercado Sol", {"email": "bounced", "sms": "accepted"}),  # the SMS reached them
        notified("pending", "Bar Lua", {"email": "bounced", "sms": ""}),  # the SMS not reported yet
        owing("nothing", "Quiosque", date(2026, 11, 2), 10_000, email=None, phone=None),
    )
    assert [(a.account_name, a.unreached) for a in body.unreachable] == [
        ("Oficina Sul", {"email": "bounced", "sms": "refused"}),
        ("Quiosque", {}),
    ]
    assert body.unreachable[0].on == date(2026, 11, 24)


def test_a_customer_no_notice_reaches_is_listed_as_unreachable_not_under_the_deadlines() -> None:
    """The engine does not suspend on the deadline of a final warning that reached no one (it sends a new one with
    a new deadline), nor a customer with no address: the digest lists them once, as unreachable."""

    def warned(account_id: str, name: str, outcomes: dict[str, str], **contact: Any) -> Ledger:
        ledger = owing(account_id, name, date(2026, 11, 9), 30_000, **contact)
        notices = tuple(
            SentNotice(
                step_id="final-warning",
                sent_at=local(date(2026, 11, 24), 9),
                channel=channel,
                notice_id=f"n-{account_id}",
                deadline=date(2026, 11, 30),
            )
            for channel in outcomes
        )
        evidence = tuple(DeliveryStatus(notice_id=f"n-{account_id}", channel=c, status=s) for c, s in outcomes.items())
        return ledger.model_copy(update={"notices": notices, "deliveries": evidence})

    body = digest_of(
        warned("bounced", "Oficina Sul", {"email": "bounced", "sms": "refused"}),
        warned("reached", "Mercado Sol", {"email": "delivered"}),
        owing("nothing", "Quiosque", date(2026, 11, 9), 10_000, email=None, phone=None),
    )
    assert [(a.account_name, a.on) for a in body.deadlines] == [("Mercado Sol", date(2026, 11, 30))]
    assert body.deadline_count == 1
    assert names(body.unreachable) == ["Oficina Sul", "Quiosque"]


def test_owner_names_come_from_the_directory_when_there_is_one() -> None:
    assert staff_names(directory)["ana"] == "Ana Souza"
    assert staff_names(lambda: None) == {}


def actionable() -> CollectionsDigest:
    """A busy day: 13 accounts 1-15 days late (3 more than the e-mail lists), and some in each other list."""
    many = [owing(f"acc-{n:02d}", f"Cliente {n:02d}", date(2026, 11, 20), 10_000 + n) for n in range(TOP + 3)]
    warned = owing("warned", "Padaria Estrela", date(2026, 11, 9), 150_000).model_copy(
        update={
            "notices": (
                SentNotice(
                    step_id="final-warning",
                    sent_at=local(date(2026, 11, 24), 9),
                    channel="email",
                    deadline=date(2026, 11, 30),
                ),
            )
        }
    )
    return digest_of(
        *many,
        warned,
        owing("cut", "Bar Lua", date(2026, 10, 1), 60_000, status=AccountStatus.SUSPENDED),
        owing("due", "Mercado Sol", date(2026, 11, 2), 40_000, holds=(promise(TODAY, 40_000),)),
        owing("nothing", "Quiosque", date(2026, 8, 2), 10_000, email=None, phone=None, owner="bia"),
        suspended={"cut": local(TODAY, 8)},
    )


def rendered(body: CollectionsDigest, locale: Locale) -> tuple[str, str, str]:
    note = Notification(
        notification_id="digest",
        audience=Audience.STAFF,
        account_id="",
        locale=locale,
        occurred_at=local(TODAY, 8, 30),
        body=body,
    )
    message = render(note, time_zone=TZ)
    return message.subject, message.email, message.sms


EXPECTED: dict[Locale, list[str]] = {
    "pt-BR": [
        "Carteira em atraso em 26/11/2026: 17 contas, R$ 3.900,78.",
        "De 1 a 15 dias de atraso: 13 contas, R$ 1.300,78",
        "- Cliente 12: R$ 100,12, 6 dias de atraso; responsável: Ana Souza",
        "e mais 3 contas",
        "De 16 a 30 dias de atraso: 2 contas, R$ 1.900,00",
        "- Padaria Estrela: R$ 1.500,00, 17 dias de atraso; responsável: Ana Souza",
        "Suspensas desde o último resumo: 1 conta\n"
        "- Bar Lua: R$ 600,00, 56 dias de atraso; responsável: Ana Souza; suspensa em 26/11/2026",
        "Prazos de suspensão nos próximos três dias úteis: 2 contas\n"
        "- Padaria Estrela: R$ 1.500,00, 17 dias de atraso; responsável: Ana Souza; prazo: 30/11/2026",
        "Promessas de pagamento que vencem hoje ou venceram: 1 conta\n"
        "- Mercado Sol: R$ 400,00, 24 dias de atraso; responsável: Ana Souza; promessa de R$ 400,00 até "
        "26/11/2026 (vence hoje)",
        "- Quiosque: R$ 100,00, 116 dias de atraso; responsável: Bia Ramos; sem e-mail nem telefone",
    ],
    "es": [
        "Cartera en mora al 26 nov 2026: 17 cuentas, 3.900,78 BRL.",
        "y 3 cuentas más",
        "- Bar Lua: 600,00 BRL, 56 días de atraso; responsable: Ana Souza; suspendida el 26 nov 2026",
        "- Padaria Estrela: 1.500,00 BRL, 17 días de atraso; responsable: Ana Souza; plazo: 30 nov 2026",
        "promesa de 400,00 BRL hasta el 26 nov 2026 (vence hoy)",
        "- Quiosque: 100,00 BRL, 116 días de atraso; responsable: Bia Ramos; sin correo ni teléfono",
    ],
    "en": [
        "Overdue book on 26 Nov 2026: 17 accounts, R$3,900.78.",
        "and 3 more accounts",
        "- Bar Lua: R$600.00, 56 days late; owner: Ana Souza; suspended on 26 Nov 2026",
        "- Padaria Estrela: R$1,500.00, 17 days late; owner: Ana Souza; deadline: 30 Nov 2026",
        "promised R$400.00 by 26 Nov 2026 (due today)",
        "- Quiosque: R$100.00, 116 days late; owner: Bia Ramos; no e-mail or phone",
    ],
}
SMS: dict[Locale, str] = {
    "pt-BR": "Ponte: 17 contas em atraso, R$ 3.900,78; 1 suspensa; 2 prazos em 3 dias uteis; 1 promessa a cobrar; "
    "1 cliente sem contato.",
    "es": "Ponte: 17 cuentas en mora, 3.900,78 BRL; 1 suspendida; 2 plazos en 3 dias habiles; 1 promesa por cobrar; "
    "1 cliente sin contacto.",
    "en": "Ponte: 17 accounts overdue, R$3,900.78; 1 suspended; 2 deadlines in 3 business days; 1 promise due; "
    "1 customer unreachable.",
}


@pytest.mark.parametrize("locale", ["pt-BR", "es", "en"])
def test_the_email_names_the_accounts_to_act_on_and_the_sms_counts_them(locale: Locale) -> None:
    subject, email, sms = rendered(actionable(), locale)
    for expected in EXPECTED[locale]:
        assert expected.replace("\xa0", " ") in email.replace("\xa0", " "), expected
    # Ten of the first bucket, 2 + 1 + 1 in the others; one suspension, two deadlines (the engine plans Mercado Sol's
    # final warning for tomorrow, naming Monday; Quiosque, with no address, is listed as unreachable instead), one
    # promise, one customer unreachable.
    assert email.count("\n- ") == TOP + 2 + 1 + 1 + 1 + 2 + 1 + 1
    assert sms == SMS[locale] and septets(sms) <= SMS_SEPTETS and to_gsm(sms) == sms
    assert "17" in subject


@pytest.mark.parametrize("locale", ["pt-BR", "es", "en"])
def test_the_texts_carry_no_internal_keys_and_no_ambiguous_dates(locale: Locale) -> None:
    subject, email, sms = rendered(actionable(), locale)
    for text in (subject, email, sms):
        assert "(s)" not in text and "_" not in text and "{" not in text
        assert "acc-" not in text and "warned" not in text  # account ids stay in the machine payload
        assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2}\b", text)  # a year is written in full
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)


def test_a_quiet_day_says_so() -> None:
    subject, email, sms = rendered(digest_of(), "pt-BR")
    assert subject == "Cobranca em 26/11/2026: nenhuma conta em atraso"
    assert email.startswith("Carteira em atraso em 26/11/2026: nenhuma conta.\n")
    assert "Suspensas desde o último resumo: nenhuma conta" in email
    assert sms == "Ponte: nenhuma conta em atraso."


def test_the_sms_drops_the_amount_then_the_last_counts_rather_than_be_cut() -> None:
    currencies = ("BRL", "USD", "EUR", "ARS", "CLP", "MXN", "COP", "PEN", "UYU", "PYG")
    totals = tuple(Money(amount=123_456_789, currency=c) for c in currencies)
    many = DigestAccount(account_id="x", account_name="X", owed=totals[:1], on=TODAY)
    body = CollectionsDigest(
        day=TODAY,
        accounts_overdue=1234,
        totals=totals,
        buckets=(AgeBucket(from_days=1, to_days=15, accounts=1234, amounts=totals),),
        suspended=(many,),
        suspended_count=321,
        deadlines=(many,),
        deadline_count=456,
        promises=(many,),
        promise_count=789,
        unreachable=(many,),
        unreachable_count=1011,
    )
    locales: tuple[Locale, ...] = ("pt-BR", "es", "en")
    for locale in locales:
        _, _, sms = rendered(body, locale)
        assert septets(sms) <= SMS_SEPTETS and not sms.endswith("...")
        assert "1.234" in sms or "1,234" in sms
        assert "321" in sms


def test_a_digest_written_before_the_lists_were_cut_reads_whole() -> None:
    late = DigestAccount(account_id="padaria", account_name="Padaria São João", owed=(Money.zero("BRL"),), on=TODAY)
    body = CollectionsDigest(
        day=TODAY,
        accounts_overdue=1,
        totals=(Money(amount=100, currency="BRL"),),
        buckets=(AgeBucket(from_days=1, to_days=15, accounts=1, amounts=(Money(amount=100, currency="BRL"),)),),
        suspended=(late, late),
    )
    _, email, sms = rendered(body, "en")
    assert "Suspended since the last digest: 2 accounts\n- Padaria São João" in email
    assert "more account" not in email
    assert "2 suspended" in sms
