import base64
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from ponte.domain.events import (
    ChargebackClosed,
    CustomerCreated,
    CustomerRef,
    InvoiceIssued,
    InvoiceOverdue,
    PaymentMethod,
    PaymentReceived,
    SaleLinks,
    SubscriptionChanged,
)
from ponte.domain.money import Money
from ponte.providers import PayloadError, SignatureError, standard

SECRET = "whsec_" + base64.b64encode(b"ponte-test-key-32-bytes-long-!!!").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"someone-else-key-32-bytes-long!!").decode()
BODY = b'{"type":"customer.created","data":{"id":"c-1"}}'


def headers(message_id: str, timestamp: int, signature: str) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def sign(body: bytes, secret: str, timestamp: datetime, message_id: str = "msg_1") -> dict[str, str]:
    """Headers made by the standardwebhooks library."""
    signature = Webhook(secret).sign(message_id, timestamp, body.decode())
    return headers(message_id, int(timestamp.timestamp()), signature)


def ours_accepts(body: bytes, request_headers: dict[str, str], secret: str, now: datetime) -> bool:
    try:
        standard.verify(request_headers, body, [secret], now)
    except SignatureError:
        return False
    return True


def theirs_accepts(body: bytes, request_headers: dict[str, str], secret: str) -> bool:
    try:
        Webhook(secret).verify(body, request_headers)
    except WebhookVerificationError:
        return False
    return True


# --- the published vectors (standard-webhooks library tests) ---


@pytest.fixture
def vectors(webhooks: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((webhooks / "standard-webhooks" / "test-vectors.json").read_text())
    return loaded


def test_every_published_vector_verifies(vectors: dict[str, Any]) -> None:
    for vector in vectors["vectors"]:
        sent = vector["webhook_timestamp"]
        request = headers(vector["webhook_id"], sent, vector["expected_signature"])

        standard.verify(request, vector["payload"].encode(), [vector["secret"]], datetime.fromtimestamp(sent, UTC))


def test_the_published_signature_with_its_last_character_changed_is_refused(vectors: dict[str, Any]) -> None:
    vector = vectors["vectors"][0]
    changed = vectors["negative_and_edge_cases_from_tests"]["invalid_signature_same_secret"].split()[0]
    request = headers(vector["webhook_id"], vector["webhook_timestamp"], changed)

    with pytest.raises(SignatureError, match="no v1 signature matches"):
        standard.verify(
            request,
            vector["payload"].encode(),
            [vector["secret"]],
            datetime.fromtimestamp(vector["webhook_timestamp"], UTC),
        )


def test_a_list_of_signatures_is_accepted_when_any_v1_matches(vectors: dict[str, Any]) -> None:
    vector = vectors["vectors"][0]
    example = vectors["negative_and_edge_cases_from_tests"]["multi_signature_header_example"]
    signature_list = example.split("  (")[0].replace("<valid v1 sig>", vector["expected_signature"])
    request = headers(vector["webhook_id"], vector["webhook_timestamp"], signature_list)

    standard.verify(
        request,
        vector["payload"].encode(),
        [vector["secret"]],
        datetime.fromtimestamp(vector["webhook_timestamp"], UTC),
    )


def test_the_rust_negative_vector_is_refused(vectors: dict[str, Any]) -> None:
    vector = vectors["vectors"][1]
    wrong = "v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU="
    now = datetime.fromtimestamp(vector["webhook_timestamp"], UTC)

    with pytest.raises(SignatureError):
        standard.verify(
            headers(vector["webhook_id"], vector["webhook_timestamp"], wrong),
            vector["payload"].encode(),
            [vector["secret"]],
            now,
        )


@pytest.mark.parametrize(("skew", "reason"), [(timedelta(seconds=-301), "too old"), (timedelta(seconds=301), "future")])
def test_the_published_vector_outside_five_minutes_is_refused(
    vectors: dict[str, Any], skew: timedelta, reason: str
) -> None:
    vector = vectors["vectors"][0]
    request = headers(vector["webhook_id"], vector["webhook_timestamp"], vector["expected_signature"])
    now = datetime.fromtimestamp(vector["webhook_timestamp"], UTC) - skew

    with pytest.raises(SignatureError, match=reason):
        standard.verify(request, vector["payload"].encode(), [vector["secret"]], now)


def test_the_secret_works_without_its_prefix_and_unpadded(vectors: dict[str, Any]) -> None:
    vector = vectors["vectors"][0]
    request = headers(vector["webhook_id"], vector["webhook_timestamp"], vector["expected_signature"])
    bare = vector["secret"].removeprefix("whsec_").rstrip("=")

    standard.verify(
        request, vector["payload"].encode(), [bare], datetime.fromtimestamp(vector["webhook_timestamp"], UTC)
    )


@pytest.mark.parametrize("secret", ["whsec_", "whsec_!!!not-base64!!!"])
def test_an_unusable_secret_fails_closed(secret: str) -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)

    with pytest.raises(SignatureError, match="not a whsec_ base64 key"):
        standard.verify(sign(BODY, SECRET, now), BODY, [secret], now)


