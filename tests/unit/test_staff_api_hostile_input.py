"""The staff API's routes fed values no console sends: each is answered 4xx and writes nothing, never a 500.

The routes run as API Gateway hands them an event (payload 2.0, the JWT authorizer's claims) over the in-memory
store, which here refuses what DynamoDB refuses on a read as well as on a write: a key over its size, text UTF-8
cannot carry (`ItemRefused`, the ValidationException the DynamoDB store would raise: a 500). Padaria Estrela is
overdue on 12 November 2026, as `tests.staff_api_support` tells.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ponte.adapters import keys
from ponte.domain.accounts import TimelineEntry
from ponte.functions.staff_api import StaffApi, routes
from ponte.services.staff import StaffDeps
from tests.collections_support import local
from tests.memory_store import PARTITION_KEY_BYTES, SORT_KEY_BYTES, ItemRefused, MemoryBook, MemoryLedgerStore
from tests.staff_api_support import Quiet, RoutesWiring, Staff, gateway_event

NOW = local(date(2026, 11, 12), 10)
ADMIN = {"sub": "sub-admin", "name": "Carla Admin", "cognito:username": "carla", "cognito:groups": "[admin]"}
ANA = {"sub": "sub-ana", "name": "Ana Souza", "cognito:username": "ana", "cognito:groups": "[collections]"}
CONSOLE_WORDS = json.loads((Path(__file__).resolve().parents[2] / "console" / "messages.json").read_text())


def _key(pk: str, sk: str = "") -> None:
    """Raise as DynamoDB does when a request names a key it could never hold."""
    try:
        if len(pk.encode()) > PARTITION_KEY_BYTES or len(sk.encode()) > SORT_KEY_BYTES:
            raise ItemRefused("a key over DynamoDB's size")
    except UnicodeEncodeError as error:
        raise ItemRefused(f"text UTF-8 cannot carry: {error.reason}") from None


class DynamoReads:
    """The in-memory store, refusing on its reads and audits what DynamoDB refuses."""

    def __init__(self, store: MemoryLedgerStore) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def account_records(self, account_id: str, timeline_limit: int = 50) -> Any:
        _key(keys.account_pk(account_id))
        return self.store.account_records(account_id, timeline_limit)

    def timeline_page(self, account_id: str, cursor: str | None, limit: int = 50) -> Any:
        _key(keys.account_pk(account_id))
        return self.store.timeline_page(account_id, cursor, limit)

    def accounts(self, account_ids: list[str]) -> Any:
        for account_id in account_ids:
            _key(keys.account_pk(account_id))
        return self.store.accounts(account_ids)

    def audit(self, entry: TimelineEntry, request_id: str) -> None:
        _key(keys.account_pk(entry.account_id), json.dumps(entry.model_dump(mode="json"), ensure_ascii=False))
        self.store.audit(entry, request_id)


class DynamoBook:
    """The in-memory overdue book, refusing an owner's partition DynamoDB could not query."""

    def __init__(self, book: MemoryBook) -> None:
        self.book = book

    def __getattr__(self, name: str) -> Any:
        return getattr(self.book, name)

    def page(self, *, owners: list[str] | None, **query: Any) -> Any:
        for owner in owners or ():
            _key(keys.book_partition(owner))
        return self.book.page(owners=owners, **query)


def dynamo_like(staff: Staff) -> StaffDeps:
    """The use cases' ports with the store's and the book's reads checked as DynamoDB would check them."""
    return staff.deps(store=DynamoReads(staff.store), book=DynamoBook(staff.book))


def overdue() -> Staff:
    staff = Staff()
    staff.sweep(date(2026, 11, 12))
    return staff


def call(
    staff: Staff,
    method: str,
    path: str,
    *,
    claims: dict[str, Any] | None = ADMIN,
    query: dict[str, str] | None = None,
    body: Any = None,
    raw: str | None = None,
) -> tuple[int, Any]:
    """The route's answer to the request, made as API Gateway hands it over."""
    text = raw if raw is not None else (json.dumps(body) if body is not None else None)
    event = gateway_event(method, path, claims, at=NOW, query=query, body=text)
    answer = routes.resolve(event, StaffApi(RoutesWiring(staff, dynamo_like), Quiet(), Quiet()))  # type: ignore[arg-type]
    return answer["statusCode"], json.loads(answer["body"])


def written(staff: Staff) -> tuple[int, int, int]:
    """What the store holds: its commits, the account's version, its history."""
    return staff.store.commits, staff.version, len(staff.store.timeline)


def action(staff: Staff, **fields: Any) -> dict[str, Any]:
    return {"expected_version": staff.version, "reason": "o cliente ligou", **fields}


def shown_in_every_language(field: str) -> bool:
    """Whether the console has words for the field a refusal names, in pt-BR, es and en."""
    return all(f"field.{field}" in CONSOLE_WORDS[locale] for locale in ("pt-BR", "es", "en"))


# The query string.


@pytest.mark.parametrize("path", ["/staff/accounts", "/staff/book", "/staff/accounts/padaria/timeline"])
@pytest.mark.parametrize("limit", ["²", "1" * 5000])
def test_a_limit_that_is_not_a_plain_number_is_refused_naming_it(path: str, limit: str) -> None:
    staff = overdue()

    status, refusal = call(staff, "GET", path, query={"q": "padaria", "limit": limit})

    assert (status, refusal["field"]) == (400, "limit")


@pytest.mark.parametrize("path", ["/staff/accounts", "/staff/book", "/staff/accounts/padaria/timeline"])
def test_a_limit_with_thousands_of_leading_zeros_is_the_number_they_lead(path: str) -> None:
    staff = overdue()

    status, page = call(staff, "GET", path, query={"q": "padaria", "limit": "0" * 5000 + "1"})

    assert status == 200
    assert len(page["timeline" if path.endswith("timeline") else "accounts"]) == 1


