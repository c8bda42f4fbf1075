"""Escalation on the local stack: the template's functions, the table and the one-time wake-ups, with the clock moved
by hand. Padaria Estrela (owned by Ana, whose manager is Carla, who reads English) owes R$ 1.500,00 due on 9 November
2026 and is suspended by the 08:00 sweep of 1 December; the suspension alert reaches Ana in person, and is escalated
to Carla at 09:00 unless Ana acknowledges it first (`AlertEscalationMinutes`, 60 by default)."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from typing import Any

import pytest

from infra.local import LocalStack
from ponte.adapters import keys
from ponte.adapters.dynamodb import DynamoStore, deserialize_item, serialize_item
from ponte.adapters.escalations import Escalations
from ponte.domain.escalation import pending_for
from ponte.domain.notifications import Audience, Notification, Severity, Team
from ponte.services.escalation import EscalationRun, escalate_due
from tests.collections_support import COLLECTION_BODIES, invoice, local
from tests.integration.test_staff_api import ANA, Api, seed
from tests.staff_api_support import with_search_index
from tests.staff_support import directory_document, person

DUE = date(2026, 11, 9)
SUSPENDED_AT = local(date(2026, 12, 1), 8)  # the daily sweep's run that suspends the account
CARLA_PHONE = "+5511912345678"


@pytest.fixture
def staffed(stack: LocalStack) -> LocalStack:
    """The stack with its staff directory set (Carla, Ana's manager, reads English) and Padaria Estrela seeded."""
    document = directory_document()
    document["people"] = [p for p in document["people"] if p["id"] != "carla"] + [
        person("carla", "Carla Mendes", locale="en", phone=CARLA_PHONE, teams=["sales", "collections"])
    ]
    stack.client("ssm").put_parameter(
        Name=stack.physical_id("StaffDirectoryParameter"), Value=json.dumps(document), Type="String", Overwrite=True
    )
    seed(stack, "padaria", invoice("NF-1", DUE))
    return stack


def escalations_to_carla(stack: LocalStack) -> list[Any]:
    return [e for e in stack.mailbox("carla@equipe.example") if e.subject.startswith("Alert not acknowledged")]


def escalation_item(stack: LocalStack, alert_id: str) -> dict[str, Any]:
    answer = stack.client("dynamodb").get_item(
        TableName=stack.physical_id("Table"),
        Key=serialize_item(keys.escalation_key("padaria", alert_id)),
        ConsistentRead=True,
    )
    return deserialize_item(answer["Item"])


def suspension_alert_id(stack: LocalStack) -> str:
    (suspended,) = [e for e in stack.mailbox("ana@equipe.example") if e.subject.startswith("Conta suspensa")]
    return suspended.tags["notice_id"]


def test_an_unacknowledged_suspension_alert_reaches_the_manager_once_after_the_delay(staffed: LocalStack) -> None:
    stack = staffed
    stack.advance_to(SUSPENDED_AT)
    alert_id = suspension_alert_id(stack)  # Ana read it, by e-mail (and SMS)
    assert escalations_to_carla(stack) == []

    stack.advance(minutes=59)
    assert escalations_to_carla(stack) == []  # not yet due

    stack.advance(minutes=2)  # the escalation's wake-up ran the sweep at 09:00

    (escalated,) = escalations_to_carla(stack)
    assert escalated.subject == "Alert not acknowledged: Padaria Estrela (account suspended)"
    assert escalated.text.startswith(
        "You receive this notice as the manager of Ana Souza, the account's owner.\n\n"
        "The alert “account suspended” about Padaria Estrela, sent to Ana Souza on 1 Dec 2026, 8:00 AM, was not "
        "acknowledged within 60 minutes."
    )
    assert [s.text for s in stack.sms(CARLA_PHONE)][-1].startswith("Ponte: alert not acknowledged: Padaria Estrela")
    item = escalation_item(stack, alert_id)
    assert (item["outcome"], "due_pk" in item) == ("escalated", False)
    (entry,) = [e for e in DynamoStore(stack.physical_id("Table")).timeline("padaria") if e.what == "alert.escalated"]
    assert entry.facts["notification_id"] == alert_id and entry.facts["owner"] == "ana"
    told = [d for d in stack.published("StaffAlertsTopic") if d.attributes["event_type"] == "alert.escalated"]
    assert [d.attributes["owner"] for d in told] == ["ana"]  # the team topics hear of it too

    stack.advance(days=1)  # the next daily sweep, and one more run of it
    stack.run_schedule("DunningSweepDaily")
    stack.settle()

    assert len(escalations_to_carla(stack)) == 1
    assert stack.failures == []


def test_an_alert_acknowledged_in_time_is_not_escalated(staffed: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = staffed
    with_search_index(stack)
    api = Api(stack, monkeypatch)
    stack.advance_to(SUSPENDED_AT)
    alert_id = suspension_alert_id(stack)
    stack.advance(minutes=30)

    status, _ = api.act(ANA, "acknowledge", {"notification_id": alert_id})
    stack.advance(hours=3)

    assert status == 200
    assert escalations_to_carla(stack) == []
    item = escalation_item(stack, alert_id)
    assert (item["outcome"], "due_pk" in item) == ("acknowledged", False)
    assert not any(e.what == "alert.escalated" for e in DynamoStore(stack.physical_id("Table")).timeline("padaria"))


def test_two_sweeps_at_once_escalate_an_alert_once(stack: LocalStack) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE))
    alert = Notification(
        notification_id="alert-1",
        audience=Audience.STAFF,
        severity=Severity.CRITICAL,
        team=Team.COLLECTIONS,
        account_id="padaria",
        owner="ana",
        locale="pt-BR",
        occurred_at=stack.now,
        body=COLLECTION_BODIES["account.suspended"],
    )
    pending = pending_for(alert, owner_name="Ana Souza", sent_at=stack.now, minutes=60)
    assert pending is not None
    table = stack.physical_id("Table")
    assert Escalations(table).add(pending) and not Escalations(table).add(pending)  # recorded once
    start = threading.Barrier(2)
    runs: list[EscalationRun] = []

    def sweep() -> None:
        start.wait()
        runs.append(escalate_due(Escalations(table), now=stack.now + timedelta(hours=1), locale="pt-BR"))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(len(run.escalated) for run in runs) == [0, 1]
    outbox = [
        item
        for item in stack.client("dynamodb").query(
            TableName=table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :outbox)",
            ExpressionAttributeValues=serialize_item({":pk": keys.account_pk("padaria"), ":outbox": "OUTBOX#"}),
        )["Items"]
        if deserialize_item(item).get("event_type") == "alert.escalated"
    ]
    assert len(outbox) == 1
