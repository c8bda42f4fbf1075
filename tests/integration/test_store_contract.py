"""The store's contract: each case runs against the in-memory store the unit tests use
(`tests.memory_store.MemoryLedgerStore`) and against the DynamoDB store on the local stack's table. A case that
passes on one and fails on the other is a place where the unit tests see something the table does not do.

What the use cases rely on: an absent account reads as None; a change is written whole or not at all; a dedup key,
an outbox item and an acknowledgement are written once; a change computed from a stale version, or claiming a
reference another account holds, is a conflict; the ledger's records come back as written, one per key, in key
order; a merged account leads to its survivor; the staff plane's reads (the account's records, its history page by
page, the audit of a read, accounts by id and by the start of their name) page and order as the table does.
"""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ponte.adapters.delivery_records import DeliveryRecords
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import (
    Account,
    AccountStatus,
    AccountSummary,
    Acknowledgement,
    TimelineEntry,
    next_version,
)
from ponte.domain.bodies.accounts import AccountOpened
from ponte.domain.changes import AccountChange, Merge
from ponte.domain.dunning import SentNotice
from ponte.domain.errors import ConcurrentModification, DuplicateEvent, InvalidInput
from ponte.domain.ledger import (
    CancellationRecord,
    DeliveryStatus,
    Ledger,
    LedgerHead,
    LedgerSummary,
    PaymentAlreadyRecorded,
    PaymentRecord,
    WriteOffRecord,
)
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, Severity, Team
from ponte.services.delivery import Receipt
from tests.collections_support import account, invoice
from tests.memory_store import ItemRefused, MemoryLedgerStore
from tests.support import T0

Store = MemoryLedgerStore | DynamoStore


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return MemoryLedgerStore()
    stack = request.getfixturevalue("stack")  # the shared local stack, put back as built for each case
    return DynamoStore(stack.physical_id("Table"))


def entry(account_id: str, what: str, at: Any = T0) -> TimelineEntry:
    return TimelineEntry(account_id=account_id, at=at, what=what, why=f"because {what}", source="contract")


def alert(account_id: str, name: str, at: Any = T0, severity: Severity = Severity.INFO) -> Notification:
    """A staff alert whose notification id is `name`."""
    opened = account(account_id)
    return Notification(
        notification_id=name,
        audience=Audience.STAFF,
        severity=severity,
        team=Team.SALES,
        account_id=account_id,
        owner="ana",
        locale="pt-BR",
        occurred_at=at,
        body=AccountOpened(account_name=opened.name, contact=opened.contact, owner="ana"),
    )


def change(state: Account, **fields: Any) -> AccountChange:
    """A change writing `state`, computed from the version before it (none: a new account)."""
    expected = None if state.version == 0 else state.version - 1
    return AccountChange(account=state, recorded_at=T0, expected_version=expected, **fields)


def opened(store: Store, account_id: str = "padaria", **fields: Any) -> Account:
    """A new account written with its opening entry, one staff alert and a dedup key."""
    new = account(account_id, **fields)
    store.commit(
        change(
            new,
            timeline=(entry(account_id, "account.opened"),),
            notifications=(alert(account_id, f"{account_id}-opened"),),
            dedup_key=f"open:{account_id}",
            references=new.references,
        )
    )
    return new


def history(store: Store, account_id: str = "padaria") -> list[str]:
    return [e.what for e in store.timeline_page(account_id, None, 200).entries]


def alerts(store: Store, account_id: str = "padaria") -> list[str]:
    records = store.account_records(account_id)
    assert records is not None
    return [a.notification_id for a in records.alerts]


def ledger_of(store: Store, account_id: str = "padaria") -> Ledger:
    ledger = store.load_ledger(account_id)
    assert ledger is not None
    return ledger


# ------------------------------------------------------------------ writing a change


def test_an_account_never_written_reads_as_absent(store: Store) -> None:
    assert store.get_account("nobody") is None
    assert store.load_ledger("nobody") is None
    assert store.account_records("nobody") is None
    assert store.accounts(["nobody"]) == []
    assert store.owners_of([("tax_id", "12345678000195")]) == {}
    page = store.timeline_page("nobody", None, 10)
    assert (page.entries, page.cursor) == ((), None)
    assert store.search_names("padaria", limit=10) == ([], None)


