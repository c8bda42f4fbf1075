"""Asaas payment events are acted on only as Asaas's API confirms them (issue 10): of a delivery Ponte keeps the
event's id, type and time and the payment's id; the amount, status, customer, references and dates are those of
the payment as `GET /v3/payments/{id}` gives it.

The API's payments here are real ones: the card payment Asaas delivered in `payloads/asaas/PAYMENT_CONFIRMED.json`
(a webhook's `payment` is the object the API returns: docs.asaas.com/docs/payment-events) and, where the shared
fixtures are present, Asaas's documented example (`webhooks/asaas/PAYMENT_RECEIVED.json`, the same object as the
example answer of docs.asaas.com/reference/recuperar-uma-unica-cobranca). Each variant says what it changes.
"""

from __future__ import annotations

import copy
import hmac
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ponte.domain.events import (
    ChargebackClosed,
    ChargebackOpened,
    CustomerRef,
    InvoiceIssued,
    InvoiceOverdue,
    PaymentFailed,
    PaymentMethod,
    PaymentReceived,
    RefundIssued,
    SaleLinks,
)
from ponte.domain.money import Money
from ponte.providers import PayloadError, asaas
from ponte.providers.asaas import PaymentNotification, Unconfirmed

BRASILIA = timezone(timedelta(hours=-3))
RECEIVED_AT = datetime(2025, 11, 25, 17, 26, 2, tzinfo=UTC)  # a second after the capture's dateCreated
CAPTURE = Path(__file__).parent / "payloads" / "asaas" / "PAYMENT_CONFIRMED.json"


def captured() -> dict[str, Any]:
    """The captured delivery, with amounts as the adapter parses them (exact Decimals)."""
    document: dict[str, Any] = json.loads(CAPTURE.read_text(), parse_float=Decimal)
    return document


def api_payment(**changes: Any) -> dict[str, Any]:
    """The captured card payment as Asaas's API gives it (status CONFIRMED, R$ 29,90), with `changes`."""
    payment: dict[str, Any] = copy.deepcopy(captured()["payment"])
    return payment | changes


def delivery(kind: str = "PAYMENT_CONFIRMED", **payment: Any) -> bytes:
    """The captured delivery as a sender posts it, of type `kind`, its payment changed by `payment`."""
    body = captured()
    body["event"] = kind
    body["payment"] |= payment
    return json.dumps(body, default=float).encode()


def notified(kind: str = "PAYMENT_CONFIRMED", **payment: Any) -> PaymentNotification:
    found = asaas.payment_notification(delivery(kind, **payment))
    assert found is not None
    return found


def confirmed(kind: str, payment: dict[str, Any] | None, **body: Any) -> list[Any]:
    return asaas.normalise_payment(notified(kind, **body), payment, received_at=RECEIVED_AT)


def unconfirmed(kind: str, payment: dict[str, Any] | None, **body: Any) -> str:
    with pytest.raises(Unconfirmed) as caught:
        confirmed(kind, payment, **body)
    return str(caught.value)


# --- which deliveries are confirmed ---


def test_the_notification_keeps_only_the_events_id_type_time_and_the_payments_id() -> None:
    assert notified() == PaymentNotification(
        event_id="evt_15e444ff9b9ab9ec29294aa1abe68025&1135619139",
        kind="PAYMENT_CONFIRMED",
        told_at=datetime(2025, 11, 25, 14, 26, 1, tzinfo=BRASILIA),
        payment_id="pay_qf7gz7zgtg7kn2cm",
    )


@pytest.mark.parametrize("kind", ["SUBSCRIPTION_CREATED", "PAYMENT_BANK_SLIP_VIEWED", "PAYMENT_DELETED", "BILL_PAID"])
def test_events_ponte_reads_as_sent_or_ignores_are_not_payment_notifications(kind: str) -> None:
    assert asaas.payment_notification(json.dumps({"id": "evt_1", "event": kind}).encode()) is None


def test_every_payment_event_ponte_acts_on_has_a_confirmation_rule() -> None:
    acted_on = {kind for kind in asaas._HANDLERS if kind.startswith("PAYMENT_")}
    assert acted_on == set(asaas._CONFIRMATIONS)
    for kind in acted_on:
        assert asaas.payment_notification(delivery(kind)) is not None


