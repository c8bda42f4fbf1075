"""The collections ladder on the local stack: the schedule, the sweep, the worker, the notifier and the digest.

Padaria Estrela owes one invoice of R$ 1.500,00 due on Monday 9 November 2026. With the default policy, counted in
Brazilian business days (20/11 is a national holiday): reminders on 4/11 and 9/11, overdue notices on 10/11 and
16/11, the final warning on 24/11 naming 30/11 as the deadline, suspension on 1/12 at the 08:00 sweep.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import yaml

from infra.local import LocalStack
from infra.local.template import load_template
from ponte.adapters.dynamodb import DynamoStore, account_item, serialize_item, utc_key
from ponte.domain.accounts import Contact, next_version
from ponte.domain.changes import AccountChange
from ponte.domain.ledger import InvoiceRecord, PaymentRecord
from ponte.domain.money import Money
from ponte.domain.policy import default_policy_text
from ponte.services.accounts import OpenAccount, opening_change
from ponte.services.collections import change_for, decide
from tests.collections_support import ZONE, invoice, local
from tests.support import ROOT, sample_event

DUE = date(2026, 11, 9)
SAO_PAULO = "America/Sao_Paulo"


def store_of(stack: LocalStack) -> DynamoStore:
    return DynamoStore(stack.physical_id("Table"))


def seed(
    stack: LocalStack, account_id: str, *invoices: InvoiceRecord, due_at: datetime | None = None, **account: Any
) -> None:
    """Open the account and record its invoices, due for evaluation at `due_at` (default: now)."""
    store = store_of(stack)
    opening = opening_change(
        OpenAccount(
            account_id=account_id,
            name=account.pop("name", "Padaria Estrela"),
            locale="pt-BR",
            contact=Contact(name="João Silva", email="joao@padaria.example", phone="+5511988887777"),
            owner="ana",
        ),
        now=stack.now,
        staff_locale="pt-BR",
        source="test",
    )
    store.commit(opening)
    updated = next_version(opening.account, next_evaluation_at=due_at or stack.now, **account)
    store.commit(AccountChange(account=updated, recorded_at=stack.now, expected_version=0, invoices=invoices))
    stack.settle()


def customer_notices(stack: LocalStack, account_id: str | None = None) -> list[str]:
    return [
        d.attributes["event_type"]
        for d in stack.published("CustomerNoticesTopic")
        if account_id is None or d.attributes.get("account_id") == account_id
    ]


def staff(stack: LocalStack, event_type: str) -> list[Any]:
    return [d for d in stack.published("StaffAlertsTopic", "email") if d.attributes["event_type"] == event_type]


def table_items(stack: LocalStack) -> list[dict[str, Any]]:
    scan = stack.client("dynamodb").scan(TableName=stack.physical_id("Table"))["Items"]
    return sorted(scan, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def sweep_at(stack: LocalStack, day: date, hour: int = 8) -> None:
    """Advance to `day` at `hour` local time; the schedules due on the way fire."""
    stack.advance_to(local(day, hour))


def test_thirty_days_of_collections_end_to_end(stack: LocalStack) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE))
    seed(stack, "em-dia", invoice("NF-2", DUE), name="Mercado Em Dia")  # pays on the due date
    sent_on: dict[str, list[date]] = {}
    day = stack.now.astimezone(ZONE).date()
    end = day + timedelta(days=30)
    while day < end:
        day += timedelta(days=1)
        before = len(customer_notices(stack, "padaria"))
        sweep_at(stack, day, 9)
        for kind in customer_notices(stack, "padaria")[before:]:
            sent_on.setdefault(kind, []).append(day)
        if day == DUE:
            pay(stack, "em-dia", "NF-2", 150_000)
        if day == date(2026, 12, 2):
            pay(stack, "padaria", "NF-1", 150_000)

    # Each notice once, on its day; suspension only after the deadline named in the final warning.
    assert sent_on == {
        "customer.payment_reminder": [date(2026, 11, 4), date(2026, 11, 9)],
        "customer.overdue_notice": [date(2026, 11, 10), date(2026, 11, 16)],
        "customer.final_warning": [date(2026, 11, 24)],
        "customer.suspended": [date(2026, 12, 1)],
    }
    warning = next(d for d in stack.published("CustomerNoticesTopic", "sms") if "Ultimo aviso" in d.message)
    assert warning.message == (
        "Ultimo aviso: pague R$ 1.500,00 ate 30/11/2026 para evitar a suspensao do servico. "
        "Multa e juros (R$ 37,50) virao em proxima fatura."
    )  # the principal; the 2% fine and 15 days of 1%/month come on a later invoice
    assert customer_notices(stack, "padaria")[-1] == "customer.reactivated"
    reminders = ["customer.payment_reminder"] * 2
    assert customer_notices(stack, "em-dia") == ["customer.welcome", *reminders]

    [suspended] = staff(stack, "account.suspended")
    assert suspended.attributes["owner"] == "ana" and suspended.attributes["severity"] == "critical"
    assert "Prazo informado ao cliente: 30/11/2026" in suspended.message
    assert "aviso final (SMS: enviado), prazo 30/11/2026" in suspended.message
    sms = stack.inbox("StaffAlertsTopic")["sms:+5511999990000"]
    assert [d.attributes["event_type"] for d in sms] == ["account.suspended"]  # the only critical alert

    platform = [
        (e["detail-type"], e["detail"]["account_id"]) for e in stack.platform_events() if e["source"] == "ponte"
    ]
    assert [p for p in platform if p[0].startswith("account.") and p[0] != "account.opened"] == [
        ("account.suspended", "padaria"),
        ("account.reactivated", "padaria"),
    ]
    account = store_of(stack).get_account("padaria")
    assert account is not None and account.status.value == "active"
    whats = [entry.what for entry in store_of(stack).timeline("padaria")]
    assert whats.index("account.suspended") > whats.index("collections.final_warning")
    assert whats[-1] == "account.reactivated"

    digests = staff(stack, "collections.digest")
    business_days = [d for d in (date(2026, 11, 3) + timedelta(n) for n in range(30)) if d.weekday() < 5]
    business_days.remove(date(2026, 11, 20))  # Dia da Consciência Negra
    assert len(digests) == len(business_days)
    [december_first] = [d for d in digests if "01/12/2026" in (d.subject or "")]
    assert "Suspensas desde o último resumo: 1 conta\n- Padaria Estrela: R$" in december_first.message
    assert not stack.failures


def pay(stack: LocalStack, account_id: str, invoice_key: str, cents: int) -> None:
    """A payment recorded with the immediate reaction the payment webhooks use."""
    store = store_of(stack)
    ledger = store.load_ledger(account_id)
    assert ledger is not None
    received = PaymentRecord(
        provider="test",
        payment_id=f"pay-{account_id}",
        amount=Money(amount=cents, currency="BRL"),
        received_at=stack.now,
        invoice_key=invoice_key,
    )
    ledger = ledger.model_copy(update={"payments": (*ledger.payments, received)})
    decision = decide(ledger, now=stack.now, policy=_policy(), time_zone=SAO_PAULO, holidays=_holidays())
    cause = f"test:payment:{account_id}"
    change = change_for(ledger, decision, now=stack.now, staff_locale="pt-BR", cause=cause, immediate_only=True)
    if change is None:
        change = AccountChange(
            account=next_version(ledger.account),
            recorded_at=stack.now,
            expected_version=ledger.account.version,
            dedup_key=cause,
        )
    store.commit(change.model_copy(update={"payments": (received,)}))
    stack.settle()


def _policy() -> Any:
    from ponte.domain.policy import default_policy

    return default_policy()


def _holidays() -> frozenset[date]:
    from ponte.calendar import business_holidays

    return business_holidays("BR", [2026, 2027])


def test_running_the_sweep_twice_equals_running_it_once(stack: LocalStack) -> None:
    for name in ("a", "b", "c"):
        seed(stack, name, invoice(f"NF-{name}", DUE), due_at=local(date(2026, 11, 1)))
    stack.run_schedule("DunningSweepDaily")
    once = table_items(stack)
    stack.run_schedule("DunningSweepDaily")
    assert table_items(stack) == once
    assert Counter(customer_notices(stack)) == {"customer.welcome": 3}  # nothing due yet: reminders from 4/11


def test_a_retried_batch_and_overlapping_runs_send_nothing_twice(stack: LocalStack) -> None:
    seed(stack, "padaria", invoice("NF-1", date(2026, 11, 5)))  # the 3-day reminder is due today
    worker = stack.functions["DunningWorker"]
    job = {"account_id": "padaria", "now": stack.now.isoformat(), "run": "run-1", "flags": []}
    event = sample_event("dunning-worker-sqs.json")
    record = {**event["Records"][0], "body": json.dumps(job)}
    batch = {"Records": [record]}

    results: list[Any] = []
    with worker.environment_applied():  # boto3 does not build clients safely from several threads: build them now
        wiring = worker.module()._wiring()
        assert wiring.store.client is not None and wiring.policies.client is not None and wiring.book.client is not None

    def deliver(body: dict[str, Any]) -> None:
        results.append(stack._invoke(worker, {"Records": [{**record, "body": json.dumps(body)}]}))

    # Two runs of the sweep overlapping on the same account, and the same batch delivered again.
    threads = [threading.Thread(target=deliver, args=({**job, "run": f"run-{n}"},)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.append(stack._invoke(worker, batch))
    stack.settle()
    assert all(result == {"batchItemFailures": []} for result in results)
    assert customer_notices(stack, "padaria") == ["customer.welcome", "customer.payment_reminder"]


def test_a_worker_failure_mid_batch_redelivers_only_the_failed_account(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a", "b", "c"):
        seed(stack, name, invoice(f"NF-{name}", date(2026, 11, 5)))
    evaluated: Counter[str] = Counter()
    crashed: list[str] = []
    load, commit = DynamoStore.load_ledger, DynamoStore.commit

    def counting_load(self: DynamoStore, account_id: str) -> Any:
        evaluated[account_id] += 1
        return load(self, account_id)

    def crash_once_on_b(self: DynamoStore, change: AccountChange) -> None:
        commit(self, change)
        if change.account.account_id == "b" and not crashed:
            crashed.append("b")
            raise RuntimeError("the worker died after writing b")  # the write landed; the batch is not acknowledged

    monkeypatch.setattr(DynamoStore, "load_ledger", counting_load)
    monkeypatch.setattr(DynamoStore, "commit", crash_once_on_b)
    stack.run_schedule("DunningSweepDaily")

    assert crashed == ["b"]
    assert evaluated == {"a": 1, "b": 2, "c": 1}  # only b came back
    for name in ("a", "b", "c"):
        assert customer_notices(stack, name) == ["customer.welcome", "customer.payment_reminder"]
    assert stack.queue_messages("DunningWorkDeadLetterQueue") == []


def test_an_account_with_invalid_data_is_skipped_with_a_staff_alert_and_the_others_go_on(stack: LocalStack) -> None:
    seed(stack, "good", invoice("NF-1", date(2026, 11, 5)))
    seed(stack, "broken", invoice("NF-2", date(2026, 11, 5)))
    ledger = store_of(stack).load_ledger("broken")
    assert ledger is not None
    item = account_item(ledger.account)
    item["locale"] = "xx-XX"  # written by hand, or by an older version of some tool
    stack.client("dynamodb").put_item(TableName=stack.physical_id("Table"), Item=serialize_item(item))

    stack.run_schedule("DunningSweepDaily")
    stack.run_schedule("DunningSweepDaily")  # still broken the next time: alerted once for the same problem

    assert customer_notices(stack, "good") == ["customer.welcome", "customer.payment_reminder"]
    assert customer_notices(stack, "broken") == ["customer.welcome"]
    [alert] = staff(stack, "collections.alert")
    assert alert.attributes["account_id"] == "broken" and alert.attributes["team"] == "collections"
    assert "(idioma)" in alert.message  # the part that is wrong, in the reader's words; never its value or name
    assert "xx-XX" not in alert.message and "locale" not in alert.message
    assert not stack.failures


def test_an_invalid_policy_in_ssm_is_refused_and_the_last_valid_one_stays(stack: LocalStack) -> None:
    seed(stack, "padaria", invoice("NF-1", date(2026, 11, 5)))
    ssm = stack.client("ssm")
    name = stack.physical_id("DunningPolicyParameter")
    broken = json.loads(default_policy_text())
    broken["version"] = 2
    broken["fees"]["late_fee_percent"] = "10"  # above the 2% cap
    ssm.put_parameter(Name=name, Value=json.dumps(broken), Type="String", Overwrite=True)

    stack.run_schedule("DunningSweepDaily")

    assert customer_notices(stack, "padaria") == ["customer.welcome", "customer.payment_reminder"]
    [alert] = staff(stack, "collections.alert")
    assert "Política de cobrança recusada" in alert.message
    assert "A versão 2 da política de cobrança foi recusada; a versão 1 continua em vigor" in alert.message
    assert "ponte policy check" in alert.message  # where the operator reads what is wrong
    assert "late_fee_percent" not in alert.message  # a field name is for the command's output, not the alert
    assert alert.attributes["severity"] == "critical"


def test_a_missed_day_is_caught_up_on_the_next_run(stack: LocalStack) -> None:
    # Due for evaluation since 4/11 (the reminder) and 9/11 (due date): the sweeps of those days never ran.
    seed(stack, "padaria", invoice("NF-1", DUE), due_at=local(date(2026, 11, 4), 0))
    stack._now = local(date(2026, 11, 10), 8).astimezone(stack.now.tzinfo)  # no schedule fired meanwhile
    stack.run_schedule("DunningSweepDaily")
    # Only the latest of the notices due goes out, once.
    assert customer_notices(stack, "padaria") == ["customer.welcome", "customer.overdue_notice"]


def test_a_flag_from_a_bulk_writer_is_evaluated_and_cleared_and_a_newer_one_is_kept(stack: LocalStack) -> None:
    seed(stack, "padaria", invoice("NF-1", date(2026, 11, 5)), due_at=local(date(2026, 12, 24)))
    client, table = stack.client("dynamodb"), stack.physical_id("Table")
    key = serialize_item({"pk": "ACCOUNT#padaria", "sk": "LEDGER#INVOICE#NF-1"})
    flagged = utc_key(stack.now)
    client.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET due_pk = :due, due_at = :at",
        ExpressionAttributeValues=serialize_item({":due": "DUE", ":at": flagged}),
    )
    stack.run_schedule("DunningSweepDaily")
    assert customer_notices(stack, "padaria") == ["customer.welcome", "customer.payment_reminder"]
    item = client.get_item(TableName=table, Key=key)["Item"]
    assert "due_pk" not in item and "due_at" not in item

    # A flag set again after the sweep read it is newer than the evaluation: the worker leaves it.
    from ponte.services.dunning import Job

    client.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET due_pk = :due, due_at = :at",
        ExpressionAttributeValues=serialize_item({":due": "DUE", ":at": "2026-11-02T12:30:00Z"}),
    )
    stale = Job(account_id="padaria", now=stack.now, run="run-x", flags=(("LEDGER#INVOICE#NF-1", flagged),))
    stack._invoke(stack.functions["DunningWorker"], {"Records": [{**_sqs_record(), "body": stale.model_dump_json()}]})
    item = client.get_item(TableName=table, Key=key)["Item"]
    assert item["due_at"] == {"S": "2026-11-02T12:30:00Z"}


def _sqs_record() -> dict[str, Any]:
    return dict(sample_event("dunning-worker-sqs.json")["Records"][0])


def test_the_sample_events_drive_the_functions(stack: LocalStack) -> None:
    sweep = stack._invoke(stack.functions["DunningSweep"], sample_event("dunning-sweep-schedule.json"))
    assert sweep["accounts"] == 0
    worker = stack._invoke(stack.functions["DunningWorker"], sample_event("dunning-worker-sqs.json"))
    assert worker == {"batchItemFailures": []}  # accounts that do not exist: nothing to do
    digest = stack._invoke(stack.functions["CollectionsDigest"], sample_event("collections-digest-schedule.json"))
    assert digest["written"] is True


def test_the_deployed_policy_is_the_documented_default() -> None:
    template = load_template(ROOT / "template.yaml")
    value = template["Resources"]["DunningPolicyParameter"]["Properties"]["Value"]
    assert json.loads(value) == json.loads(default_policy_text())
    assert yaml.safe_load(default_policy_text()) is not None


def test_two_evaluations_that_really_overlap_write_the_notice_once(stack: LocalStack) -> None:
    """Both read the account before either writes (a barrier holds them), as two sweeps running at once would."""
    from ponte.adapters.collections_book import CollectionsBook
    from ponte.domain.policy import default_policy
    from ponte.services.dunning import Collections, Job, Outcome, evaluate_account

    seed(stack, "padaria", invoice("NF-1", date(2026, 11, 5)))
    both_read = threading.Barrier(2)

    class OverlappingStore(DynamoStore):
        reads = 0

        def load_ledger(self, account_id: str, depth: int = 0) -> Any:
            ledger = super().load_ledger(account_id, depth)
            OverlappingStore.reads += 1
            if OverlappingStore.reads <= 2:
                both_read.wait(timeout=10)
            return ledger

    store = OverlappingStore(stack.physical_id("Table"))
    book = CollectionsBook(stack.physical_id("Table"), client=store.client)
    deps = Collections(
        store=store,
        book=book,
        policy=default_policy(),
        time_zone=SAO_PAULO,
        holidays=_holidays(),
        staff_locale="pt-BR",
    )
    outcomes: list[Outcome] = []

    def run(name: str) -> None:
        outcomes.append(evaluate_account(Job(account_id="padaria", now=stack.now, run=name), deps)[0])

    threads = [threading.Thread(target=run, args=(f"run-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stack.settle()
    assert OverlappingStore.reads == 3  # the loser read again after its write was refused
    assert sorted(outcomes) == [Outcome.CHANGED, Outcome.UNCHANGED]
    assert customer_notices(stack, "padaria") == ["customer.welcome", "customer.payment_reminder"]