def test_a_new_account_is_written_with_its_history_and_its_outbox(store: Store) -> None:
    new = opened(store, references=(("tax_id", "12345678000195"),))

    assert store.get_account("padaria") == new
    ledger = ledger_of(store)
    assert ledger.account == new
    assert (ledger.invoices, ledger.payments, ledger.notices, ledger.cancellations, ledger.write_offs) == (
        (),
        (),
        (),
        (),
        (),
    )
    records = store.account_records("padaria")
    assert records is not None
    assert [e.what for e in records.timeline] == ["account.opened"] and records.timeline_cursor is None
    assert [(a.notification_id, a.event_type, a.severity, a.owner) for a in records.alerts] == [
        ("padaria-opened", "account.opened", "info", "ana")
    ]
    assert records.acknowledgements == ()
    assert store.owners_of([("tax_id", "12345678000195")]) == {("tax_id", "12345678000195"): "padaria"}


def test_opening_an_account_that_exists_is_a_conflict_and_writes_nothing(store: Store) -> None:
    first = opened(store)
    again = account("padaria", name="Outra Padaria")

    with pytest.raises(ConcurrentModification):
        store.commit(change(again, timeline=(entry("padaria", "again"),), dedup_key="open:again"))

    assert store.get_account("padaria") == first
    assert history(store) == ["account.opened"]


def test_a_change_from_a_stale_version_is_a_conflict_and_writes_nothing(store: Store) -> None:
    start = opened(store)
    store.commit(change(next_version(start, owner="bia"), timeline=(entry("padaria", "owner.bia"),)))

    stale = change(
        next_version(start, owner="caio"),
        timeline=(entry("padaria", "owner.caio"),),
        notifications=(alert("padaria", "caio-alert"),),
        dedup_key="evt_stale",
        references=(("email", "caio@example.com"),),
        invoices=(invoice("NF-1", date(2026, 12, 1)),),
    )
    with pytest.raises(ConcurrentModification):
        store.commit(stale)

    stored = store.get_account("padaria")
    assert stored is not None and (stored.owner, stored.version) == ("bia", 1)
    assert history(store) == ["owner.bia", "account.opened"]
    assert alerts(store) == ["padaria-opened"]
    assert ledger_of(store).invoices == ()
    assert store.owners_of([("email", "caio@example.com")]) == {}
    # Nothing of the refused change was kept: its dedup key is still free.
    store.commit(stale.model_copy(update={"account": next_version(stored, owner="caio"), "expected_version": 1}))
    assert [e.what for e in store.timeline_page("padaria", None, 1).entries] == ["owner.caio"]


def test_a_repeated_dedup_key_is_a_duplicate_whatever_the_version(store: Store) -> None:
    start = opened(store)
    first = next_version(start, owner="bia")
    store.commit(change(first, timeline=(entry("padaria", "evt_1"),), dedup_key="stripe:evt_1"))

    for state in (next_version(first, owner="caio"), next_version(start, owner="caio")):  # fresh, then stale
        with pytest.raises(DuplicateEvent):
            store.commit(change(state, timeline=(entry("padaria", "evt_1 again"),), dedup_key="stripe:evt_1"))

    stored = store.get_account("padaria")
    assert stored is not None and (stored.owner, stored.version) == ("bia", 1)
    assert history(store) == ["evt_1", "account.opened"]


def test_an_outbox_item_is_written_once(store: Store) -> None:
    start = opened(store)

    with pytest.raises(DuplicateEvent):  # the opening's alert again, from a fresh version
        store.commit(change(next_version(start), notifications=(alert("padaria", "padaria-opened"),)))

    assert store.get_account("padaria") == start
    store.commit(change(next_version(start), notifications=(alert("padaria", "a-second-alert"),)))
    assert alerts(store) == ["a-second-alert", "padaria-opened"]  # in the order of their ids


def test_an_acknowledgement_is_written_once(store: Store) -> None:
    start = opened(store)
    seen = Acknowledgement(notification_id="padaria-opened", at=T0, by="sub-ana", by_name="Ana", reason="vi")
    first = next_version(start)
    store.commit(change(first, acknowledgements=(seen,), timeline=(entry("padaria", "acknowledged"),)))

    with pytest.raises(DuplicateEvent):
        store.commit(change(next_version(first), acknowledgements=(seen.model_copy(update={"reason": "de novo"}),)))

    records = store.account_records("padaria")
    assert records is not None
    assert records.acknowledgements == (seen,) and records.ledger.account.version == 1