@pytest.mark.parametrize(
    "payment_id", ["", "pay 1", "../customers/cus_1", "pay_1?x=1", "pay_é", "p" * 101, "joao@example.com"]
)
def test_a_payment_id_that_cannot_be_asaas_s_is_refused_before_any_request(payment_id: str) -> None:
    with pytest.raises(PayloadError, match=r"payment\.id: an Asaas payment id is"):
        asaas.payment_notification(delivery(id=payment_id))


@pytest.mark.parametrize(
    ("kind", "status", "chargeback"),
    [
        ("PAYMENT_CREATED", "PENDING", None),
        ("PAYMENT_CREATED", "RECEIVED", None),
        ("PAYMENT_CONFIRMED", "CONFIRMED", None),
        ("PAYMENT_CONFIRMED", "RECEIVED", None),
        ("PAYMENT_RECEIVED", "RECEIVED", None),
        ("PAYMENT_RECEIVED", "RECEIVED_IN_CASH", None),
        ("PAYMENT_RECEIVED", "DUNNING_RECEIVED", None),
        # Delivered late: the payment was received, and has been refunded or charged back since.
        ("PAYMENT_RECEIVED", "REFUNDED", None),
        ("PAYMENT_RECEIVED", "CHARGEBACK_REQUESTED", {"status": "REQUESTED"}),
        ("PAYMENT_OVERDUE", "OVERDUE", None),
        ("PAYMENT_OVERDUE", "DUNNING_REQUESTED", None),
        ("PAYMENT_OVERDUE", "RECEIVED", None),  # paid late since
        ("PAYMENT_REFUNDED", "REFUNDED", None),
        ("PAYMENT_CREDIT_CARD_CAPTURE_REFUSED", "PENDING", None),
        ("PAYMENT_REPROVED_BY_RISK_ANALYSIS", "PENDING", None),
        ("PAYMENT_CHARGEBACK_REQUESTED", "CHARGEBACK_REQUESTED", {"status": "REQUESTED"}),
        ("PAYMENT_CHARGEBACK_REQUESTED", "CONFIRMED", {"status": "DONE"}),
        ("PAYMENT_CHARGEBACK_DISPUTE", "CHARGEBACK_DISPUTE", {"status": "DISPUTE_LOST"}),
        ("PAYMENT_AWAITING_CHARGEBACK_REVERSAL", "AWAITING_CHARGEBACK_REVERSAL", {"status": "IN_DISPUTE"}),
        ("PAYMENT_AWAITING_CHARGEBACK_REVERSAL", "RECEIVED", {"status": "REVERSED"}),
    ],
)
def test_what_the_api_says_confirms_the_event(kind: str, status: str, chargeback: dict[str, str] | None) -> None:
    payment = api_payment(status=status, chargeback=chargeback, refunds=None)
    [event] = confirmed(kind, payment)
    assert event.payment_id == "pay_qf7gz7zgtg7kn2cm"


@pytest.mark.parametrize(
    ("kind", "status", "chargeback", "says"),
    [
        ("PAYMENT_CONFIRMED", "PENDING", None, "PENDING"),
        ("PAYMENT_RECEIVED", "OVERDUE", None, "OVERDUE"),
        ("PAYMENT_RECEIVED", "AWAITING_RISK_ANALYSIS", None, "AWAITING_RISK_ANALYSIS"),
        ("PAYMENT_RECEIVED", None, None, "in no documented status"),
        ("PAYMENT_OVERDUE", "PENDING", None, "PENDING"),
        ("PAYMENT_REFUNDED", "RECEIVED", None, "RECEIVED"),
        ("PAYMENT_REFUNDED", "REFUND_REQUESTED", None, "REFUND_REQUESTED"),
        ("PAYMENT_CHARGEBACK_REQUESTED", "RECEIVED", None, "RECEIVED"),
        ("PAYMENT_CHARGEBACK_DISPUTE", "CONFIRMED", None, "CONFIRMED"),
        (
            "PAYMENT_AWAITING_CHARGEBACK_REVERSAL",
            "CHARGEBACK_DISPUTE",
            {"status": "IN_DISPUTE"},
            "chargeback IN_DISPUTE",
        ),
    ],
)
def test_what_the_api_does_not_bear_out_is_unconfirmed(
    kind: str, status: str | None, chargeback: dict[str, str] | None, says: str
) -> None:
    assert says in unconfirmed(kind, api_payment(status=status, chargeback=chargeback))


