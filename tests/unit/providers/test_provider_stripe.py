import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import stripe as stripe_sdk
from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.domain.events import (
    ChargebackClosed,
    ChargebackOpened,
    CustomerCreated,
    CustomerRef,
    InvoiceIssued,
    InvoiceOverdue,
    InvoiceSettled,
    PaymentApplied,
    PaymentFailed,
    PaymentMethod,
    PaymentReceived,
    RefundIssued,
    SaleLinks,
    SubscriptionCancelled,
    SubscriptionChanged,
)
from ponte.domain.money import Money
from ponte.providers import PayloadError, SignatureError, stripe

SECRET = "whsec_test_secret"
BODY = b'{"id":"evt_1","object":"event","type":"customer.created"}'


def at(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """A Stripe-Signature header made by Stripe's own library."""
    return str(stripe_sdk.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp))


def ours_accepts(body: bytes, header: str, secret: str, now: datetime) -> bool:
    try:
        stripe.verify({"Stripe-Signature": header}, body, [secret], now)
    except SignatureError:
        return False
    return True


def theirs_accepts(body: bytes, header: str, secret: str) -> bool:
    try:
        stripe_sdk.WebhookSignature.verify_header(body, header, secret, tolerance=300)
    except stripe_sdk.SignatureVerificationError:
        return False
    return True


def event(kind: str, obj: dict[str, Any], event_id: str = "evt_1", created: int = 1721954054) -> bytes:
    return json.dumps(
        {"id": event_id, "object": "event", "type": kind, "created": created, "data": {"object": obj}}
    ).encode()


# --- the published vector (stripe-dotnet EventUtilityTest) ---


@pytest.fixture
def vector(webhooks: Path) -> dict[str, Any]:
    facts: dict[str, Any] = json.loads((webhooks / "stripe" / "signature-vector.json").read_text())
    facts["body"] = (webhooks / "stripe" / facts["payload_file"].split()[0]).read_bytes()
    return facts


def test_the_published_vector_verifies_within_the_tolerance(vector: dict[str, Any]) -> None:
    headers = {"Stripe-Signature": vector["stripe_signature_header"]}

    stripe.verify(headers, vector["body"], [vector["secret"]], at(vector["timestamp"] + 100))


def test_the_published_vector_is_refused_400_seconds_later(vector: dict[str, Any]) -> None:
    headers = {"Stripe-Signature": vector["stripe_signature_header"]}

    with pytest.raises(SignatureError, match="too old"):
        stripe.verify(headers, vector["body"], [vector["secret"]], at(vector["timestamp"] + 400))


def test_the_published_vector_needs_the_raw_body_with_its_trailing_newline(vector: dict[str, Any]) -> None:
    headers = {"Stripe-Signature": vector["stripe_signature_header"]}

    with pytest.raises(SignatureError, match="no v1 signature matches"):
        stripe.verify(headers, vector["body"].rstrip(b"\n"), [vector["secret"]], at(vector["timestamp"]))


def test_a_v0_signature_alone_does_not_count(vector: dict[str, Any]) -> None:
    v0_only = ",".join(p for p in vector["stripe_signature_header"].split(",") if not p.startswith("v1="))

    with pytest.raises(SignatureError, match="no v1 signature"):
        stripe.verify({"Stripe-Signature": v0_only}, vector["body"], [vector["secret"]], at(vector["timestamp"]))


def test_the_published_vector_body_normalises_to_a_new_customer(vector: dict[str, Any]) -> None:
    assert stripe.normalise(vector["body"]) == [
        CustomerCreated(
            provider="stripe",
            event_id="evt_123",
            occurred_at=at(1533204620),
            customer=CustomerRef(id="cus_123", email="test@stripe.com"),
        )
    ]


# --- differential: what Stripe's library signs and refuses, ours signs and refuses alike ---


def test_a_body_signed_by_the_stripe_library_is_accepted() -> None:
    now = int(time.time())
    header = sign(BODY, SECRET, now)

    assert theirs_accepts(BODY, header, SECRET)
    assert ours_accepts(BODY, header, SECRET, at(now))


@settings(max_examples=50)
@given(body=st.text(min_size=0, max_size=200))
def test_any_body_signed_by_the_stripe_library_is_accepted(body: str) -> None:
    now = int(time.time())
    raw = body.encode()

    assert ours_accepts(raw, sign(raw, SECRET, now), SECRET, at(now))


def test_every_single_byte_tamper_is_refused_by_both() -> None:
    now = int(time.time())
    header = sign(BODY, SECRET, now)

    for position in range(len(BODY)):
        tampered = bytearray(BODY)
        tampered[position] ^= 0x01  # stays ASCII, so Stripe's library can decode it
        assert not theirs_accepts(bytes(tampered), header, SECRET), position
        assert not ours_accepts(bytes(tampered), header, SECRET, at(now)), position


def test_an_expired_timestamp_is_refused_by_both() -> None:
    now = int(time.time())
    header = sign(BODY, SECRET, now - 301)

    assert not theirs_accepts(BODY, header, SECRET)
    assert not ours_accepts(BODY, header, SECRET, at(now))


def test_a_wrong_secret_is_refused_by_both() -> None:
    now = int(time.time())
    header = sign(BODY, "whsec_someone_else", now)

    assert not theirs_accepts(BODY, header, SECRET)
    assert not ours_accepts(BODY, header, SECRET, at(now))