def received(payment_id: str, origin: str | None, **fields: Any) -> PaymentRecord:
    return PaymentRecord(
        provider="stripe",
        payment_id=payment_id,
        amount=Money(amount=100_00, currency="BRL"),
        received_at=T0,
        origin=origin,
        **fields,
    )


def test_a_delivery_that_records_a_payment_has_one_effect(store: Store) -> None:
    start = opened(store)
    later = T0 + timedelta(hours=1)
    first = next_version(start)
    delivery = change(
        first,
        payments=(received("pi_1", "stripe:evt_1"),),
        timeline=(entry("padaria", "payment.received", later),),
        notifications=(alert("padaria", "paid-alert", later),),
        dedup_key="stripe:evt_1",
    )
    store.commit(delivery)

    for again in (delivery, delivery.model_copy(update={"account": next_version(first), "expected_version": 1})):
        with pytest.raises(DuplicateEvent):  # the same delivery again, from the version read then or a fresh one
            store.commit(again)

    # Another delivery about the same payment (a refund) writes its new state; the payment stays the first's.
    refunded = received("pi_1", "stripe:evt_1", refunded=10_00)
    store.commit(
        change(
            next_version(first),
            payments=(refunded,),
            timeline=(entry("padaria", "refund.issued", later + timedelta(hours=1)),),
            dedup_key="stripe:evt_2",
        )
    )
    assert ledger_of(store).payments == (refunded,)
    assert history(store) == ["refund.issued", "payment.received", "account.opened"]
    records = store.account_records("padaria", timeline_limit=1)
    assert records is not None and [e.what for e in records.timeline] == ["refund.issued"]
    assert [e.what for e in store.timeline_page("padaria", records.timeline_cursor, 1).entries] == ["payment.received"]
    assert alerts(store) == ["padaria-opened", "paid-alert"]


def test_a_payment_another_delivery_recorded_is_not_recorded_again_as_new(store: Store) -> None:
    start = opened(store)
    first = next_version(start)
    store.commit(change(first, payments=(received("pi_1", "stripe:evt_1"),), dedup_key="stripe:evt_1"))

    # A second delivery of the same payment, decided without seeing the first (as from the account's head alone).
    with pytest.raises(PaymentAlreadyRecorded):
        store.commit(
            change(
                next_version(first),
                payments=(received("pi_1", "stripe:evt_9"),),
                timeline=(entry("padaria", "payment.received again"),),
                dedup_key="stripe:evt_9",
            )
        )

    assert ledger_of(store).payments == (received("pi_1", "stripe:evt_1"),)
    assert history(store) == ["account.opened"]


def test_a_payment_is_decided_from_the_accounts_head_or_its_whole_ledger(store: Store) -> None:
    assert store.payment_head("nobody", "stripe:pi_1") is None
    start = opened(store)
    store.commit(change(next_version(start), payments=(received("pi_1", "stripe:evt_1"),), dedup_key="stripe:evt_1"))
    ledger = ledger_of(store)

    # A payment it holds: the whole ledger. A new one: the head, or the whole ledger (a store may not know the head).
    assert store.payment_head("padaria", "stripe:pi_1") == ledger
    head = store.payment_head("padaria", "stripe:pi_2")
    if isinstance(head, LedgerHead):
        assert head.account == ledger.account and head.summary == LedgerSummary.of(ledger.payments)
    else:
        assert head == ledger

    # With an invoice, always the whole ledger.
    store.commit(change(next_version(ledger.account), invoices=(invoice("NF-1", date(2026, 12, 1)),)))
    assert store.payment_head("padaria", "stripe:pi_2") == ledger_of(store)


# ------------------------------------------------------------------ the ledger's records


