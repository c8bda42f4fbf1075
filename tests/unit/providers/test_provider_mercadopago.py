import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ponte.domain.events import (
    ChargebackClosed,
    ChargebackOpened,
    CustomerRef,
    PaymentFailed,
    PaymentMethod,
    PaymentReceived,
    RefundIssued,
    SaleLinks,
)
from ponte.domain.money import Money
from ponte.providers import PayloadError, SignatureError, mercadopago
from ponte.providers.mercadopago import PaymentNotification

SECRET = "mp-webhook-secret"
REQUEST_ID = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"
NOTIFICATION = b'{"action":"payment.updated","data":{"id":"123456"},"id":"987","type":"payment"}'


def signature(manifest: str, secret: str = SECRET, ts: str = "1742505638683") -> str:
    """An x-signature header computed from the documented manifest, independently of the code under test."""
    digest = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    return f"ts={ts},v1={digest}"


def at_ms(ts: int) -> datetime:
    return datetime.fromtimestamp(ts / 1000, UTC)


SENT = at_ms(1742505638683)


def request(x_signature: str, request_id: str | None = REQUEST_ID) -> dict[str, str]:
    headers = {"x-signature": x_signature}
    if request_id is not None:
        headers["x-request-id"] = request_id
    return headers


# --- the derived vectors (inputs from mercadopago/sdk-python's tests) ---


