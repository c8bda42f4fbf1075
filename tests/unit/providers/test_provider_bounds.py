"""What a provider may say is bounded before it reaches a key or a model (issue 10): out of bounds, a delivery is
refused with the field named and the value never repeated; what a third party wrote only for people to read is
fitted instead. `test_fuzz_deliveries` throws thousands of mutated deliveries at the same rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from infra.local.signing import mercadopago_headers
from ponte.adapters import keys
from ponte.domain.errors import InvalidInput, NotFound
from ponte.domain.events import CustomerRef, InvoiceIssued, PaymentReceived, RefundIssued, SubscriptionChanged
from ponte.domain.identity import customer_references, payment_reference
from ponte.domain.money import MAX_MINOR_UNITS, Money
from ponte.providers import PayloadError, asaas, mercadopago, standard, stripe
from ponte.providers.asaas import AsaasCustomer
from ponte.providers.base import fit_text
from ponte.services.payments import PaymentSettings
from ponte.services.webhooks import WebhookPorts, WebhookRefused, WebhookRequest, receive
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

WHEN = datetime(2026, 11, 2, 12, tzinfo=UTC)
SECRET_NAME = "Zélia Confidencial"  # stands for personal data: no refusal may repeat it


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def received(**changes: Any) -> PaymentReceived:
    facts: dict[str, Any] = {
        "provider": "stripe",
        "event_id": "evt_1",
        "occurred_at": WHEN,
        "customer": CustomerRef(id="cus_1"),
        "amount": brl(100),
    }
    return PaymentReceived.model_validate(facts | changes)


def refusal(error: pytest.ExceptionInfo[Exception]) -> str:
    text = str(error.value)
    assert SECRET_NAME not in text and "x" * 50 not in text, "a refusal repeated the value"
    return text


# --- the events: one place for every bound ---


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"event_id": "e" * 256}, "event_id"),
        ({"event_id": "evt é"}, "event_id"),
        ({"event_id": "evt\x001"}, "event_id"),
        ({"payment_id": " pi_1"}, "payment_id"),
        ({"invoice_id": "i" * 101}, "invoice_id"),
        ({"invoice_number": "n" * 101}, "invoice_number"),
        ({"owner": "o" * 129}, "owner"),
        ({"description": "x" * 501}, "description"),
        ({"description": "\ud800" + SECRET_NAME}, "description"),
        ({"payment_url": "https://pay.example/" + SECRET_NAME}, "payment_url"),
        ({"occurred_at": datetime(9999, 12, 31, tzinfo=UTC)}, "occurred_at"),
        ({"occurred_at": datetime(1, 1, 1, tzinfo=UTC)}, "occurred_at"),
        ({"amount": brl(0)}, "amount"),
        ({"amount": brl(-100)}, "amount"),
        ({"amount": brl(MAX_MINOR_UNITS + 1)}, "amount"),
        ({"customer": {"reference": "x" * 256}}, "customer.reference"),
        ({"customer": {"reference": SECRET_NAME + "\n2"}}, "customer.reference"),
        ({"customer": {"id": "cus_" + "x" * 252}}, "customer.id"),
        ({"customer": {"name": SECRET_NAME + "x" * 200}}, "customer.name"),
        ({"customer": {"email": SECRET_NAME + " @example.com"}}, "customer.email"),
        ({"customer": {"tax_id": "1" * 33}}, "customer.tax_id"),
        ({"customer": {"phone": "11 98765-4321"}}, "customer.phone"),
    ],
)
def test_an_event_refuses_a_value_out_of_bounds_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        received(**changes)
    failures = refused.value.errors(include_input=False)
    assert [".".join(str(part) for part in failure["loc"]) for failure in failures] == [field]


def test_a_payment_refund_or_chargeback_is_more_than_zero_an_invoice_may_be_of_nothing() -> None:
    with pytest.raises(ValidationError, match="more than zero"):
        RefundIssued(provider="stripe", event_id="evt_r", occurred_at=WHEN, customer=CustomerRef(), amount=brl(0))
    free = InvoiceIssued(provider="stripe", event_id="evt_i", occurred_at=WHEN, customer=CustomerRef(), amount=brl(0))
    assert free.amount.is_zero
    plan = SubscriptionChanged(
        provider="asaas", event_id="e", occurred_at=WHEN, customer=CustomerRef(), subscription_id="s", amount=brl(0)
    )
    assert plan.amount == brl(0)


def test_an_invoice_known_only_by_its_event_needs_an_event_id_that_can_be_its_number() -> None:
    with pytest.raises(ValidationError, match="known by its event_id"):
        InvoiceIssued(provider="standard", event_id="m" * 101, occurred_at=WHEN, customer=CustomerRef(), amount=brl(1))
    InvoiceIssued(
        provider="standard", event_id="m" * 101, occurred_at=WHEN, customer=CustomerRef(), amount=brl(1), invoice_id="i"
    )


def test_blank_text_is_no_text_and_text_is_trimmed() -> None:
    event = received(customer={"id": "", "reference": "  ACME-7 ", "name": " ", "email": ""}, description="\t")
    assert event.customer == CustomerRef(reference="ACME-7")
    assert event.description is None


def test_the_longest_values_an_event_takes_fit_every_key_they_become() -> None:
    # Given ids and a reference at their bounds, the reference in 4-byte characters
    event = received(
        event_id="e" * 255,
        payment_id="p" * 255,
        customer={"id": "c" * 255, "reference": "😀" * 255, "email": "a" * 244 + "@x.example"},
    )
    # Then every key DynamoDB is asked to write stays within its limit (2,048 bytes, 1,024 for a sort key)
    refs = customer_references(
        reference=event.customer.reference,
        provider=event.provider,
        provider_id=event.customer.id,
        email=event.customer.email,
    )
    built = [keys.reference_key(kind, value) for kind, value in [*refs, payment_reference("mercadopago", "p" * 255)]]
    built += [keys.inbound_key(f"mercadopago:{event.event_id}"), keys.payment_key("a" * 128, "mercadopago", "p" * 255)]
    assert all(len(key["pk"].encode()) <= 2048 and len(key["sk"].encode()) <= 1024 for key in built)


@pytest.mark.parametrize("written", ["😀" * 512, "😀" * 509 + "abc", "ã" * 512, "x" * 513])
def test_a_reference_of_any_text_fits_the_key_it_becomes(written: str) -> None:
    # A search someone types, or a name a file holds: at most 512 characters, but 512 emoji are 2,048 bytes
    for kind, value in customer_references(reference=written, name=written):
        assert len(keys.reference_key(kind, value)["pk"].encode()) <= 2048, kind
    # and a reference that fits is kept as written (an account found by it before still is)
    assert customer_references(reference="ã" * 512) == [("reference", "ã" * 512)]


# --- money ---


@pytest.mark.parametrize("value", ["1e999999", "-1e999999", "1E+400", "1e16", Decimal(MAX_MINOR_UNITS) + 1, 10**4000])
def test_an_amount_beyond_any_real_one_is_refused_before_it_is_scaled(value: Decimal | str | int) -> None:
    with pytest.raises(InvalidInput, match="beyond the largest amount"):
        Money.from_decimal(Decimal(value) if isinstance(value, str) else value, "JPY")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_a_number_that_is_not_finite_is_no_amount(value: str) -> None:
    with pytest.raises(InvalidInput, match="not an amount"):
        Money.from_decimal(Decimal(value), "BRL")


def test_the_largest_amount_is_taken_and_a_bad_currency_is_not_repeated() -> None:
    assert Money.from_decimal(Decimal(MAX_MINOR_UNITS).scaleb(-2), "BRL").amount == MAX_MINOR_UNITS
    with pytest.raises(ValueError, match="ISO 4217") as refused:
        Money.from_decimal(1, SECRET_NAME)
    assert SECRET_NAME not in str(refused.value)


# --- the providers: refused when it identifies or counts, fitted when it is only read ---


def stripe_event(kind: str, obj: dict[str, Any], **envelope: Any) -> bytes:
    event = {"id": "evt_1", "object": "event", "type": kind, "created": 1761955200, "data": {"object": obj}}
    return json.dumps(event | envelope).encode()


INTENT = {
    "id": "pi_1",
    "amount": 5000,
    "amount_received": 5000,
    "currency": "brl",
    "customer": "cus_1",
    "metadata": {"account_id": "acme"},
    "payment_method_types": ["pix"],
}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (stripe_event("payment_intent.succeeded", INTENT | {"amount": 0, "amount_received": 0}), "more than zero"),
        (stripe_event("payment_intent.succeeded", INTENT | {"amount_received": -5}), "negative"),
        (stripe_event("payment_intent.succeeded", INTENT | {"amount_received": 10**16}), "beyond the largest"),
        (stripe_event("payment_intent.succeeded", INTENT | {"metadata": {"account_id": "x" * 256}}), "reference"),
        (stripe_event("payment_intent.succeeded", INTENT | {"currency": SECRET_NAME}), "currency"),
        (stripe_event("payment_intent.succeeded", INTENT, id="evt_" + "x" * 252), "event_id"),
        (stripe_event("payment_intent.succeeded", INTENT, created=253402300799000), "created"),
    ],
)
def test_stripe_refuses_what_identifies_or_counts_out_of_bounds(body: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem) as refused:
        stripe.normalise(body)
    refusal(refused)


def test_stripe_refuses_an_amount_of_1e999999_at_once_naming_it() -> None:
    body = stripe_event("payment_intent.succeeded", INTENT | {"amount_received": "AMOUNT"}).replace(
        b'"AMOUNT"', b"1e999999"
    )
    with pytest.raises(PayloadError, match="amount_received: Value error, number out of range"):
        stripe.normalise(body)


def test_an_invoice_of_nothing_marked_paid_is_no_payment() -> None:
    invoice = {"id": "in_1", "currency": "brl", "amount_due": 0, "amount_paid": 0, "amount_remaining": 0}
    assert stripe.normalise(stripe_event("invoice.paid", invoice)) == []
    [issued] = stripe.normalise(stripe_event("invoice.finalized", invoice))
    assert isinstance(issued, InvoiceIssued) and issued.amount.is_zero


def test_what_stripe_says_for_people_to_read_is_fitted_not_refused() -> None:
    details = {
        "name": SECRET_NAME + "\x00" + "n" * 300,
        "email": "joão silva@example.com",
        "tax_ids": [{"value": "9" * 40}],
    }
    session = {
        "id": "cs_1",
        "amount_total": 2000,
        "currency": "brl",
        "payment_status": "paid",
        "customer_details": details,
        "metadata": {"account_id": "acme", "plan": "Plano\ud800 " + "p" * 800},
    }
    [paid] = stripe.normalise(stripe_event("checkout.session.completed", session))
    assert isinstance(paid, PaymentReceived)
    assert paid.customer.name is not None and len(paid.customer.name) == 200 and paid.customer.name.endswith("…")
    assert paid.customer.name.startswith(SECRET_NAME + " n")
    assert (paid.customer.email, paid.customer.tax_id) == (None, None)  # they cannot be an e-mail and a tax id
    assert paid.description is not None and len(paid.description) == 500 and "\ud800" not in paid.description


def asaas_event(kind: str, created: str = "2026-11-02 09:00:00", **payment: Any) -> bytes:
    base = {"id": "pay_1", "customer": "cus_1", "value": 10, "billingType": "PIX", "dueDate": "2026-11-10"}
    return json.dumps({"id": "evt_1", "event": kind, "dateCreated": created, "payment": base | payment}).encode()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (asaas_event("PAYMENT_RECEIVED", value=0), "amount: Value error, must be more than zero"),
        (asaas_event("PAYMENT_RECEIVED", value=-10), "payment.value: is negative"),
        (asaas_event("PAYMENT_RECEIVED", value="1e999999"), "payment.value: beyond the largest amount"),
        (asaas_event("PAYMENT_REFUNDED", value=0), "more than zero"),
        (asaas_event("PAYMENT_OVERDUE", dueDate="9999-12-31"), "due_date"),
        (asaas_event("PAYMENT_RECEIVED", externalReference=SECRET_NAME * 20), "customer.reference"),
        (asaas_event("PAYMENT_RECEIVED", customer="cus " + SECRET_NAME), "customer.id"),
    ],
)
def test_asaas_refuses_what_identifies_or_counts_out_of_bounds(body: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem) as refused:
        asaas.normalise(body)
    refusal(refused)


def test_an_asaas_charge_of_nothing_is_an_invoice_with_nothing_to_collect() -> None:
    [created] = asaas.normalise(asaas_event("PAYMENT_CREATED", value=0))
    assert isinstance(created, InvoiceIssued) and created.amount.is_zero


def test_asaas_dates_that_are_not_dates_are_named_not_repeated() -> None:
    for body, field in [
        (asaas_event("PAYMENT_RECEIVED", created=SECRET_NAME), "dateCreated"),
        (asaas_event("PAYMENT_CREATED", dueDate=SECRET_NAME), "dueDate"),
    ]:
        with pytest.raises(PayloadError, match=field) as refused:
            asaas.normalise(body)
        refusal(refused)


def test_what_asaas_api_adds_is_left_out_when_it_does_not_fit() -> None:
    [event] = asaas.normalise(asaas_event("PAYMENT_RECEIVED"))
    found = AsaasCustomer(
        id="cus_1", name="N" * 300, email="not an e-mail", cpfCnpj="1" * 40, externalReference="r" * 300
    )
    [completed] = asaas.enrich([event], found)
    customer = completed.customer
    assert customer.name is not None and len(customer.name) == 200
    assert (customer.email, customer.tax_id, customer.reference) == (None, None, None)


def mp_payment(**changes: Any) -> dict[str, Any]:
    payment = {
        "id": 555,
        "status": "approved",
        "currency_id": "BRL",
        "transaction_amount": Decimal("89.90"),
        "date_created": "2026-11-02T08:59:00.000-03:00",
        "date_approved": "2026-11-02T09:00:00.000-03:00",
        "external_reference": "loja-azul",
    }
    return payment | changes


@pytest.mark.parametrize(
    ("payment", "problem"),
    [
        (mp_payment(transaction_amount=Decimal(-1)), "transaction_amount: is negative"),
        (mp_payment(transaction_amount=Decimal("1e999999")), "transaction_amount: Value error, number out of range"),
        (mp_payment(transaction_amount=Decimal("NaN")), "transaction_amount: Value error, number out of range"),
        (mp_payment(transaction_amount_refunded=Decimal(-3)), "transaction_amount_refunded: is negative"),
        (mp_payment(id=10**30), "id: Value error, number out of range"),
        (mp_payment(date_approved="9999-12-31T00:00:00Z"), "date_approved"),
        (mp_payment(payer={"id": "p" * 256}), "customer.id"),
    ],
)
def test_mercadopago_refuses_what_identifies_or_counts_out_of_bounds(payment: dict[str, Any], problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        mercadopago.normalise_payment(payment)


@pytest.mark.parametrize("data_id", ["12a", "1" * 20, "../1", SECRET_NAME])
def test_a_mercadopago_payment_id_that_is_no_number_never_reaches_the_api(data_id: str) -> None:
    body = json.dumps({"type": "payment", "data": {"id": data_id}}).encode()
    with pytest.raises(PayloadError, match=r"data\.id") as refused:
        mercadopago.payment_notification(body, {"data.id": data_id, "type": "payment"})
    refusal(refused)


def standard_body(kind: str, **data: Any) -> bytes:
    body = {"id": "msg_1", "type": kind, "timestamp": "2026-11-02T09:00:00Z", "data": {"customer": {"id": "c"}} | data}
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (standard_body("payment.received", amount="0", currency="BRL"), "amount: Value error, must be more than zero"),
        (standard_body("payment.received", amount="1e999999", currency="BRL"), "amount: beyond the largest amount"),
        (standard_body("payment.received", amount="NaN", currency="BRL"), "amount"),
        (standard_body("refund.issued", amount="-1", currency="BRL"), "negative"),
        (standard_body("customer.created", customer={"name": SECRET_NAME * 20}), "customer.name"),
        (standard_body("customer.created", customer={"email": SECRET_NAME + "@x.example"}), "customer.email"),
        (standard_body("customer.created", customer={"reference": "\ud800" + SECRET_NAME}), "customer.reference"),
        (standard_body("invoice.issued", amount="1", currency="BRL", due_date="9999-12-31"), "due_date"),
        (standard_body("subscription.changed", subscription_id="s\x00"), "subscription_id"),
    ],
)
def test_standard_webhooks_senders_get_every_refusal_named(body: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem) as refused:
        standard.normalise(body)
    refusal(refused)


def test_a_standard_webhooks_message_id_out_of_bounds_is_refused() -> None:
    with pytest.raises(PayloadError, match="event_id"):
        standard.normalise(standard_body("customer.created"), headers={"webhook-id": "m" * 256})


def test_fitting_a_text_keeps_what_fits_and_marks_the_cut() -> None:
    assert fit_text("  Plano\x00Pro\n\n mensal ", 500) == "Plano Pro mensal"
    assert fit_text("abcdef", 4) == "abc…"
    assert fit_text("\x00\x01", 10) is None


# --- the webhook use case ---


class _Secrets:
    def refreshed(self, name: str) -> list[str] | None:
        return None  # read again within the minute: nothing new

    def values(self, name: str) -> list[str]:
        return ["mp-secret"]


class _MissingPayment:
    def payment(self, payment_id: str) -> dict[str, Any]:
        raise NotFound(f"Mercado Pago has no payment {payment_id}")


def test_a_notification_about_a_payment_the_provider_does_not_have_is_a_400() -> None:
    body = json.dumps({"type": "payment", "data": {"id": "123456"}}).encode()
    request = WebhookRequest(
        provider="mercadopago",
        headers={k.lower(): v for k, v in mercadopago_headers("123456", "r-1", "mp-secret", T0).items()},
        body=body,
        query={"data.id": "123456", "type": "payment"},
        received_at=T0,
    )
    store = MemoryLedgerStore()
    with pytest.raises(WebhookRefused) as refused:
        receive(
            request,
            WebhookPorts(
                secrets=_Secrets(),
                store=store,
                settings=PaymentSettings(staff_locale="en", customer_locale="en", time_zone="UTC"),
                recompute=lambda ledger, now, cause: None,
                mercadopago_api=_MissingPayment,
            ),
        )
    assert refused.value.status == 400 and "does not exist" in refused.value.reason and store.commits == 0


def test_dates_at_the_bounds_are_taken() -> None:
    event = InvoiceIssued(
        provider="stripe",
        event_id="evt_1",
        occurred_at=datetime(1970, 1, 1, tzinfo=UTC),
        customer=CustomerRef(),
        amount=brl(1),
        invoice_id="in_1",
        due_date=date(2099, 12, 31),
    )
    assert event.due_date == date(2099, 12, 31)