def test_a_payment_asaas_does_not_have_or_deleted_is_unconfirmed() -> None:
    assert "no such payment" in unconfirmed("PAYMENT_RECEIVED", None)
    assert "deleted" in unconfirmed("PAYMENT_CREATED", api_payment(deleted=True))


def test_what_unconfirmed_says_is_asaas_s_documented_words_never_the_answers_text() -> None:
    hostile = "Zelia joao@example.com +5511987654321"
    reason = unconfirmed("PAYMENT_RECEIVED", api_payment(status=hostile, chargeback={"status": hostile}))
    assert "Zelia" not in reason and "@" not in reason
    assert reason == (
        "PAYMENT_RECEIVED: Asaas says the payment is in no documented status, chargeback in no documented status"
    )


def test_a_dispute_still_open_at_asaas_closes_nothing() -> None:
    payment = api_payment(status="CHARGEBACK_DISPUTE", chargeback={"status": "IN_DISPUTE"})
    assert confirmed("PAYMENT_CHARGEBACK_DISPUTE", payment) == []


# --- what the events say comes from the API ---


def test_an_edited_amount_customer_reference_and_status_in_the_body_change_nothing() -> None:
    # The body a holder of the token posts: ten thousand reais, another customer, another reference, "RECEIVED".
    forged = {"value": 10000, "customer": "cus_forger", "externalReference": "another-account", "status": "RECEIVED"}
    honest = confirmed("PAYMENT_CONFIRMED", api_payment())
    assert confirmed("PAYMENT_CONFIRMED", api_payment(), **forged) == honest
    [event] = honest
    assert event == PaymentReceived(
        provider="asaas",
        event_id="evt_15e444ff9b9ab9ec29294aa1abe68025&1135619139",
        occurred_at=datetime(2025, 11, 25, 14, 26, 1, tzinfo=BRASILIA),
        customer=CustomerRef(id="cus_000149857757"),
        amount=Money(amount=2990, currency="BRL"),
        payment_method=PaymentMethod.CARD,
        payment_id="pay_qf7gz7zgtg7kn2cm",
        invoice_id="pay_qf7gz7zgtg7kn2cm",
        invoice_number="686766142",
        links=SaleLinks(invoice_number="686766142"),
        payment_url="https://www.asaas.com/i/qf7gz7zgtg7kn2cm",
    )


def test_the_amount_asaas_gives_is_the_amount_recorded() -> None:
    [event] = confirmed("PAYMENT_CONFIRMED", api_payment(value=Decimal("12.34")), value=29.9)
    assert event.amount == Money(amount=1234, currency="BRL")


def test_each_event_type_reads_the_api_s_facts(webhooks: Path) -> None:
    # Asaas's documented payment: R$ 100,00 by card, reference 056984, due 2021-01-01, a chargeback REQUESTED.
    documented = json.loads((webhooks / "asaas" / "PAYMENT_RECEIVED.json").read_text(), parse_float=Decimal)
    payment = documented["payment"] | {"id": "pay_qf7gz7zgtg7kn2cm"}  # the id the delivery names
    body = {"value": 1, "dueDate": "2030-01-01", "externalReference": "forged"}
    expected = {
        "PAYMENT_CREATED": InvoiceIssued,
        "PAYMENT_OVERDUE": InvoiceOverdue,
        "PAYMENT_RECEIVED": PaymentReceived,
        "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED": PaymentFailed,
        "PAYMENT_CHARGEBACK_REQUESTED": ChargebackOpened,
    }
    for kind, event_type in expected.items():
        [event] = confirmed(kind, payment, **body)
        assert isinstance(event, event_type), kind
        assert event.amount == Money(amount=10000, currency="BRL")
        assert event.customer == CustomerRef(id="cus_G7Dvo4iphUNk", reference="056984")
        assert event.links.reference == "056984"
        if isinstance(event, InvoiceIssued | InvoiceOverdue):
            assert event.due_date == date(2021, 1, 1)
    [opened] = confirmed("PAYMENT_CHARGEBACK_REQUESTED", payment)
    assert opened.reason == "PROCESS_ERROR"