def test_a_timestamp_far_in_the_future_is_refused() -> None:
    now = 1_700_000_000
    header = sign(BODY, SECRET, now + 301)

    with pytest.raises(SignatureError, match="future"):
        stripe.verify({"Stripe-Signature": header}, BODY, [SECRET], at(now))


def test_the_edge_of_the_tolerance_is_accepted() -> None:
    now = 1_700_000_000

    for skew in (-300, 300):
        stripe.verify({"Stripe-Signature": sign(BODY, SECRET, now + skew)}, BODY, [SECRET], at(now))


# --- rotation and failing closed ---


def test_during_rotation_the_new_secret_verifies_a_request_signed_with_both() -> None:
    now = 1_700_000_000
    old = sign(BODY, "whsec_old", now)
    new = sign(BODY, "whsec_new", now).split(",")[1]

    stripe.verify({"Stripe-Signature": f"{old},{new}"}, BODY, ["whsec_new"], at(now))


def test_any_configured_secret_may_match() -> None:
    now = 1_700_000_000

    stripe.verify({"Stripe-Signature": sign(BODY, "whsec_second", now)}, BODY, ["whsec_first", "whsec_second"], at(now))


def test_the_header_name_is_case_insensitive() -> None:
    now = 1_700_000_000

    stripe.verify({"stripe-signature": sign(BODY, SECRET, now)}, BODY, [SECRET], at(now))


@pytest.mark.parametrize("secrets", [[], [""], ["  "]])
def test_no_secret_configured_fails_closed(secrets: list[str]) -> None:
    now = 1_700_000_000

    with pytest.raises(SignatureError, match="no webhook secret"):
        stripe.verify({"Stripe-Signature": sign(BODY, "", now)}, BODY, secrets, at(now))


def test_a_single_string_is_not_mistaken_for_a_list_of_secrets() -> None:
    with pytest.raises(TypeError):
        stripe.verify({}, BODY, SECRET, at(0))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("garbage", "malformed"),
        ("v1=abc", "malformed"),
        ("t=abc,v1=abc", "malformed"),
        ("t=1,t=2,v1=abc", "malformed"),
        ("t=99999999999999999999,v1=abc", "out of range"),
        ("t=1" + "0" * 5000 + ",v1=abc", "malformed"),
        ("t=1700000000", "no v1 signature"),
        ("t=1700000000,v0=abc", "no v1 signature"),
    ],
)
def test_a_missing_or_malformed_header_fails_closed(header: str | None, reason: str) -> None:
    headers = {} if header is None else {"Stripe-Signature": header}

    with pytest.raises(SignatureError, match=reason) as refused:
        stripe.verify(headers, BODY, [SECRET], at(1_700_000_000))
    assert SECRET not in str(refused.value)


# --- normalise: the stripe-mock fixtures wrapped in events ---


def fixture_object(webhooks: Path, name: str) -> dict[str, Any]:
    obj: dict[str, Any] = json.loads((webhooks / "stripe" / "fixtures-extract" / f"{name}.json").read_text())
    return obj


STRIPE_CREATED = at(1721954054)


def test_fixture_invoice_finalized_is_an_invoice_issued(webhooks: Path) -> None:
    [issued] = stripe.normalise(event("invoice.finalized", fixture_object(webhooks, "invoice")))

    assert issued == InvoiceIssued(
        provider="stripe",
        event_id="evt_1",
        occurred_at=STRIPE_CREATED,
        customer=CustomerRef(id="cus_QXg1o8vcGmoR32"),
        amount=Money(amount=1000, currency="USD"),
        invoice_id="in_1Pgc6tB7WZ01zgkWu9fdqL6I",
        description="My First Invoice Item (created for API docs)",
        due_date=date(2009, 2, 13),
    )


def test_fixture_invoice_overdue_reports_what_remains_due(webhooks: Path) -> None:
    [overdue] = stripe.normalise(event("invoice.overdue", fixture_object(webhooks, "invoice")))

    assert isinstance(overdue, InvoiceOverdue)
    assert overdue.amount == Money(amount=1000, currency="USD")
    assert overdue.due_date == date(2009, 2, 13)


def test_fixture_invoice_paid_reports_the_amount_paid(webhooks: Path) -> None:
    invoice = fixture_object(webhooks, "invoice") | {"amount_paid": 1000, "number": "7FE1103-0001"}  # paid copy

    [paid] = stripe.normalise(event("invoice.paid", invoice))

    # The fixture names no payment (API 2025-03-31 on): the invoice reported paid, not a payment of its own.
    assert isinstance(paid, InvoiceSettled)
    assert (paid.amount, paid.invoice_number) == (Money(amount=1000, currency="USD"), "7FE1103-0001")


def test_fixture_payment_intent_succeeded_is_a_card_payment(webhooks: Path) -> None:
    [received] = stripe.normalise(event("payment_intent.succeeded", fixture_object(webhooks, "payment_intent")))

    assert received == PaymentReceived(
        provider="stripe",
        event_id="evt_1",
        occurred_at=STRIPE_CREATED,
        customer=CustomerRef(),
        amount=Money(amount=1099, currency="USD"),
        payment_method=PaymentMethod.CARD,
        payment_id="pi_1PgafyB7WZ01zgkWSjxsAJo3",
    )


def test_fixture_payment_intent_failed_is_a_failed_payment(webhooks: Path) -> None:
    [failed] = stripe.normalise(event("payment_intent.payment_failed", fixture_object(webhooks, "payment_intent")))

    assert isinstance(failed, PaymentFailed)
    assert failed.amount == Money(amount=1099, currency="USD")


