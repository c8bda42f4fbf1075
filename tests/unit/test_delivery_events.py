"""SES's events about customer e-mail become each notice's evidence: the receipt's status and history, the account's
timeline, and for an address that bounced for good or complained, a mark and one alert to the account's owner.
Duplicated, out-of-order, unknown and malformed events are harmless.

The events are the records SES publishes to SNS, built by the local stack in the shapes of AWS's examples
(infra/local/delivery.py); the rendering failure, which the local stack does not make, is AWS's example.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.local import delivery
from ponte.domain.accounts import LOCALES, Account, Contact, Locale, TimelineEntry
from ponte.domain.bodies.delivery import (
    HISTORY_SIZE,
    CustomerUnreachable,
    EmailEvent,
    EmailEvidence,
    NoticeEvidence,
)
from ponte.domain.errors import ConcurrentModification
from ponte.domain.notifications import Audience, Notification, Severity, Team, from_tag_value, tag_value
from ponte.messages import render
from ponte.messages.formatting import Formatter
from ponte.messages.text import SMS_SEPTETS, septets
from ponte.services.delivery_events import (
    ATTEMPTS,
    EvidenceWrite,
    Outcome,
    Recorded,
    parse_ses_event,
    record_email_event,
)
from tests.support import T0

CUSTOMER = "joao.silva@cliente.example"
ACCOUNT = Account(
    account_id="padaria-estrela",
    name="Padaria Estrela",
    owner="ana",
    locale="pt-BR",
    contact=Contact(name="João Silva", email=CUSTOMER, phone="+5511988887777"),
    created_at=T0 - timedelta(days=30),
)
EMAIL = delivery.Email(
    message_id="0100019a4f3c2b1a-7c3e5f2a-000000",
    from_="Padaria Estrela <avisos@padaria.example>",
    to=(CUSTOMER,),
    subject="Boas-vindas, João Silva",
    text="Olá, João!",
    html="<p>Olá, João!</p>",
    reply_to=("financeiro@padaria.example",),
    tags={"notice_id": "n-1", "account_id": "padaria-estrela", "kind": "customer_welcome"},
    configuration_set="ponte-local-CustomerDeliveryConfigurationSet",
    sent_at=T0,
)


def ses(kind: str, seconds: float = 5, email: delivery.Email = EMAIL, **details: Any) -> str:
    """The message SES publishes for `email` `seconds` after it was sent (the SNS notification's Message)."""
    record = delivery.ses_event(
        kind,
        email,
        CUSTOMER,
        identity="avisos@padaria.example",
        region="us-east-1",
        account_id="123456789012",
        now=T0 + timedelta(seconds=seconds),
        details=details,
    )
    return json.dumps(record, ensure_ascii=False)


def rendering_failure(email: delivery.Email = EMAIL) -> str:
    """AWS's Rendering Failure example ("Examples of event data that Amazon SES publishes to Amazon SNS")."""
    mail = json.loads(ses("send", email=email))["mail"]
    failure = {"errorMessage": "Attribute 'name' is not present in the rendering data.", "templateName": "notice"}
    return json.dumps({"eventType": "Rendering Failure", "mail": mail, "failure": failure})


@dataclass
class Records:
    """The `EvidenceRecords` port in memory, with DynamoDB's conditions: the receipt only at the revision read,
    the mark only for an address not marked yet."""

    accounts: dict[str, Account] = field(default_factory=lambda: {ACCOUNT.account_id: ACCOUNT})
    evidence: dict[tuple[str, str], EmailEvidence] = field(default_factory=dict)
    marks: dict[str, set[str]] = field(default_factory=dict)  # account -> addresses (the table keeps hashes)
    timeline: dict[tuple[str, str, str, str], TimelineEntry] = field(default_factory=dict)
    outbox: dict[str, Notification] = field(default_factory=dict)
    writes: list[EvidenceWrite] = field(default_factory=list)
    reads: int = 0
    conflicts: int = 0  # the next N writes are refused as concurrent

    def sent(self, notice_id: str = "n-1", message_id: str = EMAIL.message_id) -> Records:
        self.evidence[(ACCOUNT.account_id, notice_id)] = EmailEvidence(
            message_id=message_id, status="accepted", status_at=T0
        )
        return self

    def notice_evidence(self, account_id: str, notice_id: str, address: str | None) -> NoticeEvidence:
        self.reads += 1
        marked = self.marks.get(account_id, set())
        return NoticeEvidence(
            evidence=self.evidence.get((account_id, notice_id)),
            account=self.accounts.get(account_id),
            already_unreachable=address is not None and address.lower() in marked,
        )

    def record_evidence(self, write: EvidenceWrite) -> None:
        event = write.event
        current = self.evidence.get((event.account_id, event.notice_id))
        if self.conflicts:
            self.conflicts -= 1
            raise ConcurrentModification("someone else wrote first")
        if current is None or current.revision != write.seen_revision:
            raise ConcurrentModification("the receipt moved on")
        if write.unreachable is not None:
            assert event.recipient is not None
            if event.recipient.lower() in self.marks.get(event.account_id, set()):
                raise ConcurrentModification("marked meanwhile")
            self.marks.setdefault(event.account_id, set()).add(event.recipient.lower())
        self.evidence[(event.account_id, event.notice_id)] = write.evidence
        if write.timeline is not None:
            key = (event.account_id, write.timeline.at.isoformat(), event.notice_id, event.kind)
            self.timeline[key] = write.timeline
        if write.alert is not None:
            self.outbox[write.alert.notification_id] = write.alert
        self.writes.append(write)

    def receipt(self, notice_id: str = "n-1") -> EmailEvidence:
        return self.evidence[(ACCOUNT.account_id, notice_id)]


def record(records: Records, message: str, locale: Locale = "pt-BR") -> Recorded:
    return record_email_event(message, records, staff_locale=locale, now=T0 + timedelta(minutes=1))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# Every kind of event, as SES publishes it.


@pytest.mark.parametrize(
    ("message", "status", "history", "timeline"),
    [
        (ses("send", 0), "accepted", [("send", at(0), None)], None),
        (ses("delivery", 3), "delivered", [("delivery", at(3), None)], "customer_notice.delivered"),
        (
            ses("delivery_delay", 60),
            "delayed",
            [("delivery_delay", at(60), "TransientCommunicationFailure")],
            None,
        ),
        (ses("reject", 0), "rejected", [("reject", at(0), "Bad content")], "customer_notice.rejected"),
        (
            rendering_failure(),
            "rendering_failed",
            [("rendering_failure", at(0), "notice")],
            "customer_notice.rendering_failed",
        ),
        (
            ses("bounce", 5, bounceType="Transient", bounceSubType="MailboxFull"),
            "bounced",
            [("bounce", at(5), "Transient/MailboxFull")],
            "customer_notice.bounced",
        ),
        (ses("complaint", 90), "complained", [("complaint", at(90), "abuse")], "customer_notice.complained"),
    ],
    ids=["send", "delivery", "delay", "reject", "rendering-failure", "transient-bounce", "complaint"],
)
def test_each_event_moves_the_receipt_and_shows_the_outcomes_in_the_timeline(
    message: str, status: str, history: list[tuple[str, datetime, str | None]], timeline: str | None
) -> None:
    records = Records().sent()

    result = record(records, message)

    assert result.outcome is Outcome.RECORDED and result.status == status
    receipt = records.receipt()
    assert receipt.status == status
    assert [(e.event, e.at, e.detail) for e in receipt.history] == history
    assert receipt.status_at == (history[0][1] if status != "accepted" else T0)
    entries = list(records.timeline.values())
    assert [e.what for e in entries] == ([timeline] if timeline else [])
    for entry in entries:
        assert entry.at == history[0][1] and entry.account_id == "padaria-estrela"
        assert entry.facts["notice_id"] == "n-1" and entry.facts["message_id"] == EMAIL.message_id
        assert entry.source == f"ses:{EMAIL.message_id}"
        assert CUSTOMER not in json.dumps(entry.model_dump(mode="json"))


def test_a_permanent_bounce_marks_the_address_and_alerts_the_owner_once() -> None:
    records = Records().sent()

    result = record(records, ses("bounce", 5))  # AWS's example: Permanent / General

    assert result.marked_unreachable
    receipt = records.receipt()
    assert (receipt.status, receipt.bounce_type, receipt.bounce_subtype) == ("bounced", "Permanent", "General")
    assert records.marks == {"padaria-estrela": {CUSTOMER}}
    (entry,) = records.timeline.values()
    assert entry.facts["bounce_type"] == "Permanent" and entry.facts["bounce_subtype"] == "General"
    assert entry.facts["unreachable"] == "email" and "marked unreachable" in entry.why
    (alert,) = records.outbox.values()
    assert alert.audience is Audience.STAFF and alert.owner == "ana" and alert.team is Team.COLLECTIONS
    assert alert.severity is Severity.WARNING and alert.occurred_at == at(5) and alert.locale == "pt-BR"
    assert alert.body == CustomerUnreachable(
        reason="bounced",
        notice="customer_welcome",
        customer_name="Padaria Estrela",
        bounce_type="Permanent",
        bounce_subtype="General",
    )
    assert len(records.writes) == 1  # receipt, timeline, mark and alert: one write


def test_an_event_about_a_notice_of_an_account_since_merged_is_recorded_on_the_survivor() -> None:
    """The notice went to Padaria Estrela's account before a payment showed it to be another account's customer:
    its receipt was copied to the survivor, whose ladder reads it, and SES's later bounce is recorded there."""
    survivor = ACCOUNT.model_copy(update={"account_id": "padaria-nfe", "owner": "bia"})
    absorbed = ACCOUNT.model_copy(update={"merged_into": survivor.account_id})
    records = Records(accounts={absorbed.account_id: absorbed, survivor.account_id: survivor})
    receipt = EmailEvidence(message_id=EMAIL.message_id, status="accepted", status_at=T0)
    records.evidence = {(absorbed.account_id, "n-1"): receipt, (survivor.account_id, "n-1"): receipt}

    result = record(records, ses("bounce", 5))

    assert result.outcome is Outcome.RECORDED and result.marked_unreachable
    assert records.evidence[(survivor.account_id, "n-1")].status == "bounced"
    assert records.evidence[(absorbed.account_id, "n-1")] == receipt
    assert records.marks == {survivor.account_id: {CUSTOMER}}
    assert [key[0] for key in records.timeline] == [survivor.account_id]
    (alert,) = records.outbox.values()
    assert (alert.account_id, alert.owner) == (survivor.account_id, "bia")


def test_a_second_bounce_of_the_same_address_writes_no_second_mark_nor_alert() -> None:
    second = replace(EMAIL, message_id="0100-second-000000", tags={**EMAIL.tags, "notice_id": "n-2"})
    records = Records().sent().sent("n-2", second.message_id)

    record(records, ses("bounce", 5))
    result = record(records, ses("bounce", 7, email=second, bounceSubType="NoEmail"))

    assert result.outcome is Outcome.RECORDED and not result.marked_unreachable
    assert records.receipt("n-2").status == "bounced"
    assert len(records.outbox) == 1
    assert [w.unreachable for w in records.writes] == ["bounced", None]
    assert len(records.timeline) == 2  # each notice's bounce is in the timeline


def test_a_complaint_marks_the_address_but_a_not_spam_report_does_not() -> None:
    records = Records().sent()
    assert record(records, ses("complaint", 90, complaintFeedbackType="not-spam")).marked_unreachable is False
    assert records.marks == {} and records.outbox == {}

    other = replace(EMAIL, message_id="0100-other-000000", tags={**EMAIL.tags, "notice_id": "n-2"})
    records.sent("n-2", other.message_id)
    result = record(records, ses("complaint", 95, email=other))

    assert result.marked_unreachable
    (alert,) = records.outbox.values()
    assert isinstance(alert.body, CustomerUnreachable)
    assert (alert.body.reason, alert.body.complaint_type) == ("complained", "abuse")


@pytest.mark.parametrize(
    "message",
    [ses("bounce", 5, bounceType="Transient", bounceSubType="General"), ses("bounce", 5, bounceType="Undetermined")],
)
def test_a_bounce_that_may_not_last_marks_nothing(message: str) -> None:
    records = Records().sent()
    assert record(records, message).marked_unreachable is False
    assert records.marks == {} and records.outbox == {}


# Out of order, twice, concurrently.


@pytest.mark.parametrize(
    ("first", "then", "status"),
    [
        (ses("bounce", 5), ses("delivery", 3), "bounced"),
        (ses("delivery", 3), ses("bounce", 5), "bounced"),  # accepted by the server, then returned
        (ses("complaint", 90), ses("delivery", 3), "complained"),
        (ses("delivery", 3), ses("delivery_delay", 2), "delivered"),
        (ses("reject", 0), ses("send", 0), "rejected"),
    ],
)
def test_a_late_event_never_undoes_a_more_final_one(first: str, then: str, status: str) -> None:
    records = Records().sent()
    record(records, first)
    assert record(records, then).outcome is Outcome.RECORDED
    receipt = records.receipt()
    assert receipt.status == status
    assert [e.at for e in receipt.history] == sorted(e.at for e in receipt.history)  # in the order they happened
    assert len(receipt.history) == 2


@given(st.permutations([ses("send", 0), ses("delivery_delay", 2), ses("delivery", 3), ses("bounce", 5)]))
def test_the_outcome_does_not_depend_on_the_order_of_arrival(arrival: list[str]) -> None:
    records = Records().sent()
    for message in arrival:
        record(records, message)
    receipt = records.receipt()
    assert (receipt.status, receipt.status_at, receipt.revision) == ("bounced", at(5), 4)
    assert [e.event for e in receipt.history] == ["send", "delivery_delay", "delivery", "bounce"]
    assert len(records.outbox) == 1 and len(records.timeline) == 2


def test_the_same_event_twice_is_recorded_once() -> None:
    records = Records().sent()
    assert record(records, ses("bounce", 5)).outcome is Outcome.RECORDED
    before = (records.receipt(), dict(records.timeline), dict(records.outbox))

    again = record(records, ses("bounce", 5))  # SNS delivers at least once

    assert again.outcome is Outcome.REPLAY and again.status == "bounced"
    assert (records.receipt(), dict(records.timeline), dict(records.outbox)) == before
    assert len(records.writes) == 1


def test_the_history_stays_short() -> None:
    records = Records().sent()
    for minute in range(HISTORY_SIZE + 5):
        record(records, ses("delivery_delay", 60 * (minute + 1)))
    history = records.receipt().history
    assert len(history) == HISTORY_SIZE and history[-1].at == at(60 * (HISTORY_SIZE + 5))


def test_a_write_that_lost_a_race_reads_again_and_is_not_lost() -> None:
    records = Records().sent()
    records.conflicts = ATTEMPTS - 1
    assert record(records, ses("delivery", 3)).outcome is Outcome.RECORDED
    assert records.receipt().status == "delivered" and records.reads == ATTEMPTS


def test_after_as_many_races_as_attempts_the_trigger_retries() -> None:
    records = Records().sent()
    records.conflicts = ATTEMPTS
    with pytest.raises(ConcurrentModification):
        record(records, ses("delivery", 3))
    assert records.receipt().status == "accepted"


def test_an_address_marked_meanwhile_is_not_alerted_twice() -> None:
    records = Records().sent()

    class MarkedMeanwhile(Records):
        def record_evidence(self, write: EvidenceWrite) -> None:
            if write.unreachable is not None:
                self.marks["padaria-estrela"] = {CUSTOMER}  # another bounce of the address won the race
            super().record_evidence(write)

    racing = MarkedMeanwhile(evidence=dict(records.evidence))
    result = record(racing, ses("bounce", 5))
    assert result.outcome is Outcome.RECORDED and not result.marked_unreachable
    assert racing.outbox == {} and racing.receipt().status == "bounced"


# Whatever cannot be recorded is dropped, and says why without the payload.


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        ("not json", Outcome.MALFORMED),
        ("[1, 2]", Outcome.MALFORMED),
        (json.dumps({"notificationType": "Bounce"}), Outcome.MALFORMED),
        (ses("send").replace('"Send"', '"Open"'), Outcome.MALFORMED),
        (json.dumps({**json.loads(ses("bounce")), "bounce": {"bounceType": "Permanent"}}), Outcome.MALFORMED),
        (json.dumps({**json.loads(ses("delivery")), "mail": {"messageId": "x"}}), Outcome.MALFORMED),
        (ses("bounce", email=replace(EMAIL, tags={})), Outcome.UNKNOWN_NOTICE),
        (ses("bounce", email=replace(EMAIL, tags={**EMAIL.tags, "notice_id": "n-9"})), Outcome.UNKNOWN_NOTICE),
        (ses("bounce", email=replace(EMAIL, message_id="0100-not-ours")), Outcome.UNKNOWN_NOTICE),
        (ses("bounce", email=replace(EMAIL, tags={**EMAIL.tags, "account_id": "gone"})), Outcome.UNKNOWN_NOTICE),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "identity-notification",
        "open-event",
        "bounce-without-recipients",
        "mail-without-timestamp",
        "untagged",
        "other-notice",
        "other-message",
        "no-such-account",
    ],
)
def test_what_cannot_be_recorded_is_dropped_and_changes_nothing(message: str, outcome: Outcome) -> None:
    records = Records().sent()
    before = records.receipt()

    result = record(records, message)

    assert result.outcome is outcome and result.why
    assert CUSTOMER not in result.why and "550" not in result.why
    assert records.writes == [] and records.receipt() == before