def test_the_ledgers_records_come_back_as_written_one_per_key_in_key_order(store: Store) -> None:
    start = opened(store)
    due = date(2026, 12, 1)
    paid = [
        PaymentRecord(provider=provider, payment_id=pid, amount=Money(amount=10_00, currency="BRL"), received_at=T0)
        for provider, pid in (("stripe", "pi_2"), ("asaas", "pay_9"), ("stripe", "pi_10"))
    ]
    sent = [
        SentNotice(step_id="overdue-1", sent_at=T0 + timedelta(days=2), channel="sms"),
        SentNotice(step_id="overdue-1", sent_at=T0 + timedelta(days=2), channel="email", notice_id="n-1"),
        SentNotice(step_id="due-today", sent_at=T0, channel="email", notice_id="n-0"),
    ]
    gone = CancellationRecord(access_key="3" * 44, cancelled_at=T0, recorded_at=T0, origin="upload")
    off = WriteOffRecord(
        invoice_key="NF-10", amount=Money(amount=1_00, currency="BRL"), at=T0, by="sub-ana", by_name="Ana", reason="x"
    )
    first = next_version(start)
    store.commit(
        change(
            first,
            invoices=(invoice("NF-2", due), invoice("NF-10", due), invoice("NF-1", due)),
            payments=tuple(paid),
            notices=tuple(sent),
            cancellations=(gone,),
            write_offs=(off,),
        )
    )

    ledger = ledger_of(store)
    assert [r.invoice.key for r in ledger.invoices] == ["NF-1", "NF-10", "NF-2"]
    assert ledger.invoice("NF-2") == invoice("NF-2", due)
    assert [p.key for p in ledger.payments] == ["asaas:pay_9", "stripe:pi_10", "stripe:pi_2"]
    assert set(ledger.payments) == set(paid)
    assert [(n.step_id, n.channel) for n in ledger.notices] == [
        ("due-today", "email"),
        ("overdue-1", "email"),
        ("overdue-1", "sms"),
    ]
    assert set(ledger.notices) == set(sent)
    assert (ledger.cancellations, ledger.write_offs, ledger.deliveries) == ((gone,), (off,), ())

    # Written again under the same keys, a record replaces the one before.
    corrected = invoice("NF-2", due, cents=99_00)
    resent = sent[0].model_copy(update={"notice_id": "n-2"})
    store.commit(change(next_version(first), invoices=(corrected,), notices=(resent,)))
    ledger = ledger_of(store)
    assert [r.invoice.key for r in ledger.invoices] == ["NF-1", "NF-10", "NF-2"]
    assert ledger.invoice("NF-2") == corrected
    assert len(ledger.notices) == 3 and resent in ledger.notices and sent[0] not in ledger.notices
    assert len(ledger.payments) == 3


# ------------------------------------------------------------------ references and merges


def test_a_reference_leads_to_the_account_that_claimed_it_and_no_other(store: Store) -> None:
    tax_id, email = ("tax_id", "12345678000195"), ("email", "joao@padaria.example")
    start = opened(store, references=(tax_id, email))
    store.commit(change(next_version(start), references=(tax_id,)))  # claimed again by its account: harmless

    with pytest.raises(ConcurrentModification):
        opened(store, "intruso", references=(("tax_id", "99999999000199"), tax_id))

    assert store.get_account("intruso") is None
    assert store.owners_of([tax_id, email, ("tax_id", "99999999000199")]) == {tax_id: "padaria", email: "padaria"}


def merge_into_padaria(store: Store, absorbed_at: Account) -> None:
    """Padaria absorbs `loja` (read at `absorbed_at`): its records and its reference move over."""
    absorbed = ledger_of(store, "loja").model_copy(update={"account": absorbed_at})
    survivor = ledger_of(store)
    store.commit(
        change(
            next_version(survivor.account),
            invoices=absorbed.invoices,
            notices=absorbed.notices,
            write_offs=absorbed.write_offs,
            timeline=(entry("padaria", "account.merged"),),
            merge=Merge(
                absorbed=absorbed,
                marker=next_version(absorbed_at, merged_into="padaria"),
                timeline=(entry("loja", "account.merged_into"),),
                references=(("email", "loja@example.com"),),
            ),
        )
    )


def test_a_merged_account_leads_to_its_survivor(store: Store) -> None:
    opened(store, references=(("tax_id", "12345678000195"),))
    loja = opened(store, "loja", name="Loja da Esquina", references=(("email", "loja@example.com"),))
    store.commit(change(next_version(loja), invoices=(invoice("NF-L", date(2026, 12, 1)),)))
    loja_now = store.get_account("loja")
    assert loja_now is not None

    with pytest.raises(ConcurrentModification):  # absorbed as it was before its invoice: it moved on since
        merge_into_padaria(store, loja)
    merge_into_padaria(store, loja_now)

    marker = store.get_account("loja")
    assert marker is not None and marker.merged_into == "padaria" and marker.version == 2
    ledger = ledger_of(store, "loja")
    assert ledger.account.account_id == "padaria" and [r.invoice.key for r in ledger.invoices] == ["NF-L"]
    records = store.account_records("loja")
    assert records is not None and records.ledger.account.account_id == "padaria"
    assert store.owners_of([("email", "loja@example.com")]) == {("email", "loja@example.com"): "padaria"}
    assert history(store, "loja") == ["account.merged_into", "account.opened"]
    assert store.search_names("loja", limit=10) == ([], None)