@pytest.fixture
def derived(webhooks: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((webhooks / "mercadopago" / "derived-signature-vectors.json").read_text())
    return loaded


def vector_request(vector: dict[str, Any], data_id: str | None) -> tuple[dict[str, str], dict[str, str]]:
    headers = request(vector["x_signature"], vector["x_request_id"])
    query = {"type": "payment"} | ({"data.id": data_id} if data_id is not None else {})
    return headers, query


def test_the_full_vector_verifies(derived: dict[str, Any]) -> None:
    vector = derived["vectors"][0]
    headers, query = vector_request(vector, vector["data_id"])

    mercadopago.verify(headers, b"", [derived["secret"]], at_ms(int(derived["ts"])), query)


def test_an_alphanumeric_data_id_is_lowercased_before_signing(derived: dict[str, Any]) -> None:
    vector = derived["vectors"][0]
    headers, query = vector_request(vector, vector["data_id"].upper())

    mercadopago.verify(headers, b"", [derived["secret"]], at_ms(int(derived["ts"])), query)


def test_a_signature_over_the_uppercase_data_id_is_refused(derived: dict[str, Any]) -> None:
    # The documentation asks for the lowercased id; a signature over the id as received does not match it.
    vector = derived["vectors"][1]
    headers, query = vector_request(vector, vector["data_id"])

    with pytest.raises(SignatureError, match="no v1 signature matches"):
        mercadopago.verify(headers, b"", [derived["secret"]], at_ms(int(derived["ts"])), query)


def test_without_data_id_the_id_pair_is_left_out(derived: dict[str, Any]) -> None:
    vector = derived["vectors"][2]
    headers, query = vector_request(vector, None)

    mercadopago.verify(headers, b"", [derived["secret"]], at_ms(int(derived["ts"])), query)


def test_without_request_id_the_request_id_pair_is_left_out(derived: dict[str, Any]) -> None:
    vector = derived["vectors"][3]
    headers, query = vector_request(vector, vector["data_id"])

    mercadopago.verify(headers, b"", [derived["secret"]], at_ms(int(derived["ts"])), query)


def test_a_vector_with_another_data_id_is_refused(derived: dict[str, Any]) -> None:
    vector = derived["vectors"][0]
    headers, query = vector_request(vector, "ord01jq4s4ky8hwq6na5pxb65b3d4")

    with pytest.raises(SignatureError):
        mercadopago.verify(headers, b"", [derived["secret"]], at_ms(int(derived["ts"])), query)


# --- timestamps in milliseconds or seconds ---

MANIFEST = f"id:123456;request-id:{REQUEST_ID};ts:1742505638683;"
QUERY = {"data.id": "123456", "type": "payment"}


@pytest.mark.parametrize("skew", [timedelta(seconds=-300), timedelta(seconds=300)])
def test_a_millisecond_timestamp_within_five_minutes_is_accepted(skew: timedelta) -> None:
    mercadopago.verify(request(signature(MANIFEST)), NOTIFICATION, [SECRET], SENT + skew, QUERY)


@pytest.mark.parametrize(("skew", "reason"), [(timedelta(seconds=301), "too old"), (timedelta(seconds=-301), "future")])
def test_a_millisecond_timestamp_beyond_five_minutes_is_refused(skew: timedelta, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        mercadopago.verify(request(signature(MANIFEST)), NOTIFICATION, [SECRET], SENT + skew, QUERY)


def test_a_timestamp_in_seconds_as_in_older_documentation_is_accepted() -> None:
    manifest = f"id:123456;request-id:{REQUEST_ID};ts:1704908010;"
    sent = datetime.fromtimestamp(1704908010, UTC)

    mercadopago.verify(request(signature(manifest, ts="1704908010")), NOTIFICATION, [SECRET], sent, QUERY)
    with pytest.raises(SignatureError, match="too old"):
        mercadopago.verify(
            request(signature(manifest, ts="1704908010")), NOTIFICATION, [SECRET], sent + timedelta(minutes=6), QUERY
        )


# --- rotation and failing closed ---


def test_the_second_configured_secret_may_match() -> None:
    mercadopago.verify(request(signature(MANIFEST)), NOTIFICATION, ["old-secret", SECRET], SENT, QUERY)


def test_header_names_are_case_insensitive() -> None:
    headers = {"X-Signature": signature(MANIFEST), "X-Request-Id": REQUEST_ID}

    mercadopago.verify(headers, NOTIFICATION, [SECRET], SENT, QUERY)


def test_the_body_is_not_what_mercado_pago_signs() -> None:
    mercadopago.verify(request(signature(MANIFEST)), b"anything", [SECRET], SENT, QUERY)


def test_a_wrong_secret_or_request_id_is_refused() -> None:
    with pytest.raises(SignatureError):
        mercadopago.verify(request(signature(MANIFEST, secret="other")), NOTIFICATION, [SECRET], SENT, QUERY)
    with pytest.raises(SignatureError):
        mercadopago.verify(request(signature(MANIFEST), "another-request"), NOTIFICATION, [SECRET], SENT, QUERY)


def test_no_secret_configured_fails_closed() -> None:
    with pytest.raises(SignatureError, match="no webhook secret"):
        mercadopago.verify(request(signature(MANIFEST)), NOTIFICATION, [], SENT, QUERY)


@pytest.mark.parametrize(
    ("x_signature", "reason"),
    [
        ("", "missing"),
        ("this-is-garbage", "malformed"),
        ("v1=abc", "malformed"),
        ("ts=soon,v1=abc", "malformed"),
        ("ts=1742505638683", "no v1 signature"),
        ("ts=1742505638683,v2=abc", "no v1 signature"),
    ],
)
def test_a_missing_or_malformed_signature_fails_closed(x_signature: str, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason) as refused:
        mercadopago.verify(request(x_signature), NOTIFICATION, [SECRET], SENT, QUERY)
    assert SECRET not in str(refused.value)


def test_no_header_at_all_fails_closed() -> None:
    with pytest.raises(SignatureError, match="missing x-signature"):
        mercadopago.verify({}, NOTIFICATION, [SECRET], SENT, QUERY)


# --- reading the notification ---


def test_the_documented_notification_names_its_payment(webhooks: Path) -> None:
    raw = (webhooks / "mercadopago" / "notification_request_example.http").read_bytes()
    head, body = raw.split(b"\n\n", 1)
    query = dict(pair.split("=") for pair in head.split()[1].decode().split("?")[1].split("&"))

    assert mercadopago.payment_notification(body.strip(), query) == PaymentNotification(
        payment_id="123456", notification_id="123456"
    )


def test_a_notification_with_numeric_ids_in_the_body() -> None:
    body = b'{"action":"payment.created","data":{"id":96718866362},"id":117889882382,"type":"payment"}'

    assert mercadopago.payment_notification(body) == PaymentNotification(
        payment_id="96718866362", notification_id="117889882382"
    )


def test_a_notification_about_something_else_names_no_payment() -> None:
    body = b'{"action":"order.updated","data":{"id":"ORD01"},"type":"order"}'

    assert mercadopago.payment_notification(body, {"data.id": "ORD01", "type": "order"}) is None


def test_a_body_naming_another_payment_than_the_signed_query_is_refused() -> None:
    with pytest.raises(PayloadError, match="differs"):
        mercadopago.payment_notification(NOTIFICATION, {"data.id": "999999", "type": "payment"})


@pytest.mark.parametrize("body", [b"", b"[1]", b'{"type": "payment"}'])
def test_a_notification_without_a_payment_id_is_refused(body: bytes) -> None:
    with pytest.raises(PayloadError):
        mercadopago.payment_notification(body)


# --- the payment fetched from the API ---


def test_the_sdk_mock_payment_is_an_approved_card_payment(webhooks: Path) -> None:
    payment = json.loads((webhooks / "mercadopago" / "payment_get.sdk-mock.json").read_bytes(), parse_float=Decimal)

    assert mercadopago.normalise_payment(payment) == [
        PaymentReceived(
            provider="mercadopago",
            event_id="17014025134:approved",
            occurred_at=datetime(2024, 1, 15, 10, 30, 1, tzinfo=timezone(timedelta(hours=-3))),
            customer=CustomerRef(
                id="123456789", reference="MP0001", email="test_user@testuser.com", tax_id="19119119100"
            ),
            amount=Money(amount=5880, currency="BRL"),
            payment_method=PaymentMethod.CARD,
            payment_id="17014025134",
            description="Point Mini",
            links=SaleLinks(reference="MP0001"),
        )
    ]


def payment(**changes: Any) -> dict[str, Any]:
    return {
        "id": 42,
        "status": "approved",
        "status_detail": "accredited",
        "currency_id": "BRL",
        "transaction_amount": Decimal("150.10"),
        "transaction_amount_refunded": Decimal("0"),
        "date_created": "2024-03-01T09:00:00.000-03:00",
        "date_approved": "2024-03-01T09:00:05.000-03:00",
        "date_last_updated": "2024-03-02T10:00:00.000-03:00",
        "payment_type_id": "bank_transfer",
        "payment_method_id": "pix",
        "description": "Plano Pro",
        "external_reference": "ACME-7",
        "metadata": {"owner": "maria"},
        "payer": {
            "id": 77,
            "email": "ana@example.com",
            "first_name": "Ana",
            "last_name": "Souza",
            "identification": {"type": "CPF", "number": "12345678909"},
            "phone": {"area_code": "11", "number": "987654321"},
        },
    } | changes


def test_an_approved_pix_payment_tells_everything_needed_to_start_delivery() -> None:
    [received] = mercadopago.normalise_payment(payment())

    assert received == PaymentReceived(
        provider="mercadopago",
        event_id="42:approved",
        occurred_at=datetime(2024, 3, 1, 12, 0, 5, tzinfo=UTC),
        customer=CustomerRef(
            id="77",
            reference="ACME-7",
            name="Ana Souza",
            email="ana@example.com",
            phone="+5511987654321",
            tax_id="12345678909",
        ),
        owner="maria",
        amount=Money(amount=15010, currency="BRL"),
        payment_method=PaymentMethod.PIX,
        payment_id="42",
        description="Plano Pro",
        links=SaleLinks(reference="ACME-7"),
    )


def test_repeated_notifications_of_the_same_state_give_the_same_event_id() -> None:
    first = mercadopago.normalise_payment(payment())
    again = mercadopago.normalise_payment(payment(date_last_updated="2024-03-05T10:00:00.000-03:00"))

    assert [event.event_id for event in first] == [event.event_id for event in again]


def test_a_partial_refund_leaves_the_payment_received_and_reports_the_refund() -> None:
    received, refund = mercadopago.normalise_payment(payment(transaction_amount_refunded=Decimal("50.00")))

    assert received.event_id == "42:approved"
    assert isinstance(refund, RefundIssued)
    assert (refund.event_id, refund.amount) == ("42:refunded:5000", Money(amount=5000, currency="BRL"))


def test_a_full_refund() -> None:
    [refund] = mercadopago.normalise_payment(payment(status="refunded", transaction_amount_refunded=Decimal("150.10")))

    assert isinstance(refund, RefundIssued)
    assert refund.amount == Money(amount=15010, currency="BRL")
    assert refund.occurred_at == datetime(2024, 3, 2, 13, 0, tzinfo=UTC)


def test_a_rejected_payment_says_why() -> None:
    [failed] = mercadopago.normalise_payment(
        payment(
            status="rejected",
            status_detail="cc_rejected_insufficient_amount",
            payment_type_id="credit_card",
            payment_method_id="visa",
        )
    )

    assert isinstance(failed, PaymentFailed)
    assert (failed.reason, failed.payment_method) == ("cc_rejected_insufficient_amount", PaymentMethod.CARD)


@pytest.mark.parametrize(
    ("status", "detail", "expected"),
    [
        ("in_mediation", "pending", ChargebackOpened),
        ("charged_back", "in_process", ChargebackOpened),
        ("charged_back", "settled", ChargebackClosed),
        ("charged_back", "reimbursed", ChargebackClosed),
    ],
)
def test_disputes_and_chargebacks(status: str, detail: str, expected: type) -> None:
    [event] = mercadopago.normalise_payment(payment(status=status, status_detail=detail))

    assert isinstance(event, expected)


def test_a_settled_chargeback_is_lost_and_a_reimbursed_one_is_won() -> None:
    [settled] = mercadopago.normalise_payment(payment(status="charged_back", status_detail="settled"))
    [reimbursed] = mercadopago.normalise_payment(payment(status="charged_back", status_detail="reimbursed"))

    assert isinstance(settled, ChargebackClosed)
    assert isinstance(reimbursed, ChargebackClosed)
    assert (settled.outcome, reimbursed.outcome) == ("lost", "won")
    assert settled.event_id != reimbursed.event_id


@pytest.mark.parametrize("status", ["pending", "in_process", "authorized", "cancelled"])
def test_a_payment_where_no_money_moved_gives_nothing(status: str) -> None:
    assert mercadopago.normalise_payment(payment(status=status)) == []


@pytest.mark.parametrize(
    ("changes", "method"),
    [
        ({"payment_type_id": "ticket", "payment_method_id": "bolbradesco"}, PaymentMethod.BOLETO),
        ({"payment_type_id": "ticket", "payment_method_id": "oxxo"}, PaymentMethod.OTHER),
        ({"payment_type_id": "account_money", "payment_method_id": "account_money"}, PaymentMethod.WALLET),
        ({"payment_type_id": "crypto_transfer", "payment_method_id": "x"}, PaymentMethod.OTHER),
        ({"payment_type_id": None, "payment_method_id": None}, None),
    ],
)
def test_payment_methods(changes: dict[str, Any], method: PaymentMethod | None) -> None:
    [received] = mercadopago.normalise_payment(payment(**changes))

    assert isinstance(received, PaymentReceived)
    assert received.payment_method == method


def test_a_zero_decimal_currency() -> None:
    [received] = mercadopago.normalise_payment(payment(currency_id="CLP", transaction_amount=Decimal("15000")))

    assert isinstance(received, PaymentReceived)
    assert received.amount == Money(amount=15000, currency="CLP")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"transaction_amount": 150.1}, "parse_float=Decimal"),
        ({"transaction_amount": Decimal("150.105")}, "more than 2 decimal places"),
        ({"currency_id": "real"}, "currency"),
        ({"transaction_amount": Decimal("-150.10")}, "negative"),
        ({"status": "refunded", "transaction_amount_refunded": Decimal("-1")}, "negative"),
        ({"status": None}, "status"),
        ({"date_created": "2024-03-01T09:00:00"}, "date_created"),
    ],
)
def test_a_payment_that_cannot_be_read_exactly_is_refused(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        mercadopago.normalise_payment(payment(**changes))


# --- zero-amount validations, sale links, the payment page ---


@pytest.mark.parametrize("status", ["approved", "rejected", "refunded"])
def test_a_zero_amount_card_validation_gives_nothing(status: str) -> None:
    validation = payment(
        status=status,
        transaction_amount=Decimal("0"),
        payment_type_id="credit_card",
        payment_method_id="master",
    )

    assert mercadopago.normalise_payment(validation) == []


def test_a_boleto_carries_its_page_and_its_digitable_line() -> None:
    boleto = payment(
        payment_type_id="ticket",
        payment_method_id="bolbradesco",
        transaction_details={
            "external_resource_url": "https://www.mercadopago.com.br/payments/42/ticket?caller_id=1&hash=a-b",
            "digitable_line": "23790.50400 40963.225504 90000.633306 7 98760000015000",
            "barcode": {"content": "23797987600000150000504040963225509000063330"},
        },
        barcode={"content": "23797987600000150000504040963225509000063330"},
    )

    [received] = mercadopago.normalise_payment(boleto)

    assert isinstance(received, PaymentReceived)
    assert received.payment_url == "https://www.mercadopago.com.br/payments/42/ticket?caller_id=1&hash=a-b"
    assert received.links == SaleLinks(
        reference="ACME-7", bank_slip="23790.50400 40963.225504 90000.633306 7 98760000015000"
    )


def test_without_a_digitable_line_the_barcode_names_the_boleto() -> None:
    boleto = payment(
        payment_type_id="ticket",
        payment_method_id="bolbradesco",
        barcode={"content": "23797987600000150000504040963225509000063330"},
    )

    [received] = mercadopago.normalise_payment(boleto)

    assert isinstance(received, PaymentReceived)
    assert received.links.bank_slip == "23797987600000150000504040963225509000063330"


def test_a_pix_payment_carries_its_ticket_page() -> None:
    ticket = "https://www.mercadopago.com.br/payments/42/ticket?caller_id=1&hash=c-d"
    pix = payment(point_of_interaction={"type": "OPENPLATFORM", "transaction_data": {"ticket_url": ticket}})

    [received] = mercadopago.normalise_payment(pix)

    assert isinstance(received, PaymentReceived)
    assert received.payment_url == ticket


def test_a_page_that_is_not_https_is_left_out() -> None:
    [received] = mercadopago.normalise_payment(
        payment(transaction_details={"external_resource_url": "http://www.mercadopago.com/ticket"})
    )

    assert isinstance(received, PaymentReceived)
    assert received.payment_url is None


@pytest.mark.parametrize(
    ("phone", "currency", "kept"),
    [
        ({"area_code": "11", "number": "98765-4321"}, "BRL", "+5511987654321"),
        ({"area_code": "011", "number": "15 1234-5678"}, "ARS", "+5491112345678"),  # Argentina's own way
        ({"area_code": "55", "number": "1234 5678"}, "MXN", "+525512345678"),
        ({"area_code": "", "number": "+56 9 8765 4321"}, "BRL", "+56987654321"),  # already international
        ({"area_code": "11", "number": "1234"}, "BRL", None),  # too short: dropped, the payment still counts
        ({"area_code": None, "number": None}, "BRL", None),
    ],
)
def test_the_payer_phone_is_read_in_the_country_of_the_currency(
    phone: dict[str, str | None], currency: str, kept: str | None
) -> None:
    payer = payment()["payer"] | {"phone": phone}

    [received] = mercadopago.normalise_payment(payment(currency_id=currency, payer=payer))

    assert isinstance(received, PaymentReceived)
    assert received.customer.phone == kept