def test_an_account_with_no_receipt_of_that_notice_is_unknown() -> None:
    records = Records()  # the e-mail was refused or held: no message id to match
    assert record(records, ses("delivery", 3)).outcome is Outcome.UNKNOWN_NOTICE


def test_the_parsed_event_keeps_what_the_evidence_needs() -> None:
    event = parse_ses_event(ses("bounce", 5))
    assert event == EmailEvent(
        kind="bounce",
        message_id=EMAIL.message_id,
        notice_id="n-1",
        account_id="padaria-estrela",
        at=at(5),
        notice_kind="customer_welcome",
        recipient=CUSTOMER,
        bounce_type="Permanent",
        bounce_subtype="General",
    )
    assert parse_ses_event(ses("send", 0)).at == T0  # no time of its own: the message's


# The owner's alert, in the reader's language.


@pytest.mark.parametrize(
    ("locale", "subject", "line", "reason"),
    [
        (
            "pt-BR",
            "Cliente sem contato valido: Padaria Estrela",
            "atualize o e-mail",
            "o endereço de e-mail não existe",
        ),
        (
            "es",
            "Cliente sin contacto valido: Padaria Estrela",
            "actualice el correo",
            "la dirección de correo no existe",
        ),
        (
            "en",
            "Customer has no valid contact: Padaria Estrela",
            "update the e-mail",
            "the e-mail address does not exist",
        ),
    ],
)
def test_the_alert_names_the_reason_in_the_readers_language(
    locale: Locale, subject: str, line: str, reason: str
) -> None:
    records = Records().sent()
    record(records, ses("bounce", 5, bounceSubType="NoEmail"), locale=locale)
    (alert,) = records.outbox.values()

    message = render(alert, time_zone="America/Sao_Paulo")

    assert message.subject == subject
    assert line in message.email and reason in message.email and "padaria-estrela" in message.email
    assert septets(message.sms) <= SMS_SEPTETS and line.split(maxsplit=1)[0] in message.sms.lower()
    assert CUSTOMER not in message.email + message.sms