def receipt(store: Store, account_id: str, notice_id: str) -> None:
    """The notifier's receipt of a notice's e-mail SES accepted, as it keeps it in the account's partition."""
    if isinstance(store, MemoryLedgerStore):
        kept = ledger_of(store, account_id)
        status_of = DeliveryStatus(notice_id=notice_id, channel="email", status="accepted")
        store.ledgers[account_id] = kept.model_copy(update={"deliveries": (*kept.deliveries, status_of)})
        return
    DeliveryRecords(store.table_name).record(
        account_id, notice_id, Receipt(channel="email", status="accepted", at=T0, message_id=f"ses-{notice_id}")
    )


def test_a_merge_moves_the_absorbed_accounts_write_offs_and_the_evidence_of_its_notices(store: Store) -> None:
    opened(store, references=(("tax_id", "12345678000195"),))
    loja = opened(store, "loja", name="Loja da Esquina", references=(("email", "loja@example.com"),))
    off = WriteOffRecord(
        invoice_key="NF-L", amount=Money(amount=100_00, currency="BRL"), at=T0, by="sub-ana", by_name="Ana", reason="x"
    )
    warned = SentNotice(step_id="overdue-1", sent_at=T0, channel="email", notice_id="n-L")
    loja = next_version(loja)
    store.commit(
        change(loja, invoices=(invoice("NF-L", date(2026, 9, 1), cents=100_00),), notices=(warned,), write_offs=(off,))
    )
    receipt(store, "loja", "n-L")
    assert not ledger_of(store, "loja").receivables()

    merge_into_padaria(store, loja)

    fresh = store if isinstance(store, MemoryLedgerStore) else DynamoStore(store.table_name)
    ledger = ledger_of(fresh, "padaria")
    assert ledger.write_offs == (off,) and ledger.notices == (warned,)
    assert not ledger.receivables()  # written off there, written off here
    assert ledger.delivery_evidence() == {"n-L": {"email": "accepted"}}
    assert ledger_of(fresh, "loja") == ledger


# ------------------------------------------------------------------ what the staff plane reads


def test_the_history_pages_newest_first_as_the_table_orders_it(store: Store) -> None:
    state = opened(store)
    later = T0 + timedelta(hours=1)
    for what, at in (("v1", T0), ("v2", later), ("v3", later + timedelta(milliseconds=10))):
        state = next_version(state)
        store.commit(change(state, timeline=(entry("padaria", what, at),)))
    state = next_version(state)  # two entries of one change
    store.commit(change(state, timeline=(entry("padaria", "v4 first", later), entry("padaria", "v4 second", later))))
    store.audit(entry("padaria", "contact.revealed", later), "req-1")
    store.audit(entry("padaria", "contact.revealed", later), "req-1")  # the same request again: recorded once

    # Within a second, by version and then by place in the change; a read's audit after the changes of its second.
    newest_first = ["contact.revealed", "v4 second", "v4 first", "v3", "v2", "v1", "account.opened"]
    assert history(store) == newest_first
    records = store.account_records("padaria", timeline_limit=3)
    assert records is not None and records.ledger.account.version == 4  # an audit does not move the version
    assert [e.what for e in records.timeline] == newest_first[:3]
    pages: list[list[str]] = []
    cursor = records.timeline_cursor
    while cursor is not None and len(pages) < 10:
        page = store.timeline_page("padaria", cursor, 2)
        assert len(page.entries) <= 2
        pages.append([e.what for e in page.entries])
        cursor = page.cursor
    # Pages of two, to the end (DynamoDB may hand a cursor to an empty last page: a page that ends the history).
    assert [what for page in pages for what in page] == newest_first[3:]
    assert pages[:2] == [newest_first[3:5], newest_first[5:7]] and not any(pages[2:])