def test_fixture_charge_refunded_reports_the_refunded_total(webhooks: Path) -> None:
    charge = fixture_object(webhooks, "charge") | {"amount_refunded": 100}  # the fixture's charge, refunded

    [refund] = stripe.normalise(event("charge.refunded", charge))

    assert refund == RefundIssued(
        provider="stripe",
        event_id="evt_1",
        occurred_at=STRIPE_CREATED,
        customer=CustomerRef(name="Jenny Rosen"),
        amount=Money(amount=100, currency="USD"),
        payment_method=PaymentMethod.CARD,
        payment_id="ch_1PgafuB7WZ01zgkWXYmPNZs8",
        description="My First Test Charge (created for API docs)",
        paid_at=datetime.fromtimestamp(charge["created"], UTC),  # when the charge was made
    )


def test_fixture_dispute_created_is_a_chargeback_opened(webhooks: Path) -> None:
    [opened] = stripe.normalise(event("charge.dispute.created", fixture_object(webhooks, "dispute")))

    assert opened == ChargebackOpened(
        provider="stripe",
        event_id="evt_1",
        occurred_at=STRIPE_CREATED,
        customer=CustomerRef(),
        amount=Money(amount=1000, currency="USD"),
        payment_method=PaymentMethod.CARD,
        payment_id="ch_1PgafuB7WZ01zgkWXYmPNZs8",
        reason="general",
    )


@pytest.mark.parametrize(
    ("status", "outcome"), [("won", "won"), ("warning_closed", "won"), ("prevented", "won"), ("lost", "lost")]
)
def test_fixture_dispute_closed_tells_who_won(webhooks: Path, status: str, outcome: str) -> None:
    dispute = fixture_object(webhooks, "dispute") | {"status": status}

    [closed] = stripe.normalise(event("charge.dispute.closed", dispute))

    assert isinstance(closed, ChargebackClosed)
    assert (closed.outcome, closed.amount) == (outcome, Money(amount=1000, currency="USD"))


def test_a_closed_dispute_with_an_open_status_is_refused(webhooks: Path) -> None:
    with pytest.raises(PayloadError, match="not a final one"):
        stripe.normalise(event("charge.dispute.closed", fixture_object(webhooks, "dispute")))


def test_fixture_subscription_updated_carries_plan_and_cycle_amount(webhooks: Path) -> None:
    [changed] = stripe.normalise(event("customer.subscription.updated", fixture_object(webhooks, "subscription")))

    assert changed == SubscriptionChanged(
        provider="stripe",
        event_id="evt_1",
        occurred_at=STRIPE_CREATED,
        customer=CustomerRef(id="cus_QXg1o8vcGmoR32"),
        subscription_id="sub_1Pgc6rB7WZ01zgkWNy0Cn5nw",
        status="active",
        plan="price_1PgafmB7WZ01zgkW6dKueIc5",
        amount=Money(amount=2000, currency="USD"),
    )


def test_fixture_subscription_deleted_is_a_cancellation(webhooks: Path) -> None:
    [cancelled] = stripe.normalise(event("customer.subscription.deleted", fixture_object(webhooks, "subscription")))

    assert isinstance(cancelled, SubscriptionCancelled)
    assert cancelled.subscription_id == "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"


def test_fixture_customer_created(webhooks: Path) -> None:
    [created] = stripe.normalise(event("customer.created", fixture_object(webhooks, "customer")))

    assert created == CustomerCreated(
        provider="stripe", event_id="evt_1", occurred_at=STRIPE_CREATED, customer=CustomerRef(id="cus_QXg1o8vcGmoR32")
    )


def test_fixture_event_of_a_type_ponte_ignores_gives_nothing(webhooks: Path) -> None:
    assert stripe.normalise((webhooks / "stripe" / "fixtures-extract" / "event.json").read_bytes()) == []


# --- normalise: hand-made events ---


def checkout_session(**changes: Any) -> dict[str, Any]:
    return {
        "id": "cs_1",
        "object": "checkout.session",
        "amount_total": 4990,
        "currency": "brl",
        "payment_status": "paid",
        "customer": "cus_9",
        "customer_details": {
            "email": "ana@example.com",
            "name": "Ana Souza",
            "phone": "+5511987654321",
            "tax_ids": [{"type": "br_cpf", "value": "123.456.789-09"}],
        },
        "metadata": {"account_id": "ACME-7", "owner": "maria"},
        "payment_intent": "pi_9",
        "invoice": "in_9",
        "payment_method_types": ["pix"],
    } | changes


def test_a_paid_checkout_tells_everything_needed_to_start_delivery() -> None:
    [received] = stripe.normalise(event("checkout.session.completed", checkout_session()))

    assert received == PaymentReceived(
        provider="stripe",
        event_id="evt_1",
        occurred_at=STRIPE_CREATED,
        customer=CustomerRef(
            id="cus_9",
            reference="ACME-7",
            name="Ana Souza",
            email="ana@example.com",
            phone="+5511987654321",
            tax_id="123.456.789-09",
        ),
        owner="maria",
        amount=Money(amount=4990, currency="BRL"),
        payment_method=PaymentMethod.PIX,
        payment_id="pi_9",
        invoice_id="in_9",
    )


def test_an_unpaid_checkout_is_no_payment_yet() -> None:
    assert stripe.normalise(event("checkout.session.completed", checkout_session(payment_status="unpaid"))) == []