@pytest.mark.parametrize(
    ("locale", "subject", "asked", "wrong"),
    [
        ("pt-BR", "Cliente marcou um aviso como spam: Padaria Estrela", "por onde quer receber", "atualize"),
        ("es", "El cliente marco un aviso como spam: Padaria Estrela", "por dónde quiere recibir", "actualice"),
        ("en", "Customer marked a notice as spam: Padaria Estrela", "how they want to receive", "update"),
    ],
)
def test_a_complaint_asks_how_the_customer_wants_notices_not_for_a_new_address(
    locale: Locale, subject: str, asked: str, wrong: str
) -> None:
    # The address works: the customer marked a notice as spam. Nothing bounced, and nothing needs correcting.
    records = Records().sent()
    record(records, ses("complaint", 90), locale=locale)
    (alert,) = records.outbox.values()

    message = render(alert, time_zone="America/Sao_Paulo")

    assert message.subject == subject
    assert asked in message.email and "spam" in message.sms
    assert wrong not in message.email.lower() and wrong not in message.sms.lower()
    assert "devolvido" not in message.email and "devuelto" not in message.email and "Returned" not in message.email
    assert septets(message.sms) <= SMS_SEPTETS and CUSTOMER not in message.email + message.sms


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "body",
    [
        CustomerUnreachable(
            reason="bounced", notice="collection_notice", bounce_type="Permanent", bounce_subtype="General"
        ),
        CustomerUnreachable(reason="bounced", notice="x", bounce_type="Permanent", bounce_subtype="Suppressed"),
        CustomerUnreachable(reason="complained", notice="x", customer_name="Padaria Estrela", complaint_type="abuse"),
    ],
)
def test_every_alert_fits_its_channels(locale: Locale, body: CustomerUnreachable) -> None:
    alert = Notification(
        notification_id="a-1",
        audience=Audience.STAFF,
        account_id="padaria-estrela",
        locale=locale,
        occurred_at=T0,
        body=body,
    )
    message = render(alert, time_zone="America/Sao_Paulo")
    assert message.subject.isascii() and len(message.subject) < 100
    assert septets(message.sms) <= SMS_SEPTETS
    assert message.machine["event_type"] == "customer.unreachable"
    assert Formatter(locale, "America/Sao_Paulo").moment(T0) in message.email


@pytest.mark.parametrize("identifier", ["acct-3f9a", "loja.sp:01", "cliente@ref", "a_b", "São-José/12", "_2e"])
def test_ids_survive_the_trip_through_ses_tags(identifier: str) -> None:
    tag = tag_value(identifier)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", tag)
    assert from_tag_value(tag) == identifier
