"""A burst of deliveries for one account, at once, on real threads: every one is answered 2xx and recorded once.

The local stack's `http` serialises requests behind one lock, so the burst calls the webhook's handler directly,
from twenty threads, against the stack's table (moto's DynamoDB, with the serializable transactions the conftest
gives it). Conflicts are real: each thread reads the account, and all but one of those that read the same version
are refused by the account's version condition and read again.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from infra.local import LocalStack
from infra.local.signing import stripe_headers
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.changes import AccountChange
from ponte.domain.errors import ConcurrentModification
from tests.support import T0, FakeContext, Stacks, load_handler

STRIPE = "whsec_ponte_local_burst"
BURST = 20
ACCOUNT = "padaria-estrela"


def delivery(n: int, account_id: str = ACCOUNT) -> dict[str, Any]:
    """A signed Stripe delivery of payment `n` for the account, as API Gateway passes it to the function."""
    intent = {
        "id": f"pi_{n}",
        "object": "payment_intent",
        "amount": 1000 + n,
        "amount_received": 1000 + n,
        "currency": "brl",
        "customer": "cus_burst",
        "metadata": {"account_id": account_id},
        "payment_method_types": ["pix"],
        "created": int(T0.timestamp()),
        "status": "succeeded",
        "description": "Plano Padaria Pro",
    }
    body = json.dumps(
        {
            "id": f"evt_{n}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(T0.timestamp()),
            "data": {"object": intent},
        }
    ).encode()
    return {
        "version": "2.0",
        "routeKey": "POST /webhooks/{provider}",
        "rawPath": "/webhooks/stripe",
        "rawQueryString": "",
        "headers": {k.lower(): v for k, v in stripe_headers(body, STRIPE, T0).items()},
        "pathParameters": {"provider": "stripe"},
        "body": body.decode(),
        "isBase64Encoded": False,
        "requestContext": {
            "http": {"method": "POST", "path": "/webhooks/stripe"},
            "timeEpoch": int(T0.timestamp() * 1000),
            "requestId": f"r-{n}",
            "routeKey": "POST /webhooks/{provider}",
            "stage": "$default",
        },
    }


@pytest.fixture
def stack(stacks: Stacks) -> Iterator[LocalStack]:
    parameters = {"StaffAlertEmail": "vendas@example.com", "OpsAlertEmail": "ops@example.com"}
    with stacks(now=T0, parameters=parameters, webhook_secrets={"stripe": STRIPE}) as local:
        yield local


class Commits:
    """Counts the store's transactions as they happen (the store is the real one): written or conflicting."""

    def __init__(self, commit: Callable[[AccountChange], None]) -> None:
        self._commit = commit
        self._lock = threading.Lock()
        self.written = 0
        self.conflicts = 0

    def __call__(self, change: AccountChange) -> None:
        try:
            self._commit(change)
        except ConcurrentModification:
            with self._lock:
                self.conflicts += 1
            raise
        with self._lock:
            self.written += 1


EMULATOR_SLOWNESS = 3