def test_a_delayed_checkout_payment_arrives_later_or_fails() -> None:
    [later] = stripe.normalise(event("checkout.session.async_payment_succeeded", checkout_session()))
    [failed] = stripe.normalise(event("checkout.session.async_payment_failed", checkout_session()))

    assert isinstance(later, PaymentReceived)
    assert isinstance(failed, PaymentFailed)


def test_a_checkout_without_metadata_uses_the_client_reference() -> None:
    session = checkout_session(metadata={}, client_reference_id="ACME-8", payment_method_types=["card", "pix"])

    [received] = stripe.normalise(event("checkout.session.completed", session))

    assert received.customer.reference == "ACME-8"
    assert received.owner is None
    assert isinstance(received, PaymentReceived)
    assert received.payment_method is None  # several methods offered: the list does not say which one paid


def subscription_invoice(**changes: Any) -> dict[str, Any]:
    return {
        "id": "in_2",
        "object": "invoice",
        "number": "ACME-0002",
        "currency": "usd",
        "amount_due": 2500,
        "amount_paid": 2500,
        "amount_remaining": 0,
        "customer": {"id": "cus_2", "object": "customer"},
        "customer_email": "bob@example.com",
        "customer_name": "Bob",
        "due_date": 1735689599,
        "metadata": {},
        "lines": {"data": [{"description": "1 × Pro (at $25.00 / month)"}]},
        "parent": {"subscription_details": {"metadata": {"account_id": "ACME-2", "owner": "joao"}}},
    } | changes


def test_a_subscription_invoice_inherits_the_subscription_metadata() -> None:
    [paid] = stripe.normalise(event("invoice.paid", subscription_invoice()))

    assert isinstance(paid, InvoiceSettled)
    assert paid.customer == CustomerRef(id="cus_2", reference="ACME-2", name="Bob", email="bob@example.com")
    assert paid.owner == "joao"
    assert paid.description == "1 × Pro (at $25.00 / month)"
    assert (paid.invoice_id, paid.invoice_number) == ("in_2", "ACME-0002")


def test_the_invoice_own_metadata_wins_over_the_subscription() -> None:
    [paid] = stripe.normalise(event("invoice.paid", subscription_invoice(metadata={"owner": "ana"})))

    assert (paid.owner, paid.customer.reference) == ("ana", "ACME-2")


def test_a_failed_invoice_payment_reports_what_remains_due() -> None:
    invoice = subscription_invoice(amount_paid=0, amount_remaining=2500)

    [failed] = stripe.normalise(event("invoice.payment_failed", invoice))

    assert isinstance(failed, PaymentFailed)
    assert failed.amount == Money(amount=2500, currency="USD")


def test_a_stripe_due_date_is_the_day_it_falls_on_in_the_business_time_zone() -> None:
    # 2025-01-01 01:00 UTC is still New Year's Eve in São Paulo (UTC-3).
    invoice = subscription_invoice(amount_remaining=2500, due_date=1735693200)

    [by_default] = stripe.normalise(event("invoice.overdue", invoice))
    [in_utc] = stripe.normalise(event("invoice.overdue", invoice), time_zone="UTC")
    [in_tokyo] = stripe.normalise(event("invoice.finalized", invoice), time_zone="Asia/Tokyo")

    assert isinstance(by_default, InvoiceOverdue)
    assert isinstance(in_utc, InvoiceOverdue)
    assert isinstance(in_tokyo, InvoiceIssued)
    assert (by_default.due_date, in_utc.due_date, in_tokyo.due_date) == (
        date(2024, 12, 31),
        date(2025, 1, 1),
        date(2025, 1, 1),
    )


def test_a_failed_payment_intent_says_why() -> None:
    intent = {
        "id": "pi_3",
        "amount": 5000,
        "currency": "eur",
        "customer": "cus_3",
        "receipt_email": "c@example.com",
        "payment_method_types": ["sepa_debit"],
        "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds", "message": None},
        "metadata": {"reference": "C-3"},
    }

    [failed] = stripe.normalise(event("payment_intent.payment_failed", intent))

    assert failed == PaymentFailed(
        provider="stripe",
        event_id="evt_1",
        occurred_at=STRIPE_CREATED,
        customer=CustomerRef(id="cus_3", reference="C-3", email="c@example.com"),
        amount=Money(amount=5000, currency="EUR"),
        payment_method=PaymentMethod.BANK_DEBIT,
        payment_id="pi_3",
        reason="insufficient_funds",
        links=SaleLinks(reference="C-3"),
    )


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (500, "jpy", Money(amount=500, currency="JPY")),  # zero-decimal at Stripe and in ISO 4217
        (1230, "kwd", Money(amount=1230, currency="KWD")),  # three-decimal
        (50000, "isk", Money(amount=500, currency="ISK")),  # Stripe keeps ISK two-decimal: 50000 = 500 krónur
        (1000, "mga", Money(amount=100000, currency="MGA")),  # Stripe treats MGA as zero-decimal
    ],
)
def test_stripe_minor_units_become_exact_money(amount: int, currency: str, expected: Money) -> None:
    intent = {"id": "pi_4", "amount": amount, "amount_received": amount, "currency": currency}

    [received] = stripe.normalise(event("payment_intent.succeeded", intent))

    assert isinstance(received, PaymentReceived)
    assert received.amount == expected


