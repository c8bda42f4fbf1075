"""What staff read, on the in-memory store: the 360° view, revealing a contact, the history page by page, search,
the overdue book, and who sees what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ponte.domain.accounts import AccountStatus, Contact
from ponte.domain.errors import NotFound
from ponte.domain.ledger import InstallmentReport, Ledger
from ponte.domain.money import Money
from ponte.services import staff_views
from ponte.services.staff import (
    Caller,
    Forbidden,
    InvalidField,
    Scope,
    Unauthenticated,
    caller_from_claims,
    group_visibility,
)
from tests.collections_support import account, invoice, local, payment
from tests.staff_api_support import ADMIN, ANA, BRUNO, TEAMS, Staff

NOW = local(date(2026, 12, 1), 10)


def suspended() -> Staff:
    staff = Staff()
    staff.sweep(date(2026, 12, 1))
    return staff


def test_the_360_view_shows_what_is_owed_with_fees_the_notices_and_their_evidence_and_the_plan() -> None:
    staff = Staff()
    staff.sweep(date(2026, 11, 25))

    view = staff_views.account_view("padaria", ANA, staff.deps(), now=local(date(2026, 11, 25), 10))

    assert (view.status, view.owner, view.version) == (AccountStatus.OVERDUE, "ana", staff.version)
    assert view.owed == (Money(amount=150_000, currency="BRL"),)
    [invoice_view] = view.invoices
    [installment] = invoice_view.installments
    assert (installment.days_late, installment.outstanding.amount) == (16, 150_000)
    assert installment.late_fee == Money(amount=3_000, currency="BRL")  # 2%
    assert installment.interest == Money(amount=800, currency="BRL")  # 1% a month, 16 days
    warning = next(n for n in view.notices if n.step_id == "final-warning")
    assert warning.deadline == date(2026, 11, 30) and warning.channels == {"email": "accepted", "sms": "accepted"}
    assert [(s.kind, s.on, s.deadline) for s in view.plan.steps] == [
        ("suspend", date(2026, 12, 1), date(2026, 11, 30)),
        ("hand_off", date(2026, 12, 22), None),
    ]
    assert view.plan.overdue_since == date(2026, 11, 9)
    assert view.timeline[0].what == "collections.final_warning"  # newest first


def test_the_view_shows_how_each_payment_was_allocated_and_the_credit() -> None:
    staff = suspended()
    ledger = staff.ledger()
    extra = invoice("NF-2", date(2026, 11, 20), 50_000)
    staff.store.ledgers["padaria"] = ledger.model_copy(
        update={
            "invoices": (*ledger.invoices, extra),
            "payments": (payment("p1", 50_000, NOW - timedelta(hours=1)), payment("p2", 200_000, NOW)),
        }
    )

    view = staff_views.account_view("padaria", ANA, staff.deps(), now=NOW)

    assert {(p.payment_id, p.invoice_key, p.matched_by) for p in view.payments} == {
        ("p1", "NF-2", "amount"),
        ("p2", None, "oldest"),
    }
    assert {i.invoice_key: i.status for i in view.invoices} == {"NF-1": "paid", "NF-2": "paid"}
    assert view.credit == (Money(amount=50_000, currency="BRL"),)


def test_an_invoice_the_back_office_says_was_cancelled_shows_as_cancelled_and_one_paid_as_paid() -> None:
    staff = Staff()
    ledger = staff.ledger()
    (first,) = ledger.invoices
    said = {
        "NF-1": InstallmentReport(installment="1", state="cancelled", said_at=NOW, origin="upload:b#2"),
        "NF-2": InstallmentReport(installment="1", state="paid", said_at=NOW, origin="upload:b#3"),
    }
    paid = invoice("NF-2", date(2026, 11, 20), 50_000)
    records = tuple(r.model_copy(update={"reported": (said[r.invoice.key],)}) for r in (first, paid))
    staff.store.ledgers["padaria"] = ledger.model_copy(update={"invoices": records})

    view = staff_views.account_view("padaria", ANA, staff.deps(), now=NOW)

    assert {i.invoice_key: i.status for i in view.invoices} == {"NF-1": "cancelled", "NF-2": "paid"}
    assert view.owed == ()


def test_contacts_and_tax_id_are_masked_and_revealing_them_is_recorded() -> None:
    staff = suspended()
    deps = staff.deps()

    view = staff_views.account_view("padaria", ANA, deps, now=NOW)
    assert (view.contact.email, view.contact.phone, view.tax_id) == (
        "j***@padaria.example",
        "+55*******7777",
        "************95",
    )
    assert view.contact.revealed is False

    revealed = staff_views.reveal_contact("padaria", ANA, deps, now=NOW, reason="ligar para negociar")

    assert (revealed.email, revealed.phone, revealed.tax_id) == (
        "joao@padaria.example",
        "+5511988887777",
        "12345678000195",
    )
    [entry] = staff.entries("contact.revealed")
    assert (entry.at, entry.why, entry.facts) == (NOW, "ligar para negociar", {"by": "sub-ana", "by_name": "Ana Souza"})
    assert staff.version == view.version  # a read: the account did not move on


def test_the_view_shows_holds_with_their_expiry_and_who_set_them_and_the_hand_set_ones() -> None:
    staff = Staff(never_suspend=True, promise_to_pay_until=date(2026, 11, 20))
    staff.sweep(date(2026, 11, 25))

    view = staff_views.account_view("padaria", ANA, staff.deps(), now=local(date(2026, 11, 25), 10))

    assert [(h.kind, h.until, h.active, h.set_by) for h in view.holds] == [
        ("never_suspend", None, True, None),
        ("promise_to_pay", date(2026, 11, 20), False, None),
    ]


def test_the_history_pages_from_newest_to_oldest() -> None:
    staff = suspended()
    deps = staff.deps()
    everything = staff_views.timeline("padaria", ADMIN, deps, cursor=None, limit=200)[0]

    first, cursor = staff_views.timeline("padaria", ADMIN, deps, cursor=None, limit=3)
    second, last = staff_views.timeline("padaria", ADMIN, deps, cursor=cursor, limit=200)

    assert [*first, *second] == list(everything)
    assert [e.at for e in everything] == sorted((e.at for e in everything), reverse=True)
    assert last is None
    with pytest.raises(InvalidField):
        staff_views.timeline("padaria", ADMIN, deps, cursor=None, limit=0)


def test_an_account_out_of_sight_is_not_found_for_every_read() -> None:
    staff = suspended()
    deps = staff.deps()

    for read in (
        lambda: staff_views.account_view("padaria", BRUNO, deps, now=NOW),
        lambda: staff_views.reveal_contact("padaria", BRUNO, deps, now=NOW),
        lambda: staff_views.timeline("padaria", BRUNO, deps, cursor=None),
    ):
        with pytest.raises(NotFound):
            read()
    assert not staff.entries("contact.revealed")


# Search.


def many() -> Staff:
    staff = Staff()
    for n, (name, owner) in enumerate(
        [("Padaria Pão Doce", "caio"), ("Padaria Central", "bruno"), ("Mercado São José", "ana"), ("Papelaria", "ana")]
    ):
        opened = account(f"acc-{n}", name=name, owner=owner, email=f"c{n}@example.com")
        staff.store.ledgers[opened.account_id] = Ledger(account=opened)
    return staff


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("12.345.678/0001-95", ["padaria"]),  # the tax id as written
        ("JOAO@padaria.example", ["padaria"]),  # the e-mail, whatever its case
        ("padaria", ["padaria", "acc-1", "acc-0"]),  # the account id first, then the names that start so
        ("pada", ["acc-1", "padaria", "acc-0"]),  # the start of a name, in name order
        ("padaria pao", ["acc-0"]),  # without accents or case
        ("MERCADO SAO", ["acc-2"]),
        ("zz", []),
    ],
)
def test_search_by_tax_id_email_reference_or_the_start_of_a_name(query: str, expected: list[str]) -> None:
    staff = many()

    found = staff_views.search_accounts(query, ADMIN, staff.deps())

    assert [a.account_id for a in found.accounts] == expected


def test_search_shows_only_what_the_caller_may_see() -> None:
    staff = many()

    found = staff_views.search_accounts("pa", ANA, staff.deps())  # ana sees collections: ana and caio

    assert [a.account_id for a in found.accounts] == ["padaria", "acc-0", "acc-3"]
    assert staff_views.search_accounts("12345678000195", BRUNO, staff.deps()).accounts == []


def test_search_pages_through_names() -> None:
    staff = many()
    deps = staff.deps()

    first = staff_views.search_accounts("pa", ADMIN, deps, limit=2)
    second = staff_views.search_accounts("pa", ADMIN, deps, limit=2, cursor=first.cursor)

    assert [a.account_id for a in first.accounts] == ["acc-1", "padaria"]
    assert [a.account_id for a in second.accounts] == ["acc-0", "acc-3"] and second.cursor is None


@pytest.mark.parametrize(("query", "limit"), [("p", 20), ("  ", 20), ("pa", 0), ("pa", 101)])
def test_search_is_refused_for_a_query_too_short_or_a_page_out_of_bounds(query: str, limit: int) -> None:
    with pytest.raises(InvalidField):
        staff_views.search_accounts(query, ADMIN, many().deps(), limit=limit)


# The overdue book.


def book() -> Staff:
    """padaria (ana) suspended since 1/12, overdue since 9/11; loja (caio) overdue since 25/11; bar (bruno)
    overdue since 20/10."""
    staff = Staff()
    for account_id, owner, due in (("loja", "caio", date(2026, 11, 25)), ("bar", "bruno", date(2026, 10, 20))):
        opened = account(account_id, name=account_id.title(), owner=owner)
        staff.store.ledgers[account_id] = Ledger(account=opened, invoices=(invoice("X", due),))
    for day in range(20):
        for account_id in ("padaria", "loja", "bar"):
            staff.evaluate(local(date(2026, 11, 12) + timedelta(days=day), 9), account_id)
    return staff


@pytest.mark.parametrize(
    ("caller", "filters", "expected"),
    [
        (ADMIN, {}, {"padaria", "loja", "bar"}),
        (ADMIN, {"owner": "caio"}, {"loja"}),
        (ADMIN, {"team": "collections"}, {"padaria", "loja"}),
        (ADMIN, {"status": "suspended"}, {"padaria", "bar"}),
        (ADMIN, {"age": "1-15"}, {"loja"}),
        (ADMIN, {"age": "16-30"}, {"padaria"}),
        (ADMIN, {"age": "31-60"}, {"bar"}),
        (ADMIN, {"age": "61+"}, set()),
        (ANA, {}, {"padaria", "loja"}),
        (ANA, {"status": "overdue"}, {"loja"}),
        (BRUNO, {}, {"bar"}),
    ],
)
def test_the_overdue_book_by_owner_team_status_and_age(
    caller: Caller, filters: dict[str, Any], expected: set[str]
) -> None:
    staff = book()

    page = staff_views.overdue_book(caller, staff.deps(), now=local(date(2026, 12, 1), 10), **filters)

    assert {line.account_id for line in page.lines} == expected


def test_the_book_shows_each_account_as_it_is_now() -> None:
    staff = book()
    ledger = staff.ledger("loja")
    staff.store.ledgers["loja"] = ledger.model_copy(
        update={"account": ledger.account.model_copy(update={"status": AccountStatus.ACTIVE})}
    )  # paid since the book was kept

    page = staff_views.overdue_book(ADMIN, staff.deps(), now=local(date(2026, 12, 1), 10))

    lines = {line.account_id: line for line in page.lines}
    assert set(lines) == {"padaria", "bar"}
    assert (lines["padaria"].days_late, lines["padaria"].name) == (22, "Padaria Estrela")


@pytest.mark.parametrize(
    ("caller", "filters", "refusal"),
    [
        (ANA, {"owner": "bruno"}, Forbidden),
        (BRUNO, {"team": "collections"}, Forbidden),
        (ADMIN, {"status": "active"}, InvalidField),
        (ADMIN, {"age": "90+"}, InvalidField),
        (ADMIN, {"owner": "ana", "team": "collections"}, InvalidField),
    ],
)
def test_the_book_refuses_what_the_caller_may_not_see_and_unknown_filters(
    caller: Caller, filters: dict[str, Any], refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        staff_views.overdue_book(caller, book().deps(), now=local(date(2026, 12, 1), 10), **filters)


# Who the caller is, and what they see.


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ("[admin collections]", {"admin", "collections"}),
        (["sales", "finance"], {"sales", "finance"}),
        ("sales,finance", {"sales", "finance"}),
        ("sales", {"sales"}),
        (None, set()),
    ],
)
def test_the_caller_comes_from_the_tokens_claims(groups: Any, expected: set[str]) -> None:
    claims = {"sub": "abc-123", "name": "Ana Souza", "cognito:username": "ana", "cognito:groups": groups}

    caller = caller_from_claims(claims, "req-1")

    assert (caller.subject, caller.name, caller.person_id) == ("abc-123", "Ana Souza", "ana")
    assert caller.groups == frozenset(expected)


def test_an_access_token_names_the_user_by_username() -> None:
    caller = caller_from_claims({"sub": "abc", "username": "ana"})

    assert (caller.name, caller.person_id) == ("ana", "ana")


@pytest.mark.parametrize("claims", [{}, {"sub": "abc"}, {"name": "Ana"}, {"sub": " ", "name": "Ana"}])
def test_a_token_without_a_subject_or_a_user_is_unauthenticated(claims: dict[str, str]) -> None:
    with pytest.raises(Unauthenticated):
        caller_from_claims(claims)


def test_admins_see_everyone_others_their_own_and_their_teams() -> None:
    visibility = group_visibility(lambda team: TEAMS.get(team, ()))

    assert visibility(ADMIN) == Scope(everyone=True)
    assert visibility(ANA) == Scope(everyone=False, owners=frozenset({"ana", "caio", "collections"}))
    lone = Caller(subject="s", name="Zé", username="ze", groups=frozenset())
    assert visibility(lone) == Scope(everyone=False, owners=frozenset({"ze"}))
    assert not visibility(lone).allows(None)


def test_an_unowned_account_is_seen_by_admins_only() -> None:
    staff = Staff(owner=None)
    staff.sweep(date(2026, 11, 12))

    assert staff_views.account_view("padaria", ADMIN, staff.deps(), now=NOW).owner is None
    with pytest.raises(NotFound):
        staff_views.account_view("padaria", ANA, staff.deps(), now=NOW)


def test_masks_keep_enough_to_recognise_and_never_the_whole() -> None:
    assert staff_views.mask_email("a@b.example") == "a***@b.example"
    assert staff_views.mask_phone("+5511988887777") == "+55*******7777"
    assert staff_views.mask_tax_id("12345678909") == "*********09"
    assert (staff_views.mask_email(None), staff_views.mask_phone(None), staff_views.mask_tax_id(None)) == (
        None,
        None,
        None,
    )


def test_a_contact_without_an_address_is_shown_as_it_is() -> None:
    staff = Staff()
    ledger = staff.ledger()
    bare = ledger.account.model_copy(update={"contact": Contact(name="João")})
    staff.store.ledgers["padaria"] = ledger.model_copy(update={"account": bare})

    view = staff_views.account_view("padaria", ANA, staff.deps(), now=datetime(2026, 11, 2, tzinfo=UTC))

    assert (view.contact.email, view.contact.phone) == (None, None)


def test_an_installment_due_on_a_holiday_shows_the_business_day_it_moved_to() -> None:
    staff = Staff()
    christmas = date(2026, 12, 25)  # a Friday and a national holiday: due on Monday 28/12
    staff.store.ledgers["padaria"] = staff.store.ledgers["padaria"].model_copy(
        update={"invoices": (invoice("NF-2", christmas),)}
    )

    view = staff_views.account_view("padaria", ANA, staff.deps(), now=local(date(2026, 12, 20), 10))

    [installment] = view.invoices[0].installments
    assert (installment.due_date, installment.effective_due_date) == (christmas, date(2026, 12, 28))