class Context(FakeContext):
    """The function's context, as Lambda passes it with `remaining_ms` left before the function times out."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def handler(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    for name, value in stack.functions["PaymentWebhook"].environment.items():
        monkeypatch.setenv(name, value)
    module = load_handler("payment_webhook")
    wiring = module._wiring()
    # boto3 does not build clients safely from several threads: built once here, as a warm container has them.
    assert wiring.store.client and wiring.secrets.values("stripe") and wiring.policy.current()
    return module


def burst(handler: ModuleType, events: list[dict[str, Any]], context: FakeContext) -> list[dict[str, Any]]:
    """Deliver every event at once, one thread each; the answers in the events' order."""
    answers: list[dict[str, Any]] = [{}] * len(events)
    start = threading.Barrier(len(events))

    def deliver(n: int) -> None:
        start.wait()
        try:
            answers[n] = handler.lambda_handler(events[n], context)
        except Exception as error:  # noqa: BLE001 - API Gateway answers 500 for any function error
            answers[n] = {"statusCode": 500, "body": json.dumps({"error": repr(error)})}

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.parametrize("opened_before", [True, False], ids=["known-account", "new-account"])
def test_twenty_payments_for_one_account_at_once_are_all_accepted_and_recorded_once(
    stack: LocalStack, handler: ModuleType, monkeypatch: pytest.MonkeyPatch, opened_before: bool
) -> None:
    # Given an account that exists already (or that the burst itself opens)
    # The template's timeout (10 s), times three: every attempt here is a transaction on the emulator, which copies
    # the table for each item and shares two cores with the suite's coverage; DynamoDB answers in milliseconds.
    context = Context(stack.functions["PaymentWebhook"].timeout_s * 1000 * EMULATOR_SLOWNESS)
    if opened_before:
        assert handler.lambda_handler(delivery(0), context)["statusCode"] == 200
    store = handler._wiring().store
    commits = Commits(store.commit)
    monkeypatch.setattr(store, "commit", commits)
    # When twenty distinct payments for it arrive at once, each with the function's whole time
    began = time.monotonic()
    answers = burst(handler, [delivery(n) for n in range(1, BURST + 1)], context)
    seconds = time.monotonic() - began
    # Then every delivery is answered 200, none as a duplicate, all for the same account
    assert [a["statusCode"] for a in answers] == [200] * BURST, [a["body"] for a in answers if a["statusCode"] != 200]
    bodies = [json.loads(answer["body"]) for answer in answers]
    assert {(b["account_id"], b["duplicate"]) for b in bodies} == {(ACCOUNT, False)}
    # And the account holds each payment once, the total is right and its history names each one once
    table = DynamoStore(stack.physical_id("Table"))
    ledger = table.load_ledger(ACCOUNT)
    assert ledger is not None
    expected = range(0 if opened_before else 1, BURST + 1)
    assert sorted(p.payment_id for p in ledger.payments) == sorted(f"pi_{n}" for n in expected)
    assert sum(p.amount.amount for p in ledger.payments) == sum(1000 + n for n in expected)
    received = [entry.source for entry in table.timeline(ACCOUNT) if entry.what == "payment.received"]
    assert sorted(received) == sorted(f"stripe:evt_{n}" for n in expected)
    # And each delivery was written once, as one more version of the account: no write was lost to another
    assert commits.written == BURST
    assert ledger.account.version == len(expected) - 1
    print(
        f"\n{BURST} deliveries at once, {'known' if opened_before else 'new'} account: {seconds:.2f} s, "
        f"{commits.conflicts} conflicts read again and retried ({commits.conflicts / BURST:.1f} a delivery)"
    )


def test_a_delivery_that_runs_out_of_time_is_answered_503_and_writes_nothing(
    stack: LocalStack, handler: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an account that another writer changes between every read and write of this delivery
    assert handler.lambda_handler(delivery(0), FakeContext())["statusCode"] == 200
    store = handler._wiring().store
    real_commit = store.commit

    def always_overtaken(change: AccountChange) -> None:
        raise ConcurrentModification("the account changed since it was read")

    monkeypatch.setattr(store, "commit", always_overtaken)
    # When a payment arrives with the function's time nearly spent (half a second past what is kept to answer)
    began = time.monotonic()
    answer = handler.lambda_handler(delivery(1), Context(remaining_ms=1_500))
    seconds = time.monotonic() - began
    # Then it is answered 503, for the provider to deliver it again, before the function's time is up
    assert answer["statusCode"] == 503 and answer["headers"]["retry-after"] == "1"
    # (it stops trying half a second in, keeping a second for the last attempt and the answer: these take tens of
    # ms, so within a second even on a busy machine, where a handler that kept trying would take the whole 1.5 s)
    assert seconds < 1.0
    monkeypatch.setattr(store, "commit", real_commit)
    ledger = DynamoStore(stack.physical_id("Table")).load_ledger(ACCOUNT)
    assert ledger is not None and [p.payment_id for p in ledger.payments] == ["pi_0"]
    # And delivered again later, it is recorded once
    again = handler.lambda_handler(delivery(1), FakeContext())
    assert (again["statusCode"], json.loads(again["body"])["duplicate"]) == (200, False)


@pytest.mark.parametrize(
    ("code", "retried"),
    [("TransactionConflict", True), ("ValidationError", False), ("ItemCollectionSizeLimitExceeded", False)],
)
def test_only_a_transaction_cancelled_by_a_conflict_is_read_again(code: str, retried: bool) -> None:
    import boto3
    from botocore.exceptions import ClientError
    from botocore.stub import Stubber

    from ponte.domain.accounts import Contact
    from ponte.services.accounts import OpenAccount, opening_change

    client = boto3.client("dynamodb", region_name="us-east-1")
    store = DynamoStore("table", client=client)
    command = OpenAccount(account_id="acme", name="Acme", locale="en", contact=Contact(name="Ana"))
    change = opening_change(command, now=T0, staff_locale="pt-BR", source="test")
    # DynamoDB names a reason per item of a cancelled transaction; `None` for the items that were not the cause.
    reasons = [{"Code": "None"}, {"Code": code}] + [{"Code": "None"}] * 10
    with Stubber(client) as stub:
        stub.add_client_error(
            "transact_write_items",
            service_error_code="TransactionCanceledException",
            modeled_fields={"CancellationReasons": reasons},
        )
        with pytest.raises((ConcurrentModification, ClientError)) as raised:
            store.commit(change)
    assert isinstance(raised.value, ConcurrentModification) is retried
