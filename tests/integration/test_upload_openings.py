"""New customers of an upload on the local stack: their accounts are opened about a hundred items to a transaction,
and a customer a webhook opened meanwhile keeps the webhook's account while the others are opened once each.

The upload function is invoked directly (as the S3 trigger would), so the DynamoDB calls counted with botocore's
`before-call` events on boto3's default session are the function's own, not the notifier's that a settle runs."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from infra.local import LocalStack
from infra.local.events import s3_put
from infra.local.functions import invoke
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Account, Contact
from ponte.domain.changes import AccountChange
from ponte.domain.identity import new_account_id
from tests.support import T0
from tests.upload_support import csv_file, many_rows

# What opening one customer of `many_rows` writes: its dedup marker, the account, its timeline entry, two references
# (tax id, e-mail), the platform's event and the owner's alert.
ITEMS_PER_OPENING = 7
RACED_TAX_ID = "10000000000003"  # the fourth customer of `many_rows`


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """The DynamoDB calls made by clients of boto3's default session (the function's, made on first use)."""
    calls: Counter[str] = Counter()
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    session.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
    yield calls


def upload(stack: LocalStack, key: str, data: bytes) -> dict[str, Any]:
    bucket = stack.physical_id("InvoicesBucket")
    answer = stack.client("s3").put_object(Bucket=bucket, Key=key, Body=data)
    event = s3_put(
        bucket=bucket,
        key=key,
        size=len(data),
        etag=answer["ETag"],
        version_id=answer.get("VersionId"),
        region="us-east-1",
        now=stack.now,
    )
    (outcome,) = invoke(stack.functions["InvoiceUpload"], event)["uploads"]
    return dict(outcome)


def accounts_in(stack: LocalStack) -> list[str]:
    paginator = stack.client("dynamodb").get_paginator("scan")
    pages = paginator.paginate(
        TableName=stack.physical_id("Table"),
        FilterExpression="kind = :account",
        ExpressionAttributeValues={":account": {"S": "account"}},
    )
    return sorted(item["account_id"]["S"] for page in pages for item in page["Items"])


def test_forty_new_customers_are_opened_in_three_transactions_not_forty(stack: LocalStack) -> None:
    with dynamodb_calls() as calls:
        outcome = upload(stack, "incoming/nov.csv", csv_file(*many_rows(40, customers=40)))
    assert outcome["status"] == "imported"
    assert (outcome["counts"]["created"], outcome["counts"]["accounts_opened"]) == (40, 40)
    # 280 items, 100 to a transaction; and one more transaction, the upload's marker with its alert.
    assert calls["TransactWriteItems"] == math.ceil(40 * ITEMS_PER_OPENING / 100) + 1 == 4
    assert len(accounts_in(stack)) == 40
    store = DynamoStore(stack.physical_id("Table"))
    ledger = store.load_ledger(new_account_id([("tax_id", "10000000000007")]))
    assert ledger is not None and [r.invoice.number for r in ledger.invoices] == ["7"]
    assert [entry.what for entry in store.timeline(ledger.account.account_id)] == ["account.opened"]


def test_a_customer_a_webhook_opened_meanwhile_keeps_its_account_and_the_others_open_one_by_one(
    stack: LocalStack,
) -> None:
    webhook = DynamoStore(stack.physical_id("Table"), boto3.Session().client("dynamodb", region_name="us-east-1"))
    raced = {"done": False}

    def webhook_first(**_: Any) -> None:
        """Right before the upload's first transaction (its openings), a webhook opens one of its customers."""
        if raced["done"]:
            return
        raced["done"] = True
        account = Account(
            account_id="from-webhook",
            name="Cliente 3",
            locale="pt-BR",
            contact=Contact(name="Cliente 3"),
            created_at=T0,
            version=0,
        )
        webhook.commit(
            AccountChange(
                account=account,
                recorded_at=T0,
                expected_version=None,
                references=(("tax_id", RACED_TAX_ID),),
                dedup_key="webhook:evt_1",
            )
        )

    with dynamodb_calls() as calls:
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("before-call.dynamodb.TransactWriteItems", webhook_first)
        outcome = upload(stack, "incoming/nov.csv", csv_file(*many_rows(12, customers=6)))
    assert outcome["status"] == "imported"
    assert (outcome["counts"]["created"], outcome["counts"]["accounts_opened"]) == (12, 5)
    # The refused transaction, then each of its six openings alone (the raced one refused), then the upload's marker.
    assert calls["TransactWriteItems"] == 1 + 6 + 1
    # One account per customer; the raced customer's invoices on the webhook's account; each invoice once.
    assert len(accounts_in(stack)) == 6 and "from-webhook" in accounts_in(stack)
    assert new_account_id([("tax_id", RACED_TAX_ID)]) not in accounts_in(stack)
    store = DynamoStore(stack.physical_id("Table"))
    ledgers = [store.load_ledger(account_id) for account_id in accounts_in(stack)]
    invoices = sorted(int(r.invoice.number) for ledger in ledgers if ledger for r in ledger.invoices)
    assert invoices == list(range(1, 13))
    from_webhook = store.load_ledger("from-webhook")
    assert from_webhook is not None and sorted(r.invoice.number for r in from_webhook.invoices) == ["3", "9"]
    assert store.timeline("from-webhook") == []  # the upload opened nothing for it