def test_a_refund_and_a_lost_or_won_chargeback_read_the_api() -> None:
    refunded = api_payment(status="REFUNDED", refunds=[{"dateCreated": "2025-12-01 10:28:40", "status": "DONE"}])
    [refund] = confirmed("PAYMENT_REFUNDED", refunded)
    assert isinstance(refund, RefundIssued) and refund.amount == Money(amount=2990, currency="BRL")
    lost = api_payment(status="CHARGEBACK_DISPUTE", chargeback={"status": "DISPUTE_LOST"})
    [closed] = confirmed("PAYMENT_CHARGEBACK_DISPUTE", lost)
    assert isinstance(closed, ChargebackClosed) and closed.outcome == "lost"
    won = api_payment(status="AWAITING_CHARGEBACK_REVERSAL", chargeback={"status": "IN_DISPUTE"})
    [closed] = confirmed("PAYMENT_AWAITING_CHARGEBACK_REVERSAL", won)
    assert closed.outcome == "won"


def test_a_payment_the_api_gives_out_of_bounds_is_refused_naming_the_field() -> None:
    with pytest.raises(PayloadError, match=r"the payment from Asaas's API: value") as refused:
        confirmed("PAYMENT_CONFIRMED", api_payment(value=29.9))  # a float: not parsed as the adapter does
    assert "29.9" not in str(refused.value)
    with pytest.raises(PayloadError, match="is negative"):
        confirmed("PAYMENT_CONFIRMED", api_payment(value=Decimal("-29.90")))


# --- when it happened: the API's dates ---


def test_the_time_of_a_delivery_on_the_day_the_api_gives_is_kept() -> None:
    [event] = confirmed("PAYMENT_CONFIRMED", api_payment())  # clientPaymentDate 2025-11-25, as the body's day
    assert event.occurred_at == datetime(2025, 11, 25, 14, 26, 1, tzinfo=BRASILIA)


def test_a_delivery_dated_another_day_is_placed_on_the_day_the_customer_paid() -> None:
    # A late payment dated back to before its due date would owe no fine: the API's day decides.
    payment = api_payment(clientPaymentDate="2025-11-20", confirmedDate="2025-11-20")
    [event] = confirmed("PAYMENT_CONFIRMED", payment)
    assert event.occurred_at == datetime(2025, 11, 20, tzinfo=BRASILIA)


def test_an_invoice_is_issued_on_the_day_asaas_created_the_charge() -> None:
    [issued] = confirmed("PAYMENT_CREATED", api_payment(status="PENDING", dateCreated="2025-11-01"))
    assert issued.occurred_at == datetime(2025, 11, 1, tzinfo=BRASILIA)


def test_a_refund_happened_when_the_api_says_it_was_done() -> None:
    refunds = [
        {"dateCreated": "2025-12-01 10:28:40", "status": "DONE"},
        {"dateCreated": "2025-12-03 09:00:00", "status": "CANCELLED"},
    ]
    [refund] = confirmed("PAYMENT_REFUNDED", api_payment(status="REFUNDED", refunds=refunds))
    assert refund.occurred_at == datetime(2025, 12, 1, 10, 28, 40, tzinfo=BRASILIA)


def test_without_a_date_from_the_api_the_delivery_time_is_bounded_by_creation_and_receipt() -> None:
    won = api_payment(status="AWAITING_CHARGEBACK_REVERSAL", chargeback={"status": "IN_DISPUTE"})
    [future] = confirmed("PAYMENT_AWAITING_CHARGEBACK_REVERSAL", won)  # dated as the body says
    assert future.occurred_at == datetime(2025, 11, 25, 14, 26, 1, tzinfo=BRASILIA)
    later = notified("PAYMENT_AWAITING_CHARGEBACK_REVERSAL")
    later = PaymentNotification(later.event_id, later.kind, datetime(2099, 1, 1, tzinfo=BRASILIA), later.payment_id)
    [pinned] = asaas.normalise_payment(later, won, received_at=RECEIVED_AT)
    assert pinned.occurred_at == RECEIVED_AT  # a report dated ahead cannot outrank the next real one
    earlier = PaymentNotification(later.event_id, later.kind, datetime(2001, 1, 1, tzinfo=BRASILIA), later.payment_id)
    [backdated] = asaas.normalise_payment(earlier, won, received_at=RECEIVED_AT)
    assert backdated.occurred_at == datetime(2025, 11, 25, tzinfo=BRASILIA)  # the payment's creation


# --- the token check ---


def test_the_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare_digest)  # as `ponte.providers.base.equal` calls it
    asaas.verify({"asaas-access-token": "the-token"}, b"{}", ["old-token", "the-token"], RECEIVED_AT)
    assert (b"the-token", b"the-token") in compared