# --- differential: the standardwebhooks library and ours agree ---


def test_a_body_signed_by_the_standardwebhooks_library_is_accepted_by_both() -> None:
    now = datetime.now(UTC)
    request = sign(BODY, SECRET, now)

    assert theirs_accepts(BODY, request, SECRET)
    assert ours_accepts(BODY, request, SECRET, now)


@settings(max_examples=50)
@given(body=st.text(max_size=200), message_id=st.from_regex(r"msg_[A-Za-z0-9]{1,30}", fullmatch=True))
def test_anything_the_library_signs_is_accepted(body: str, message_id: str) -> None:
    now = datetime.now(UTC)

    assert ours_accepts(body.encode(), sign(body.encode(), SECRET, now, message_id), SECRET, now)


def test_every_single_byte_tamper_is_refused_by_both() -> None:
    now = datetime.now(UTC)
    request = sign(BODY, SECRET, now)

    for position in range(len(BODY)):
        tampered = bytearray(BODY)
        tampered[position] ^= 0x01
        assert not theirs_accepts(bytes(tampered), request, SECRET), position
        assert not ours_accepts(bytes(tampered), request, SECRET, now), position


def test_a_changed_message_id_is_refused_by_both() -> None:
    now = datetime.now(UTC)
    request = sign(BODY, SECRET, now) | {"webhook-id": "msg_2"}

    assert not theirs_accepts(BODY, request, SECRET)
    assert not ours_accepts(BODY, request, SECRET, now)


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_an_old_or_future_timestamp_is_refused_by_both(skew: timedelta) -> None:
    now = datetime.now(UTC)
    request = sign(BODY, SECRET, now + skew)

    assert not theirs_accepts(BODY, request, SECRET)
    assert not ours_accepts(BODY, request, SECRET, now)


def test_a_wrong_secret_is_refused_by_both() -> None:
    now = datetime.now(UTC)
    request = sign(BODY, OTHER_SECRET, now)

    assert not theirs_accepts(BODY, request, SECRET)
    assert not ours_accepts(BODY, request, SECRET, now)


# --- rotation and failing closed ---


def test_a_request_signed_with_the_old_and_new_secrets_verifies_with_the_new_one() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    old = sign(BODY, OTHER_SECRET, now)
    new = sign(BODY, SECRET, now)
    request = old | {"webhook-signature": f"{old['webhook-signature']} {new['webhook-signature']}"}

    standard.verify(request, BODY, [SECRET], now)


def test_the_second_configured_secret_may_match() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)

    standard.verify(sign(BODY, SECRET, now), BODY, [OTHER_SECRET, SECRET], now)


def test_header_names_are_case_insensitive() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    request = {name.title(): value for name, value in sign(BODY, SECRET, now).items()}

    standard.verify(request, BODY, [SECRET], now)


def test_no_secret_configured_fails_closed() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)

    with pytest.raises(SignatureError, match="no webhook secret"):
        standard.verify(sign(BODY, SECRET, now), BODY, [], now)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_fails_closed(missing: str) -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    request = sign(BODY, SECRET, now)
    del request[missing]

    with pytest.raises(SignatureError, match="missing"):
        standard.verify(request, BODY, [SECRET], now)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"webhook-timestamp": "1704067200.5"}, "malformed webhook-timestamp"),
        ({"webhook-timestamp": "soon"}, "malformed webhook-timestamp"),
        ({"webhook-signature": "v1a,abc v2,abc"}, "no v1 signature in"),
        ({"webhook-signature": "   "}, "no v1 signature in"),
        ({"webhook-signature": "v1,%%%"}, "no v1 signature matches"),
        ({"webhook-signature": "v1,é"}, "no v1 signature matches"),  # not ASCII: not base64 either
    ],
)
def test_a_malformed_header_fails_closed(changes: dict[str, str], reason: str) -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    request = sign(BODY, SECRET, now) | changes

    with pytest.raises(SignatureError, match=reason) as refused:
        standard.verify(request, BODY, [SECRET], now)
    assert SECRET.removeprefix("whsec_") not in str(refused.value)


# --- normalise: Ponte's schema for Standard Webhooks senders ---