def test_a_cursor_the_store_did_not_give_for_this_read_is_invalid_input(store: Store) -> None:
    opened(store, name="Padaria Estrela")
    opened(store, "padaria-2", name="Padaria Lua")
    opened(store, "mercado", name="Mercado")
    for n in range(3):
        store.audit(entry("padaria", f"read {n}", T0 + timedelta(minutes=n)), f"req-{n}")
    timeline_cursor = store.timeline_page("padaria", None, 1).cursor
    search_cursor = store.search_names("padaria", limit=1)[1]
    assert timeline_cursor is not None and search_cursor is not None

    for bad in ("not a cursor", search_cursor):
        with pytest.raises(InvalidInput):
            store.timeline_page("padaria", bad, 10)
    for bad in ("not a cursor", timeline_cursor):
        with pytest.raises(InvalidInput):
            store.search_names("padaria", limit=1, cursor=bad)
    with pytest.raises(InvalidInput):  # a cursor of another search
        store.search_names("mercado", limit=1, cursor=search_cursor)
    # Made by hand, in the cursors' own shape: a key DynamoDB could not take (over its size; a lone surrogate).
    for value in ("TIMELINE#" + "9" * 1100, "TIMELINE#\\ud800"):
        with pytest.raises(InvalidInput):
            store.timeline_page("padaria", forged({"sk": value}), 10)
    with pytest.raises(InvalidInput):
        store.search_names("padaria", limit=1, cursor=forged({**decoded(search_cursor), "search_sk": "p" * 1100}))
    # Or one DynamoDB would refuse against this query: an empty key, a key outside the names it reads.
    for value in ("", "mercado#mercado"):
        with pytest.raises(InvalidInput):
            store.search_names("padaria", limit=1, cursor=forged({**decoded(search_cursor), "search_sk": value}))


def forged(key: dict[str, str]) -> str:
    """A cursor as the store encodes one, of any key: the JSON written as given (escapes included)."""
    text = "{" + ", ".join(f'"{name}": "{value}"' for name, value in sorted(key.items())) + "}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decoded(cursor: str) -> dict[str, str]:
    loaded: dict[str, str] = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return loaded


def named(store: Store) -> None:
    for account_id, name, owner in (
        ("p1", "Padaria", "ana"),
        ("p2", "Padaria Central", "bia"),
        ("p3", "Padaria Estrela", "ana"),
        ("p4", "Papelaria São José", "ana"),
        ("m1", "Mercado Pará", "ana"),
        ("p5", "PADARIA ÚNICA", None),
    ):
        opened(store, account_id, name=name, owner=owner)


def every_page(store: Store, prefix: str, limit: int, owners: frozenset[str] | None = None) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while len(pages) < 10:
        found, cursor = store.search_names(prefix, limit=limit, cursor=cursor, owners=owners)
        assert len(found) <= limit
        pages.append([a.account_id for a in found])
        if cursor is None:
            return [page for page in pages if page]
    raise AssertionError(f"search pages without end: {pages}")


def test_search_finds_names_by_their_start_in_index_order(store: Store) -> None:
    named(store)

    # `<name>#<id>` order: a longer name whose next character is a space comes before the shorter name.
    assert every_page(store, "pada", 10) == [["p2", "p3", "p5", "p1"]]
    assert every_page(store, "padaria unica", 10) == [["p5"]]  # without case or accents
    assert every_page(store, "PAPELARIA SAO", 10) == [["p4"]]
    assert store.search_names("  ", limit=10) == ([], None)
    assert store.search_names("padaria e", limit=10)[0] == [
        AccountSummary("p3", "Padaria Estrela", AccountStatus.ACTIVE, "ana")
    ]


def test_search_pages_through_names_and_the_owners_filter_keeps_pages_full(store: Store) -> None:
    named(store)

    pages = every_page(store, "pa", 2)
    assert [a for page in pages for a in page] == ["p2", "p3", "p5", "p1", "p4"]
    assert pages[:2] == [["p2", "p3"], ["p5", "p1"]]
    owned = every_page(store, "pa", 2, owners=frozenset({"ana"}))
    assert owned[0] == ["p3", "p1"]
    assert [a for page in owned for a in page] == ["p3", "p1", "p4"]


def test_accounts_by_id_come_in_the_order_asked(store: Store) -> None:
    named(store)

    assert [a.account_id for a in store.accounts(["p3", "nobody", "p1", "p3"])] == ["p3", "p1"]


def test_a_change_with_an_item_dynamodb_cannot_take_is_refused_whole(store: Store) -> None:
    too_long = ("reference", "x" * 2100)  # a partition key over 2,048 bytes

    with pytest.raises((ItemRefused, ClientError)):
        opened(store, references=(("tax_id", "12345678000195"), too_long))

    assert store.get_account("padaria") is None
    assert store.owners_of([("tax_id", "12345678000195")]) == {}