def test_fractional_icelandic_kronur_are_refused() -> None:
    intent = {"id": "pi_5", "amount": 50050, "currency": "isk"}

    with pytest.raises(PayloadError, match="ISK"):
        stripe.normalise(event("payment_intent.succeeded", intent))


def test_a_placeholder_currency_is_refused() -> None:
    with pytest.raises(PayloadError, match="currency"):
        stripe.normalise(event("payment_intent.succeeded", {"id": "pi_6", "amount": 1, "currency": "currency"}))


def test_a_subscription_with_prices_in_several_currencies_has_no_single_amount() -> None:
    def item(currency: str) -> dict[str, Any]:
        return {"price": {"id": f"price_{currency}", "currency": currency, "unit_amount": 100}, "quantity": 2}

    subscription = {"id": "sub_7", "status": "past_due", "items": {"data": [item("usd"), item("eur")]}}

    [changed] = stripe.normalise(event("customer.subscription.updated", subscription))

    assert isinstance(changed, SubscriptionChanged)
    assert (changed.status, changed.amount, changed.plan) == ("past_due", None, "price_usd; price_eur")


def test_an_unknown_event_type_gives_nothing() -> None:
    assert stripe.normalise(event("payout.paid", {"id": "po_1"})) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"not json", "not JSON"),
        (b'{"id": "evt_1", "amount": NaN}', "not JSON"),
        (b"[]", "Stripe event"),
        (b'{"type": "invoice.paid"}', "id: Field required"),
    ],
)
def test_a_body_that_is_not_a_stripe_event_is_refused(body: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        stripe.normalise(body)


def test_a_known_event_missing_a_field_says_which() -> None:
    invoice = subscription_invoice()
    del invoice["amount_paid"]

    with pytest.raises(PayloadError, match=r"invoice.paid data.object: amount_paid: Field required"):
        stripe.normalise(event("invoice.paid", invoice))


def test_the_error_message_does_not_repeat_personal_data() -> None:
    invoice = subscription_invoice(customer_email=["ana@example.com"])

    with pytest.raises(PayloadError) as refused:
        stripe.normalise(event("invoice.paid", invoice))
    assert "ana@example.com" not in str(refused.value)


def test_the_occurred_at_is_the_event_creation_time() -> None:
    [created] = stripe.normalise(event("customer.created", {"id": "cus_1"}, created=1700000000))

    assert created.occurred_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


# --- sale links: the business's invoice a payment belongs to ---


def test_a_checkout_names_the_business_invoice_in_its_metadata() -> None:
    metadata = {
        "account_id": "ACME-7",
        "invoice_number": "000123",
        "invoice_series": "1",
        "nfe": "3524 0612 3456 7800 0195 5500 1000 0012 3410 0001 2345",
        "order": "PED-981",
    }

    [received] = stripe.normalise(event("checkout.session.completed", checkout_session(metadata=metadata)))

    assert isinstance(received, PaymentReceived)
    assert received.links == SaleLinks(
        reference="PED-981",
        invoice_number="000123",
        series="1",
        access_key="35240612345678000195550010000012341000012345",
    )
    assert received.customer.reference == "ACME-7"


@pytest.mark.parametrize(
    ("metadata", "links"),
    [
        ({"nfe": "4521", "serie": "2"}, SaleLinks(invoice_number="4521", series="2")),
        ({"external_reference": "PED-1", "reference": "C-9"}, SaleLinks(reference="C-9")),
        ({"external_reference": "PED-1"}, SaleLinks(reference="PED-1")),
        ({"reference": " ", "invoice_number": ""}, SaleLinks()),
        ({"reference": "x" * 201, "nfe": "1" * 45}, SaleLinks(invoice_number="1" * 45)),
    ],
)
def test_links_read_from_metadata(metadata: dict[str, str], links: SaleLinks) -> None:
    intent = {"id": "pi_7", "amount": 100, "amount_received": 100, "currency": "brl", "metadata": metadata}

    [received] = stripe.normalise(event("payment_intent.succeeded", intent))

    assert isinstance(received, PaymentReceived)
    assert received.links == links


def test_an_invoice_carries_its_payment_page_and_its_own_links() -> None:
    url = "https://invoice.stripe.com/i/acct_1/test_YWNjdF8x"
    invoice = subscription_invoice(hosted_invoice_url=url, metadata={"nfe": "4521", "serie": "1"})

    [paid] = stripe.normalise(event("invoice.paid", invoice))

    assert isinstance(paid, InvoiceSettled)
    assert (paid.payment_url, paid.links) == (url, SaleLinks(invoice_number="4521", series="1"))
    assert paid.customer.reference == "ACME-2"  # the subscription's metadata still names the customer


def test_a_subscription_invoice_does_not_inherit_the_subscription_links() -> None:
    # Set once on the subscription, an invoice number would name every monthly invoice alike.
    metadata = {"account_id": "ACME-2", "invoice_number": "2024-77", "order": "PED-1"}
    invoice = subscription_invoice(parent={"subscription_details": {"metadata": metadata}})

    [paid] = stripe.normalise(event("invoice.paid", invoice))

    assert isinstance(paid, InvoiceSettled)
    assert paid.links == SaleLinks()


def test_a_fixture_invoice_without_a_page_has_no_payment_url(webhooks: Path) -> None:
    [issued] = stripe.normalise(event("invoice.finalized", fixture_object(webhooks, "invoice")))

    assert isinstance(issued, InvoiceIssued)
    assert (issued.payment_url, issued.links) == (None, SaleLinks())


def test_a_payment_page_that_is_not_https_is_left_out() -> None:
    [paid] = stripe.normalise(event("invoice.paid", subscription_invoice(hosted_invoice_url="http://example.com/i")))

    assert isinstance(paid, InvoiceSettled)
    assert paid.payment_url is None


def test_an_invoice_paid_under_newer_api_versions_names_its_payment_intent(webhooks: Path) -> None:
    # From API version 2025-03-31 the invoice lists its payments (invoice_payment objects) instead.
    payment = fixture_object(webhooks, "invoice_payment") | {
        "status": "paid",
        "payment": {"type": "payment_intent", "payment_intent": "pi_basil"},
    }
    failed = payment | {"status": "canceled", "payment": {"type": "payment_intent", "payment_intent": "pi_old"}}
    invoice = subscription_invoice(payments={"data": [failed, payment]})

    [paid] = stripe.normalise(event("invoice.paid", invoice))

    assert isinstance(paid, PaymentReceived)
    assert paid.payment_id == "pi_basil"


def test_an_invoice_paid_that_names_no_payment_is_the_invoice_reported_paid() -> None:
    # From API version 2025-03-31 a webhook's invoice names neither `payment_intent` nor (unexpanded) `payments`.
    [settled] = stripe.normalise(event("invoice.paid", subscription_invoice()))

    assert settled == InvoiceSettled(
        provider="stripe",
        event_id="evt_1",
        occurred_at=STRIPE_CREATED,
        customer=CustomerRef(id="cus_2", reference="ACME-2", name="Bob", email="bob@example.com"),
        owner="joao",
        amount=Money(amount=2500, currency="USD"),
        invoice_id="in_2",
        invoice_number="ACME-0002",
        description="1 × Pro (at $25.00 / month)",
        due_date=date(2024, 12, 31),  # 23:59:59 UTC on New Year's Eve is still that day in São Paulo
    )


def test_a_subscriptions_checkout_that_names_no_invoice_is_no_second_payment() -> None:
    # As an older API version renders a subscription's session (pay-rails/pay's captured checkout.session.completed:
    # mode subscription, payment_intent null, no invoice): the subscription's invoice events carry its money.
    session = checkout_session(mode="subscription", payment_intent=None, subscription="sub_9")
    del session["invoice"]

    for kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        [seen] = stripe.normalise(event(kind, session))
        # No money, and who the customer is kept: the business's reference and the owner the session names.
        assert isinstance(seen, CustomerCreated)
        assert (seen.customer.reference, seen.customer.id, seen.owner) == ("ACME-7", "cus_9", "maria")
    # A one-off payment's session without a payment intent is still the payment it says it is.
    [paid] = stripe.normalise(event("checkout.session.completed", session | {"mode": "payment"}))
    assert isinstance(paid, PaymentReceived) and paid.amount == Money(amount=4990, currency="BRL")


def test_a_subscriptions_checkout_names_its_invoice_reported_paid_not_a_payment() -> None:
    # A subscription's session names its invoice and, in every API version, no payment intent.
    session = checkout_session(mode="subscription", payment_intent=None, subscription="sub_9")

    [settled] = stripe.normalise(event("checkout.session.completed", session))
    [later] = stripe.normalise(event("checkout.session.async_payment_succeeded", session))

    assert isinstance(settled, InvoiceSettled) and isinstance(later, InvoiceSettled)
    assert (settled.invoice_id, settled.payment_id, settled.amount) == (
        "in_9",
        None,
        Money(amount=4990, currency="BRL"),
    )
    assert settled.customer.reference == "ACME-7"


def paid_invoice_payment(webhooks: Path, payment: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The stripe-mock fixture's InvoicePayment, as invoice_payment.paid carries it once paid."""
    return fixture_object(webhooks, "invoice_payment") | {
        "invoice": "in_2",
        "currency": "brl",
        "amount_paid": 2500,
        "status": "paid",
        "payment": payment,
        "status_transitions": {"canceled_at": None, "paid_at": 1721954000},
        **changes,
    }


def test_fixture_invoice_payment_paid_ties_the_invoice_to_its_payment_intent(webhooks: Path) -> None:
    payment = paid_invoice_payment(webhooks, {"type": "payment_intent", "payment_intent": "pi_basil"})

    [applied] = stripe.normalise(event("invoice_payment.paid", payment))

    assert applied == PaymentApplied(
        provider="stripe",
        event_id="evt_1",
        occurred_at=at(1721954000),  # when it was paid (status_transitions.paid_at)
        customer=CustomerRef(),  # an InvoicePayment names no customer
        amount=Money(amount=2500, currency="BRL"),
        payment_id="pi_basil",
        invoice_id="in_2",
    )


@pytest.mark.parametrize(
    ("payment", "changes", "payment_id", "paid_at"),
    [
        ({"type": "charge", "charge": "ch_basil"}, {}, "ch_basil", at(1721954000)),
        (
            {"type": "payment_intent", "payment_intent": {"id": "pi_basil", "object": "payment_intent"}},
            {"invoice": {"id": "in_2", "object": "invoice"}, "status_transitions": {"paid_at": None}},
            "pi_basil",
            STRIPE_CREATED,  # the moment unknown: the event's
        ),
    ],
    ids=["a charge without a payment intent", "expanded, paid moment unknown"],
)
def test_an_invoice_payment_names_its_payment_as_the_payment_was_recorded(
    webhooks: Path, payment: dict[str, Any], changes: dict[str, Any], payment_id: str, paid_at: datetime
) -> None:
    [applied] = stripe.normalise(event("invoice_payment.paid", paid_invoice_payment(webhooks, payment, **changes)))

    assert isinstance(applied, PaymentApplied)
    assert (applied.payment_id, applied.invoice_id, applied.occurred_at) == (payment_id, "in_2", paid_at)


@pytest.mark.parametrize(
    "payment",
    [
        None,  # the fixture as published: `payment` names its type alone
        {"type": "out_of_band_payment"},
        {"type": "payment_record", "payment_record": "pr_1"},
    ],
)
def test_an_invoice_payment_that_names_no_stripe_payment_gives_nothing(
    webhooks: Path, payment: dict[str, Any] | None
) -> None:
    obj = fixture_object(webhooks, "invoice_payment")
    if payment is not None:
        obj = paid_invoice_payment(webhooks, payment)

    assert stripe.normalise(event("invoice_payment.paid", obj)) == []


def test_a_boleto_awaiting_payment_carries_its_number_and_page() -> None:
    intent = {
        "id": "pi_8",
        "amount": 4990,
        "currency": "brl",
        "payment_method_types": ["boleto"],
        "next_action": {
            "type": "boleto_display_details",
            "boleto_display_details": {
                "expires_at": 1735689599,
                "hosted_voucher_url": "https://payments.stripe.com/boleto/voucher/test_YWNjdF8x",
                "number": "01010101010101010101010101010101010101010101010",
                "pdf": "https://payments.stripe.com/boleto/voucher/test_YWNjdF8x/pdf",
            },
        },
    }

    [failed] = stripe.normalise(event("payment_intent.payment_failed", intent))

    assert isinstance(failed, PaymentFailed)
    assert failed.payment_method == PaymentMethod.BOLETO
    assert failed.links == SaleLinks(bank_slip="01010101010101010101010101010101010101010101010")
    assert failed.payment_url == "https://payments.stripe.com/boleto/voucher/test_YWNjdF8x"


def test_a_refund_names_the_payment_intent_the_payment_was_recorded_under(webhooks: Path) -> None:
    charge = fixture_object(webhooks, "charge") | {
        "amount_refunded": 100,
        "payment_intent": "pi_1PgafyB7WZ01zgkWSjxsAJo3",
        "metadata": {"invoice_number": "000123"},
        "payment_method_details": {"type": "boleto", "boleto": {"tax_id": "123.456.789-09"}},
    }

    [refund] = stripe.normalise(event("charge.refunded", charge))

    assert isinstance(refund, RefundIssued)
    assert refund.payment_id == "pi_1PgafyB7WZ01zgkWSjxsAJo3"
    assert refund.links == SaleLinks(invoice_number="000123")
    assert refund.customer.tax_id == "123.456.789-09"


def test_a_dispute_names_the_payment_intent_the_payment_was_recorded_under(webhooks: Path) -> None:
    dispute = fixture_object(webhooks, "dispute") | {"payment_intent": {"id": "pi_9", "object": "payment_intent"}}

    [opened] = stripe.normalise(event("charge.dispute.created", dispute))

    assert isinstance(opened, ChargebackOpened)
    assert opened.payment_id == "pi_9"


# --- what events mean ---


def stripe_mock(webhooks: Path, resource: str) -> dict[str, Any]:
    """A resource as stripe-mock's fixtures3.json (Stripe's OpenAPI fixtures) gives it."""
    fixtures: dict[str, Any] = json.loads((webhooks / "stripe" / "fixtures3.json").read_text())
    resource_object: dict[str, Any] = fixtures["resources"][resource]
    return resource_object


def test_a_setup_checkout_is_acknowledged_and_ignored(webhooks: Path) -> None:
    # Setup mode saves a card for later: no amount, no currency, nothing paid.
    session = stripe_mock(webhooks, "checkout.session") | {
        "mode": "setup",
        "payment_status": "no_payment_required",
        "status": "complete",
        "setup_intent": "seti_1",
        "payment_intent": None,
    }
    assert (session["amount_total"], session["currency"]) == (None, None)

    assert stripe.normalise(event("checkout.session.completed", session)) == []


def test_a_paid_checkout_without_an_amount_is_still_refused(webhooks: Path) -> None:
    session = stripe_mock(webhooks, "checkout.session") | {"payment_status": "paid"}

    with pytest.raises(PayloadError, match="amount_total"):
        stripe.normalise(event("checkout.session.completed", session))


def payloads() -> Path:
    return Path(__file__).parent / "payloads"


def test_a_trial_that_ended_is_a_subscription_change() -> None:
    body = (payloads() / "stripe" / "customer.subscription.updated.trial-ended.json").read_bytes()

    assert stripe.normalise(body) == [
        SubscriptionChanged(
            provider="stripe",
            event_id="evt_1MqqbKLt4dXK03v5qaIbiNCC",
            occurred_at=at(1680064028),
            customer=CustomerRef(id="cus_Nc4kL4EPtG5SKe"),
            subscription_id="sub_1Mqqb6Lt4dXK03v50OA219Ya",
            status="active",
            plan="price_1Mqqb5Lt4dXK03v5cK9prani",
            amount=Money(amount=4242, currency="USD"),
        )
    ]


def updated(previous: dict[str, Any] | None, **changes: Any) -> bytes:
    """The trial-ended event with other former values (None: no previous_attributes at all)."""
    document = json.loads((payloads() / "stripe" / "customer.subscription.updated.trial-ended.json").read_text())
    document["data"]["object"] |= changes
    if previous is None:
        del document["data"]["previous_attributes"]
    else:
        document["data"]["previous_attributes"] = previous
    return json.dumps(document).encode()


def former_items(price: str = "price_1Mqqb5Lt4dXK03v5cK9prani", quantity: int = 1, **item: Any) -> dict[str, Any]:
    return {"data": [{"id": "si_Nc4kEcMHd3vRTS", "price": {"id": price}, "quantity": quantity, **item}]}


@pytest.mark.parametrize(
    "previous",
    [
        {"current_period_end": 1680668814, "current_period_start": 1680064014, "latest_invoice": "in_0"},
        {"metadata": {"note": "vip"}},
        {"status": "active"},  # listed, but not different
        # API version 2025-03-31 and later: a renewal moves the period on the items.
        {"items": former_items(current_period_start=1758832642, current_period_end=1758919042), "latest_invoice": "i"},
        {"items": {"data": [{"plan": {"id": "price_1Mqqb5Lt4dXK03v5cK9prani"}}]}},
    ],
)
def test_an_update_that_changes_neither_price_quantity_nor_status_gives_nothing(previous: dict[str, Any]) -> None:
    assert stripe.normalise(updated(previous)) == []


@pytest.mark.parametrize(
    "previous",
    [
        {"items": former_items(price="price_starter")},
        {"items": former_items(quantity=3)},
        {"items": {"data": [*former_items()["data"], {"price": {"id": "price_addon"}, "quantity": 1}]}},
        {"items": {"data": [{"id": "si_1"}]}},  # a former item naming no price: no telling
        {"plan": {"id": "price_starter"}},
        {"quantity": 2},
        {"status": "past_due"},
    ],
)
def test_an_update_that_changes_price_quantity_or_status_is_a_change(previous: dict[str, Any]) -> None:
    [changed] = stripe.normalise(updated(previous))

    assert isinstance(changed, SubscriptionChanged)


def test_an_update_without_previous_attributes_counts_as_a_change() -> None:
    [changed] = stripe.normalise(updated(None))

    assert isinstance(changed, SubscriptionChanged)


# --- amounts are never negative ---


@pytest.mark.parametrize(
    ("kind", "obj"),
    [
        ("payment_intent.succeeded", {"id": "pi_1", "amount": -100, "amount_received": -100, "currency": "brl"}),
        ("charge.refunded", {"id": "ch_1", "amount_refunded": -100, "currency": "brl"}),
        ("invoice.paid", subscription_invoice(amount_paid=-2500)),
    ],
)
def test_a_negative_amount_is_refused(kind: str, obj: dict[str, Any]) -> None:
    with pytest.raises(PayloadError, match="negative"):
        stripe.normalise(event(kind, obj))


# --- the customer's phone ---


@pytest.mark.parametrize(
    ("phone", "address", "kept"),
    [
        ("+5511987654321", None, "+5511987654321"),  # Checkout collects E.164
        ("(11) 98765-4321", None, "+5511987654321"),  # no address: read as Brazilian
        ("011 15 1234-5678", {"country": "AR"}, "+5491112345678"),  # read in the address's country
        ("612 34 56 78", {"country": "ES"}, "+34612345678"),
        ("98765-4321", None, None),  # no area code: dropped, the payment still counts
        ("030 1234567", {"country": "DE"}, None),  # a national number of a country Ponte has no plan for
    ],
)
def test_a_checkout_customer_phone_is_kept_in_e164_or_dropped(
    phone: str, address: dict[str, str] | None, kept: str | None
) -> None:
    details = checkout_session()["customer_details"] | {"phone": phone, "address": address}

    [received] = stripe.normalise(event("checkout.session.completed", checkout_session(customer_details=details)))

    assert isinstance(received, PaymentReceived)
    assert received.customer.phone == kept
    assert received.amount == Money(amount=4990, currency="BRL")


def test_the_phones_of_an_invoice_a_refund_and_a_new_customer_are_read_alike() -> None:
    invoice = subscription_invoice(customer_phone="11 3333-4444", customer_address={"country": "BR"})
    refunded = {
        "id": "ch_1",
        "amount_refunded": 100,
        "currency": "brl",
        "billing_details": {"phone": "+1 (415) 555-2671", "address": {"country": "BR"}},
    }
    customer = {"id": "cus_1", "phone": "not a phone"}

    [paid] = stripe.normalise(event("invoice.paid", invoice))
    [refund] = stripe.normalise(event("charge.refunded", refunded))
    [created] = stripe.normalise(event("customer.created", customer))

    assert (paid.customer.phone, refund.customer.phone, created.customer.phone) == (
        "+551133334444",
        "+14155552671",
        None,
    )


@pytest.mark.parametrize(
    ("preferred", "locale"),
    [(["es-419", "en"], "es"), (["fr-FR", "pt-BR"], "pt-BR"), (["de"], None), ([], None)],
)
def test_a_stripe_customer_is_written_to_in_the_first_language_they_prefer_that_ponte_speaks(
    webhooks: Path, preferred: list[str], locale: str | None
) -> None:
    customer = fixture_object(webhooks, "customer") | {"preferred_locales": preferred}
    [created] = stripe.normalise(event("customer.created", customer))
    assert created.customer.locale == locale