def payload(kind: str, **data: Any) -> bytes:
    customer = {"id": "c-42", "reference": "ACME-7", "name": "Acme", "email": "ap@acme.example"}
    body = {
        "id": "evt_9",
        "type": kind,
        "timestamp": "2024-06-12T16:45:03-03:00",
        "data": {"customer": customer} | data,
    }
    return json.dumps(body).encode()


OCCURRED = datetime(2024, 6, 12, 19, 45, 3, tzinfo=UTC)
ACME = CustomerRef(id="c-42", reference="ACME-7", name="Acme", email="ap@acme.example")


def test_a_payment_received_carries_exact_money_and_delivery_facts() -> None:
    body = payload(
        "payment.received",
        amount="1234.50",
        currency="BRL",
        payment_method="pix",
        payment_id="p-1",
        invoice_number="2024-001",
        description="Plano Pro",
        owner="maria",
    )

    assert standard.normalise(body) == [
        PaymentReceived(
            provider="standard",
            event_id="evt_9",
            occurred_at=OCCURRED,
            customer=ACME,
            owner="maria",
            amount=Money(amount=123450, currency="BRL"),
            payment_method=PaymentMethod.PIX,
            payment_id="p-1",
            invoice_number="2024-001",
            description="Plano Pro",
            links=SaleLinks(invoice_number="2024-001"),
        )
    ]


def test_a_json_number_amount_is_read_exactly() -> None:
    body = payload("payment.received", currency="BRL").replace(b'"currency"', b'"amount": 0.1, "currency"')

    [received] = standard.normalise(body)

    assert isinstance(received, PaymentReceived)
    assert received.amount == Money(amount=10, currency="BRL")


def test_an_overdue_invoice_carries_its_due_date() -> None:
    [overdue] = standard.normalise(payload("invoice.overdue", amount="99.90", currency="BRL", due_date="2024-06-10"))

    assert isinstance(overdue, InvoiceOverdue)
    assert (overdue.amount, overdue.due_date) == (Money(amount=9990, currency="BRL"), date(2024, 6, 10))


def test_a_closed_chargeback_says_who_won() -> None:
    [closed] = standard.normalise(payload("chargeback.closed", amount="10", currency="USD", outcome="lost"))

    assert isinstance(closed, ChargebackClosed)
    assert closed.outcome == "lost"


def test_a_subscription_change_may_come_without_an_amount() -> None:
    [changed] = standard.normalise(payload("subscription.changed", subscription_id="s-1", plan="Pro"))

    assert changed == SubscriptionChanged(
        provider="standard", event_id="evt_9", occurred_at=OCCURRED, customer=ACME, subscription_id="s-1", plan="Pro"
    )


def test_a_new_customer() -> None:
    assert standard.normalise(payload("customer.created")) == [
        CustomerCreated(provider="standard", event_id="evt_9", occurred_at=OCCURRED, customer=ACME)
    ]