# The path.

LONG_ID = "x" * (PARTITION_KEY_BYTES + 1)
ROUTES = [
    ("GET", "/staff/accounts/{}", None),
    ("GET", "/staff/accounts/{}/timeline", None),
    ("POST", "/staff/accounts/{}/contact/reveal", {"reason": "negociar"}),
    ("POST", "/staff/accounts/{}/actions/note", {"reason": "o cliente ligou"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("account_id", [LONG_ID, "%C3%A9" * (PARTITION_KEY_BYTES // 2)])
def test_an_account_id_over_the_store_s_key_size_is_no_account(
    method: str, path: str, body: dict[str, Any] | None, account_id: str
) -> None:
    staff = overdue()
    before = written(staff)

    status, refusal = call(staff, method, path.format(account_id), body=body and action(staff, **body))

    assert status == 404 and "error" in refusal
    assert written(staff) == before


# The body.

DEEP = '{"a":' * 100_000 + "1" + "}" * 100_000


@pytest.mark.parametrize("path", ["/staff/accounts/padaria/actions/note", "/staff/accounts/padaria/contact/reveal"])
def test_a_body_nested_past_the_parser_is_refused(path: str) -> None:
    staff = overdue()
    before = written(staff)

    status, refusal = call(staff, "POST", path, raw=DEEP)

    assert (status, refusal["field"]) == (400, "body")
    assert written(staff) == before
    assert shown_in_every_language("body")


@pytest.mark.parametrize(
    ("name", "fields", "field"),
    [
        # true or false is not a number: pydantic would read it as 1 or 0 (a day's extension, a centavo)
        ("extend", {"days": True}, "days"),
        ("promise_to_pay", {"until": "2026-11-20", "amount": {"amount": True, "currency": "BRL"}}, "amount.amount"),
        (
            "offline_payment",
            {"amount": {"amount": True, "currency": "BRL"}, "received_on": "2026-11-11", "method": "pix"},
            "amount.amount",
        ),
        # a number is not a day: pydantic would read it as seconds since 1970
        ("offline_payment", {"amount": {"amount": 1000, "currency": "BRL"}, "received_on": 0}, "received_on"),
        ("offline_payment", {"amount": {"amount": 1000, "currency": "BRL"}, "received_on": 1765324800}, "received_on"),
        ("promise_to_pay", {"until": 1765324800}, "until"),
        ("exempt", {"until": 1765324800.0}, "until"),
        ("exempt", {"until": "1765324800"}, "until"),
        # digits of another script, a control character: no SMS or e-mail could go there
        ("contact", {"phone": "+5511\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661"}, "phone"),
        ("contact", {"phone": "+5511\uff19\uff18\uff17\uff16\uff15\uff14\uff13\uff12\uff11"}, "phone"),
        ("contact", {"email": "a\u0000@b.co"}, "email"),
    ],
)
def test_a_value_pydantic_would_read_as_something_else_is_refused(
    name: str, fields: dict[str, Any], field: str
) -> None:
    staff = overdue()
    before = written(staff)

    status, refusal = call(staff, "POST", f"/staff/accounts/padaria/actions/{name}", body=action(staff, **fields))

    assert (status, refusal["field"]) == (400, field)
    assert written(staff) == before
    assert shown_in_every_language(field)


@pytest.mark.parametrize("reason", [{"why": "negociar"}, ["negociar"], 42, True, "\ud800"])
def test_a_reveal_whose_reason_is_not_text_is_refused_and_not_recorded(reason: Any) -> None:
    staff = overdue()
    before = written(staff)

    status, refusal = call(staff, "POST", "/staff/accounts/padaria/contact/reveal", body={"reason": reason})

    assert (status, refusal["field"]) == (400, "reason")
    assert written(staff) == before
    assert not staff.entries("contact.revealed")
    assert shown_in_every_language("reason")


# The overdue book's filters.


@pytest.mark.parametrize("field", ["owner", "team"])
def test_a_book_filter_longer_than_any_owner_is_refused_naming_it(field: str) -> None:
    staff = overdue()

    status, refusal = call(staff, "GET", "/staff/book", query={field: LONG_ID})

    assert (status, refusal["field"]) == (400, field)


# The authorizer's claims.


@pytest.mark.parametrize("claims", [{**ANA, "sub": "s" * 129}, {**ANA, "cognito:username": "u" * 129}])
def test_a_token_whose_subject_or_user_name_cognito_could_not_have_given_is_not_let_in(
    claims: dict[str, Any],
) -> None:
    staff = overdue()
    before = written(staff)

    status, _ = call(
        staff, "POST", "/staff/accounts/padaria/actions/exempt", claims=claims, body=action(staff, until="2026-11-20")
    )

    assert status == 401
    assert written(staff) == before


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("promise_to_pay", {"until": "2026-11-20"}),
        ("dispute", {"invoice_key": "NF-1", "until": "2026-11-20"}),
        ("extend", {"days": 1}),
        ("exempt", {"until": "2026-11-20"}),
    ],
)
def test_a_hold_set_by_someone_with_a_long_name_keeps_as_much_of_it_as_a_hold_holds(
    name: str, fields: dict[str, Any]
) -> None:
    # Cognito's `name` attribute takes up to 2048 characters; a hold names who set it in at most 200.
    staff = overdue()
    long_name = "Ana " + "de Souza " * 300

    status, view = call(
        staff,
        "POST",
        f"/staff/accounts/padaria/actions/{name}",
        claims={**ANA, "name": long_name},
        body=action(staff, **fields),
    )

    assert status == 200
    [hold] = view["holds"]
    assert hold["set_by_name"] == long_name.strip()[:200]
