"""Customer notices reach the customer: e-mail and SMS once each, signed by the business, held while the business's
identity is not set, and a refusal recorded and told instead of retried forever."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import cast

import pytest

from ponte.domain.accounts import Contact
from ponte.domain.bodies.accounts import CustomerWelcome
from ponte.domain.bodies.delivery import CustomerNoticeHeld, Reach
from ponte.domain.business import BusinessIdentity, IdentityNotConfigured, default_business_text, load_identity
from ponte.domain.errors import DeliveryRefused, DeliveryUnavailable
from ponte.domain.notifications import Audience, Notification
from ponte.messages import render
from ponte.services.delivery import CustomerDelivery, NotifyStaff, Receipt, deliver_to_customer, sender_address
from tests.support import T0

IDENTITY = BusinessIdentity.model_validate(
    {
        "trade_name": "Padaria Estrela",
        "legal_name": "Estrela Alimentos Ltda",
        "tax_id": "11.222.333/0001-81",
        "address": {
            "street": "Rua Augusta",
            "number": "1500",
            "district": "Consolação",
            "city": "São Paulo",
            "state": "SP",
            "postal_code": "01304-001",
            "country": "BR",
        },
        "support_email": "atendimento@estrela.example",
        "support_phone": "+551130000000",
        "website": "https://estrela.example",
    }
)


class Mail:
    def __init__(self, fail: Exception | None = None) -> None:
        self.sent: list[dict[str, object]] = []
        self.fail = fail

    def send(self, *, to: str, subject: str, text: str, html: str, tags: dict[str, str]) -> str:
        if self.fail is not None:
            raise self.fail
        self.sent.append({"to": to, "subject": subject, "text": text, "html": html, "tags": tags})
        return f"ses-{len(self.sent)}"


class Texts:
    def __init__(self, fail: Exception | None = None) -> None:
        self.sent: list[dict[str, object]] = []
        self.fail = fail

    def send(self, *, to: str, text: str, tags: dict[str, str]) -> str:
        if self.fail is not None:
            raise self.fail
        self.sent.append({"to": to, "text": text})
        return f"sns-{len(self.sent)}"


class Contacts:
    def __init__(self, contacts: dict[str, Contact]) -> None:
        self.contacts = contacts

    def reach(self, account_id: str) -> Reach | None:
        contact = self.contacts.get(account_id)
        return None if contact is None else Reach(account_id=account_id, contact=contact)


class Receipts:
    def __init__(self) -> None:
        self.kept: dict[tuple[str, str, str], Receipt] = {}

    def sent(self, account_id: str, notice_id: str, channel: str) -> bool:
        return (account_id, notice_id, channel) in self.kept

    def record(self, account_id: str, notice_id: str, receipt: Receipt) -> None:
        self.kept[(account_id, notice_id, receipt.channel)] = receipt


CONTACT = Contact(name="Ana Lima", email="ana@cliente.example", phone="+5511987654321")


def notice(locale: str = "pt-BR") -> Notification:
    return Notification.model_validate(
        {
            "notification_id": "n-1",
            "audience": Audience.CUSTOMER,
            "account_id": "acme",
            "locale": locale,
            "occurred_at": T0,
            "body": CustomerWelcome(customer_name="Ana Lima"),
        }
    )


def ports(
    mail: Mail | None = None,
    sms: Texts | None = None,
    contact: Contact = CONTACT,
    identity: object = IDENTITY,
    alerts: list[Notification] | None = None,
) -> CustomerDelivery:
    def current() -> BusinessIdentity:
        if isinstance(identity, Exception):
            raise identity
        assert isinstance(identity, BusinessIdentity)
        return identity

    told = alerts if alerts is not None else []
    return CustomerDelivery(
        email=mail,
        sms=sms,
        identity=current,
        contacts=Contacts({"acme": contact}),
        receipts=Receipts(),
        staff=cast("NotifyStaff", told.append),
    )


def send(delivery: CustomerDelivery, note: Notification | None = None) -> tuple[Receipt, ...]:
    note = note or notice()
    return deliver_to_customer(note, render(note, time_zone="America/Sao_Paulo"), delivery, now=T0)


def test_a_notice_goes_to_the_customers_email_and_phone_signed_by_the_business() -> None:
    mail, sms = Mail(), Texts()
    receipts = send(ports(mail, sms))
    assert [(r.channel, r.status, r.message_id) for r in receipts] == [
        ("email", "accepted", "ses-1"),
        ("sms", "accepted", "sns-1"),
    ]
    (email,) = mail.sent
    assert email["to"] == "ana@cliente.example" and email["subject"] == "Boas-vindas, Ana Lima"  # UTF-8 through SES
    assert email["tags"] == {"notice_id": "n-1", "account_id": "acme", "kind": "customer.welcome"}
    for part in ("text", "html"):
        body = str(email[part])
        # CDC art. 42-A: the supplier's name, address and CNPJ on every notice, and how to reach it.
        for fact in ("Padaria Estrela", "Estrela Alimentos Ltda", "11.222.333/0001-81", "São Paulo", "atendimento@"):
            assert fact in body, (part, fact)
    assert str(email["html"]).startswith("<!DOCTYPE html>") and '<a href="https://estrela.example">' in str(
        email["html"]
    )
    (text,) = sms.sent
    assert text["to"] == "+5511987654321"


def test_a_retried_batch_never_sends_a_channel_twice() -> None:
    mail = Mail()
    delivery = ports(mail, Texts(fail=DeliveryUnavailable("throttled")))
    with pytest.raises(DeliveryUnavailable):  # SES accepted the e-mail, then SMS failed: the stream retries
        send(delivery)
    fixed = CustomerDelivery(**{**delivery.__dict__, "sms": Texts()})
    send(fixed)
    assert len(mail.sent) == 1  # the e-mail went once


def test_an_email_that_must_wait_does_not_hold_the_sms_and_its_retry_sends_only_the_email() -> None:
    paused = Mail(fail=DeliveryUnavailable("SES SendingPausedException", code="SendingPausedException"))
    texts = Texts()
    delivery = ports(paused, texts)
    with pytest.raises(DeliveryUnavailable) as waiting:  # parked by the outbox, retried on its schedule
        send(delivery)
    assert waiting.value.code == "SendingPausedException"
    assert [sent["to"] for sent in texts.sent] == ["+5511987654321"], "the SMS went out at once"
    receipts = delivery.receipts
    assert isinstance(receipts, Receipts)
    assert sorted((r.channel, r.status) for r in receipts.kept.values()) == [("sms", "accepted")]

    resumed = Mail()
    written = send(replace(delivery, email=resumed))
    assert [(r.channel, r.status) for r in written] == [("email", "accepted")]
    assert len(resumed.sent) == 1 and len(texts.sent) == 1, "each channel once"


def test_nothing_goes_out_while_the_business_identity_is_not_set_and_staff_hear_of_it_once() -> None:
    alerts: list[Notification] = []
    mail = Mail()
    try:
        load_identity(default_business_text())
    except IdentityNotConfigured as missing:
        delivery = ports(mail, Texts(), identity=missing, alerts=alerts)
    # Held and raised as unavailable: the outbox parks the notice and tries again until the identity is set.
    with pytest.raises(DeliveryUnavailable) as waiting:
        send(delivery)
    assert waiting.value.code == "identity_missing" and mail.sent == []
    receipts = delivery.receipts
    assert isinstance(receipts, Receipts)
    (held,) = receipts.kept.values()
    assert (held.status, held.reason, held.reevaluate) == ("held", "identity_missing", False)
    second = notice().model_copy(update={"notification_id": "n-2"})
    with pytest.raises(DeliveryUnavailable):
        send(delivery, second)
    (alert,) = alerts
    assert isinstance(alert.body, CustomerNoticeHeld) and alert.body.reason == "identity_missing"
    assert (alert.audience, alert.team, alert.severity) == (Audience.STAFF, "backoffice", "critical")


def test_a_notice_held_for_the_identity_goes_out_once_the_identity_is_set() -> None:
    mail, texts = Mail(), Texts()
    try:
        load_identity(default_business_text())
    except IdentityNotConfigured as missing:
        waiting = ports(mail, texts, identity=missing)
    with pytest.raises(DeliveryUnavailable):
        send(waiting)
    ready = ports(mail, texts)
    ready = replace(ready, receipts=waiting.receipts)  # the same table: the held receipt stays
    receipts = send(ready)
    assert sorted((r.channel, r.status) for r in receipts) == [("email", "accepted"), ("sms", "accepted")]
    assert len(mail.sent) == 1


def test_a_refusal_is_recorded_with_its_reason_and_told_not_retried() -> None:
    alerts: list[Notification] = []
    mail = Mail(fail=DeliveryRefused("Email address is not verified.", code="MessageRejected"))
    receipts = send(ports(mail, None, alerts=alerts))
    (receipt,) = receipts
    assert (receipt.channel, receipt.status) == ("email", "refused")
    (alert,) = alerts
    assert isinstance(alert.body, CustomerNoticeHeld) and alert.body.reason == "refused"
    assert "not verified" in (alert.body.detail or "")


def test_a_customer_without_a_usable_contact_is_held_and_staff_told() -> None:
    alerts: list[Notification] = []
    (held,) = send(ports(Mail(), Texts(), contact=Contact(name="Ana Lima"), alerts=alerts))
    assert (held.status, held.reason) == ("held", "no_contact")
    assert [a.body.kind for a in alerts] == ["customer_notice.held"]


def test_an_email_subject_keeps_its_accents() -> None:
    mail = Mail()
    note = notice().model_copy(update={"body": CustomerWelcome(customer_name="João Conceição")})
    send(ports(mail, None), note)
    assert mail.sent[0]["subject"] == "Boas-vindas, João Conceição"


@pytest.mark.parametrize("locale", ["pt-BR", "es", "en"])
def test_the_signature_is_in_the_readers_language(locale: str) -> None:
    mail = Mail()
    send(ports(mail, None), notice(locale))
    regards = {"pt-BR": "Atenciosamente", "es": "Atentamente", "en": "Kind regards"}[locale]
    assert regards in str(mail.sent[0]["text"])


def test_the_sender_carries_the_business_name_with_its_accents() -> None:
    identity = IDENTITY.model_copy(update={"trade_name": "Café Aurora"})
    assert sender_address("avisos@aurora.example", identity) == "=?utf-8?q?Caf=C3=A9_Aurora?= <avisos@aurora.example>"
    assert sender_address("aurora.example", identity).endswith("<avisos@aurora.example>")


def test_the_default_identity_document_holds_notices() -> None:
    assert json.loads(default_business_text())["configured"] is False
    with pytest.raises(IdentityNotConfigured):
        load_identity(default_business_text())


def test_a_notice_goes_only_on_the_channels_its_step_allows() -> None:
    mail, sms = Mail(), Texts()
    send(ports(mail, sms), notice().model_copy(update={"channels": ("sms",)}))
    assert mail.sent == [] and len(sms.sent) == 1


def test_the_sms_names_the_business_that_sends_it() -> None:
    texts = Texts()
    send(ports(Mail(), texts))
    (sms,) = texts.sent
    assert str(sms["text"]).startswith("Padaria Estrela: "), sms["text"]


@pytest.mark.parametrize("locale", ["pt-BR", "es", "en"])
def test_named_by_the_business_an_sms_still_says_what_to_pay_and_by_when_in_one_segment(locale: str) -> None:
    """Every customer notice, signed with a long trade name: the first sentence (what, how much, by when) stays
    whole; what no longer fits is a later sentence left out whole, never a cut one."""
    from ponte.domain.notifications import Audience as Reader
    from ponte.messages.text import SMS_SEPTETS, septets, signed_sms
    from tests.message_cases import CASES, TIME_ZONE

    name = "Sol Nascente Distribuidora de Alimentos"
    for case in (c for c in CASES if c.audience is Reader.CUSTOMER):
        bare = render(case.notification(locale), time_zone=TIME_ZONE).sms
        signed = signed_sms(name, bare)
        assert septets(signed) <= SMS_SEPTETS, signed
        first = bare.split(". ")[0]
        assert signed.startswith("Sol Nascente Distribuidora: ") and first in signed, (case.name, signed)
        assert not signed.endswith("..."), (case.name, signed)