def test_an_unknown_type_gives_nothing() -> None:
    assert standard.normalise(payload("contact.created")) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (payload("payment.received", currency="BRL"), "amount"),
        (payload("payment.received", amount="1.005", currency="BRL"), "more than 2 decimal places"),
        (payload("payment.received", amount="1", currency="real"), "currency"),
        (payload("payment.received", amount="-1", currency="BRL"), "negative"),
        (payload("refund.issued", amount=-0.5, currency="BRL"), "negative"),
        (payload("payment.received", amount="1", currency="BRL", nfe_access_key="1234"), "nfe_access_key"),
        (payload("payment.received", amount="1", currency="BRL", bank_slip="1" * 101), "bank_slip"),
        (payload("payment.received", amount="1", currency="BRL", payment_url="http://pay.example/1"), "payment_url"),
        (payload("subscription.changed", subscription_id="s-1", invoice_reference="PED-1"), "invoice_reference"),
        (payload("customer.created", payment_url="https://pay.example/1"), "payment_url"),
        (payload("payment.received", amount="1", currency="BRL", outcome="won"), "outcome"),
        (payload("chargeback.closed", amount="1", currency="BRL", outcome="draw"), "outcome"),
        (payload("subscription.cancelled"), "subscription_id: Field required"),
        (b'{"id": "e", "type": "customer.created", "timestamp": "2024-06-12T16:45:03", "data": {}}', "timestamp"),
        (b'{"type": "customer.created", "timestamp": "2024-06-12T16:45:03Z", "data": {}}', "webhook-id"),
        (b'{"id": "e", "type": "customer.created", "timestamp": "2024-06-12T16:45:03Z", "data": {}}', "customer"),
        (b"<xml/>", "not JSON"),
    ],
)
def test_a_payload_outside_the_schema_is_refused_with_the_reason(body: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        standard.normalise(body)


def test_data_cannot_override_the_envelope() -> None:
    [created] = standard.normalise(payload("customer.created").replace(b'"data": {', b'"data": {"event_id": "x", '))

    assert created.event_id == "evt_9"


# --- the message id, unknown types, sale links ---


def test_the_message_id_is_the_webhook_id_header() -> None:
    body = payload("customer.created")

    [with_header] = standard.normalise(body, headers={"Webhook-Id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"})
    [without] = standard.normalise(body)

    assert with_header.event_id == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
    assert without.event_id == "evt_9"  # the body's id, only when no header is passed


def test_a_body_without_an_id_is_named_by_its_header(vectors: dict[str, Any]) -> None:
    headers = {k: v for k, v in vectors["spec_example_headers_no_secret"].items() if k.startswith("webhook-")}
    body = json.loads(payload("payment.received", amount="10", currency="BRL"))
    del body["id"]

    [received] = standard.normalise(json.dumps(body).encode(), headers=headers)

    assert received.event_id == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def test_the_spec_example_payloads_are_acknowledged_and_ignored(webhooks: Path, vectors: dict[str, Any]) -> None:
    spec = (webhooks / "standard-webhooks" / "standard-webhooks-spec.md").read_text()
    examples = re.findall(r"```json\n(.*?)```", spec, re.DOTALL)
    headers = {k: v for k, v in vectors["spec_example_headers_no_secret"].items() if k.startswith("webhook-")}

    assert len(examples) == 3
    for example in examples:
        assert standard.normalise(example.encode(), headers=headers) == []


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "contact.created"}',
        b'{"type": "contact.created", "timestamp": "yesterday", "data": []}',
        b'{"type": "invoice.paid", "data": {"amount": "-1"}}',
    ],
)
def test_an_unknown_type_is_ignored_whatever_else_the_body_holds(body: bytes) -> None:
    assert standard.normalise(body) == []


@pytest.mark.parametrize("body", [b"[]", b'{"data": {}}', b'{"type": 7}'])
def test_a_body_without_a_type_is_refused(body: bytes) -> None:
    with pytest.raises(PayloadError, match="Standard Webhooks payload"):
        standard.normalise(body)


def test_a_payment_names_the_business_invoice_and_where_to_pay() -> None:
    body = payload(
        "invoice.issued",
        amount="99.90",
        currency="BRL",
        invoice_number="000123",
        invoice_series="1",
        invoice_reference="PED-981",
        nfe_access_key="35240612345678000195550010000012341000012345",
        bank_slip="23790.50400 40963.225504 90000.633306 7 98760000015000",
        payment_url="https://pay.example/i/000123",
        due_date="2024-06-30",
    )

    [issued] = standard.normalise(body, headers={"webhook-id": "msg_1"})

    assert isinstance(issued, InvoiceIssued)
    assert issued.invoice_number == "000123"
    assert issued.links == SaleLinks(
        reference="PED-981",
        invoice_number="000123",
        series="1",
        access_key="35240612345678000195550010000012341000012345",
        bank_slip="23790.50400 40963.225504 90000.633306 7 98760000015000",
    )
    assert issued.payment_url == "https://pay.example/i/000123"


def test_a_new_subscription_says_it_started() -> None:
    [changed] = standard.normalise(payload("subscription.changed", subscription_id="s-1", started=True))

    assert isinstance(changed, SubscriptionChanged)
    assert changed.started


def customer_payload(**customer: Any) -> bytes:
    body = json.loads(payload("customer.created"))
    body["data"]["customer"] |= customer
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("phone", "kept"),
    [
        ("+5511987654321", "+5511987654321"),
        ("+34 612 34 56 78", "+34612345678"),
        ("(11) 98765-4321", "+5511987654321"),  # without the country code: read as Brazilian
        ("98765-4321", None),  # no area code: dropped, the event still applies
        ("call me", None),
    ],
)
def test_the_customer_phone_is_kept_in_e164_or_dropped(phone: str, kept: str | None) -> None:
    [created] = standard.normalise(customer_payload(phone=phone))

    assert created.customer == ACME.model_copy(update={"phone": kept})


@pytest.mark.parametrize(("given", "read"), [("es", "es"), ("pt", "pt-BR"), ("en-US", "en"), ("de", None)])
def test_the_customer_locale_is_read_as_one_ponte_writes(given: str, read: str | None) -> None:
    [created] = standard.normalise(customer_payload(locale=given))

    assert created.customer == ACME.model_copy(update={"locale": read})
