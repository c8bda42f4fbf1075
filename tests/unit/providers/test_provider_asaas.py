import json
from datetime import UTC, date, datetime, timedelta, timezone
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
    SubscriptionCancelled,
    SubscriptionChanged,
)
from ponte.domain.money import Money
from ponte.providers import PayloadError, SignatureError, asaas
from ponte.providers.asaas import AsaasCustomer, brazilian_phone

TOKEN = "asaas-token-with-enough-entropy-1"
NOW = datetime(2024, 6, 12, 19, 45, tzinfo=UTC)
BRASILIA = timezone(timedelta(hours=-3))


# --- verify: a static token, compared in constant time ---


def test_the_configured_token_is_accepted() -> None:
    asaas.verify({"asaas-access-token": TOKEN}, b"{}", [TOKEN], NOW)


def test_the_header_name_is_case_insensitive() -> None:
    asaas.verify({"Asaas-Access-Token": TOKEN}, b"{}", [TOKEN], NOW)


def test_during_rotation_either_token_is_accepted() -> None:
    asaas.verify({"asaas-access-token": "new-token"}, b"{}", [TOKEN, "new-token"], NOW)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({"asaas-access-token": ""}, "missing"),
        ({"asaas-access-token": TOKEN[:-1]}, "does not match"),
        ({"asaas-access-token": TOKEN + " "}, "does not match"),
        ({"asaas-access-token": "tökén"}, "does not match"),
    ],
)
def test_a_missing_or_wrong_token_is_refused(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(SignatureError, match=reason) as refused:
        asaas.verify(headers, b"{}", [TOKEN], NOW)
    assert TOKEN not in str(refused.value)


def test_no_token_configured_fails_closed() -> None:
    with pytest.raises(SignatureError, match="no webhook secret"):
        asaas.verify({"asaas-access-token": ""}, b"{}", [""], NOW)


# --- normalise: the documented payloads ---


def test_the_documented_payment_received(webhooks: Path) -> None:
    events = asaas.normalise((webhooks / "asaas" / "PAYMENT_RECEIVED.json").read_bytes())

    assert events == [
        PaymentReceived(
            provider="asaas",
            event_id="evt_05b708f961d739ea7eba7e4db318f621&368604920",
            occurred_at=datetime(2024, 6, 12, 16, 45, 3, tzinfo=BRASILIA),
            customer=CustomerRef(id="cus_G7Dvo4iphUNk", reference="056984"),
            amount=Money(amount=10000, currency="BRL"),
            payment_method=PaymentMethod.CARD,
            payment_id="pay_080225913252",
            invoice_id="pay_080225913252",
            invoice_number="00005101",
            description="Pedido 056984",
            links=SaleLinks(reference="056984", invoice_number="00005101"),
            payment_url="https://www.asaas.com/i/080225913252",
        )
    ]


def test_the_documented_subscription_created(webhooks: Path) -> None:
    events = asaas.normalise((webhooks / "asaas" / "SUBSCRIPTION_CREATED.json").read_bytes())

    assert events == [
        SubscriptionChanged(
            provider="asaas",
            event_id="evt_6561b631fa5580caadd00bbe3b858607&9193",
            occurred_at=datetime(2024, 10, 16, 11, 11, 4, tzinfo=BRASILIA),
            customer=CustomerRef(id="cus_000000008773"),
            subscription_id="sub_m5gdy1upm25fbwgx",
            started=True,
            status="ACTIVE",
            plan="Assinatura Plano Pró",
            amount=Money(amount=1990, currency="BRL"),
        )
    ]


def test_a_bill_payment_is_not_a_customer_event(webhooks: Path) -> None:
    assert asaas.normalise((webhooks / "asaas" / "BILL_PAID.json").read_bytes()) == []


# --- normalise: hand-made events ---


def payment_event(kind: str, **payment: Any) -> bytes:
    base = {
        "object": "payment",
        "id": "pay_1",
        "customer": "cus_1",
        "value": 1234.56,
        "billingType": "PIX",
        "description": "Mensalidade junho",
        "externalReference": "ACME-7",
        "invoiceNumber": "000123",
        "dueDate": "2024-06-10",
    }
    body = {"id": "evt_1", "event": kind, "dateCreated": "2024-06-12 16:45:03", "payment": base | payment}
    return json.dumps(body).encode()


def one(body: bytes) -> Any:
    [event] = asaas.normalise(body)
    return event


def test_a_pix_payment_received_has_exact_money() -> None:
    received = one(payment_event("PAYMENT_RECEIVED"))

    assert isinstance(received, PaymentReceived)
    assert received.amount == Money(amount=123456, currency="BRL")
    assert received.payment_method == PaymentMethod.PIX
    assert received.occurred_at == datetime(2024, 6, 12, 19, 45, 3, tzinfo=UTC)


def test_a_card_payment_confirmed_and_then_received_share_the_payment_id() -> None:
    confirmed = one(payment_event("PAYMENT_CONFIRMED", billingType="CREDIT_CARD"))
    received = one(payment_event("PAYMENT_RECEIVED", billingType="CREDIT_CARD"))

    assert isinstance(confirmed, PaymentReceived)
    assert confirmed.payment_id == received.payment_id == "pay_1"


def test_a_new_charge_is_an_invoice_with_its_due_date() -> None:
    issued = one(payment_event("PAYMENT_CREATED", billingType="BOLETO"))

    assert isinstance(issued, InvoiceIssued)
    assert (issued.due_date, issued.payment_method) == (date(2024, 6, 10), PaymentMethod.BOLETO)


def test_a_charge_without_a_due_date() -> None:
    issued = one(payment_event("PAYMENT_CREATED", dueDate=None))

    assert isinstance(issued, InvoiceIssued)
    assert issued.due_date is None


def test_an_overdue_charge_as_asaas_sees_it() -> None:
    overdue = one(payment_event("PAYMENT_OVERDUE", dueDate="10/06/2024"))

    assert isinstance(overdue, InvoiceOverdue)
    assert overdue.due_date == date(2024, 6, 10)
    assert overdue.amount == Money(amount=123456, currency="BRL")


def test_a_refused_card_capture_is_a_failed_payment() -> None:
    failed = one(payment_event("PAYMENT_CREDIT_CARD_CAPTURE_REFUSED", billingType="CREDIT_CARD"))

    assert isinstance(failed, PaymentFailed)
    assert failed.reason == "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED"


def test_a_refund() -> None:
    refund = one(payment_event("PAYMENT_REFUNDED"))

    assert isinstance(refund, RefundIssued)
    assert refund.amount == Money(amount=123456, currency="BRL")


def test_a_chargeback_opens_and_its_dispute_is_won() -> None:
    chargeback = {"status": "REQUESTED", "reason": "ABSENCE_OF_PRINT"}
    opened = one(payment_event("PAYMENT_CHARGEBACK_REQUESTED", chargeback=chargeback))
    won = one(payment_event("PAYMENT_AWAITING_CHARGEBACK_REVERSAL", chargeback=chargeback | {"status": "REVERSED"}))

    assert isinstance(opened, ChargebackOpened)
    assert opened.reason == "ABSENCE_OF_PRINT"
    assert isinstance(won, ChargebackClosed)
    assert won.outcome == "won"


def test_a_contested_chargeback_stays_open_until_lost() -> None:
    contested = payment_event("PAYMENT_CHARGEBACK_DISPUTE", chargeback={"status": "IN_DISPUTE"})
    lost = payment_event("PAYMENT_CHARGEBACK_DISPUTE", chargeback={"status": "DISPUTE_LOST"})

    assert asaas.normalise(contested) == []
    [closed] = asaas.normalise(lost)
    assert isinstance(closed, ChargebackClosed)
    assert closed.outcome == "lost"


def subscription_event(kind: str, **subscription: Any) -> bytes:
    base = {"id": "sub_1", "customer": "cus_1", "value": 49.9, "status": "ACTIVE", "description": "Plano Pro"}
    body = {"id": "evt_2", "event": kind, "dateCreated": "2024-06-12 16:45:03", "subscription": base | subscription}
    return json.dumps(body).encode()


@pytest.mark.parametrize("kind", ["SUBSCRIPTION_DELETED", "SUBSCRIPTION_INACTIVATED"])
def test_a_deleted_or_inactivated_subscription_is_cancelled(kind: str) -> None:
    cancelled = one(subscription_event(kind, status="INACTIVE"))

    assert cancelled == SubscriptionCancelled(
        provider="asaas",
        event_id="evt_2",
        occurred_at=datetime(2024, 6, 12, 16, 45, 3, tzinfo=BRASILIA),
        customer=CustomerRef(id="cus_1"),
        subscription_id="sub_1",
        plan="Plano Pro",
        reason=kind,
    )


def test_an_updated_subscription() -> None:
    changed = one(subscription_event("SUBSCRIPTION_UPDATED", value=59.9))

    assert isinstance(changed, SubscriptionChanged)
    assert changed.amount == Money(amount=5990, currency="BRL")
    assert not changed.started


def test_a_created_subscription_has_started() -> None:
    created = one(subscription_event("SUBSCRIPTION_CREATED"))

    assert isinstance(created, SubscriptionChanged)
    assert created.started


def test_an_event_ponte_does_not_act_on_gives_nothing() -> None:
    assert asaas.normalise(payment_event("PAYMENT_BANK_SLIP_VIEWED")) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{", "not JSON"),
        (b'{"payment": {}}', "event: Field required"),
        (payment_event("PAYMENT_RECEIVED", value=10.005), "more than 2 decimal places"),
        (payment_event("PAYMENT_RECEIVED", value="dez reais"), "value"),
        (payment_event("PAYMENT_RECEIVED", value=-10), "negative"),
        (payment_event("PAYMENT_REFUNDED", value=-0.01), "negative"),
        (subscription_event("SUBSCRIPTION_UPDATED", value=-49.9), "negative"),
        (payment_event("PAYMENT_CREATED", dueDate="June 10"), "dueDate"),
        (payment_event("PAYMENT_OVERDUE", dueDate="31/02/2024"), "dueDate"),
        (
            payment_event("PAYMENT_RECEIVED").replace(
                b'"dateCreated": "2024-06-12 16:45:03"', b'"dateCreated": "ontem"'
            ),
            "dateCreated",
        ),
        (
            json.dumps({"id": "evt_3", "event": "PAYMENT_RECEIVED", "dateCreated": "2024-06-12 16:45:03"}).encode(),
            "payment: Field required",
        ),
        (json.dumps({"event": "PAYMENT_RECEIVED", "payment": {}}).encode(), "id: Field required"),
        (subscription_event("SUBSCRIPTION_UPDATED").replace(b'"subscription"', b'"payment"'), "Field required"),
    ],
)
def test_a_body_that_misses_what_its_event_needs_is_refused(body: bytes, problem: str) -> None:
    with pytest.raises(PayloadError, match=problem):
        asaas.normalise(body)


# --- sale links and the payment page ---


def payloads() -> Path:
    return Path(__file__).parent / "payloads"


def test_a_real_card_payment_confirmed_names_its_asaas_invoice_and_page() -> None:
    # Delivered by Asaas to a subscription business (see payloads/README.md); the customer is only an id.
    [confirmed] = asaas.normalise((payloads() / "asaas" / "PAYMENT_CONFIRMED.json").read_bytes())

    assert confirmed == PaymentReceived(
        provider="asaas",
        event_id="evt_15e444ff9b9ab9ec29294aa1abe68025&1135619139",
        occurred_at=datetime(2025, 11, 25, 14, 26, 1, tzinfo=BRASILIA),
        customer=CustomerRef(id="cus_000149857757"),
        amount=Money(amount=2990, currency="BRL"),
        payment_method=PaymentMethod.CARD,
        payment_id="pay_qf7gz7zgtg7kn2cm",
        invoice_id="pay_qf7gz7zgtg7kn2cm",
        invoice_number="686766142",
        description=None,  # Asaas sent an empty one
        links=SaleLinks(invoice_number="686766142"),
        payment_url="https://www.asaas.com/i/qf7gz7zgtg7kn2cm",
    )
    assert asaas.customer_to_fetch([confirmed]) == "cus_000149857757"


def test_a_boleto_names_its_nosso_numero_and_its_page() -> None:
    issued = one(
        payment_event(
            "PAYMENT_CREATED",
            billingType="BOLETO",
            nossoNumero="6543",
            identificationField="00190000090275928800021932978170187890000005000",
            invoiceUrl="https://www.asaas.com/i/080225913252",
            bankSlipUrl="https://www.asaas.com/b/pdf/080225913252",
        )
    )

    assert isinstance(issued, InvoiceIssued)
    assert issued.links == SaleLinks(reference="ACME-7", invoice_number="000123", bank_slip="6543")
    assert issued.payment_url == "https://www.asaas.com/i/080225913252"


def test_without_nosso_numero_the_digitable_line_and_the_boleto_pdf_stand_in() -> None:
    overdue = one(
        payment_event(
            "PAYMENT_OVERDUE",
            billingType="BOLETO",
            nossoNumero=None,
            identificationField="00190000090275928800021932978170187890000005000",
            invoiceUrl=None,
            bankSlipUrl="https://www.asaas.com/b/pdf/080225913252",
        )
    )

    assert isinstance(overdue, InvoiceOverdue)
    assert overdue.links.bank_slip == "00190000090275928800021932978170187890000005000"
    assert overdue.payment_url == "https://www.asaas.com/b/pdf/080225913252"


def test_links_that_do_not_fit_are_left_out_and_the_payment_kept() -> None:
    received = one(payment_event("PAYMENT_RECEIVED", externalReference="x" * 201, invoiceNumber="  "))

    assert isinstance(received, PaymentReceived)
    assert received.links == SaleLinks()


# --- the customer, completed from Asaas's customers API ---

# The shape of Asaas's example answer to GET /v3/customers/{id}.
JOHN = AsaasCustomer.model_validate(
    {
        "object": "customer",
        "id": "cus_1",
        "name": "John Doe",
        "email": "john.doe@asaas.com.br",
        "phone": "4738010919",
        "mobilePhone": "4799376637",
        "cpfCnpj": "24971563792",
        "externalReference": "12987382",
        "deleted": False,
    }
)


def test_a_payment_known_only_by_customer_id_is_completed_from_the_customer() -> None:
    events = asaas.normalise(payment_event("PAYMENT_RECEIVED", externalReference=None))

    assert asaas.customer_to_fetch(events) == "cus_1"
    [received] = asaas.enrich(events, JOHN)

    assert received.customer == CustomerRef(
        id="cus_1",
        reference="12987382",
        name="John Doe",
        email="john.doe@asaas.com.br",
        # The example's mobile is written as before 2016, without the ninth digit Anatel put before every mobile.
        phone="+5547999376637",
        tax_id="24971563792",
    )
    assert received.model_copy(update={"customer": events[0].customer}) == events[0]


def test_what_the_webhook_said_wins_over_the_customer() -> None:
    events = asaas.normalise(payment_event("PAYMENT_RECEIVED"))  # externalReference ACME-7

    [received] = asaas.enrich(events, JOHN)

    assert isinstance(received, PaymentReceived)
    assert received.customer.reference == "ACME-7"
    assert received.links.reference == "ACME-7"


def test_the_landline_stands_in_for_a_missing_mobile() -> None:
    events = asaas.normalise(payment_event("PAYMENT_RECEIVED"))

    [received] = asaas.enrich(events, JOHN.model_copy(update={"mobile_phone": None}))

    assert received.customer.phone == "+554738010919"


def test_another_customer_or_none_leaves_the_events_alone() -> None:
    events = asaas.normalise(payment_event("PAYMENT_RECEIVED"))

    assert asaas.enrich(events, JOHN.model_copy(update={"id": "cus_2"})) == events
    assert asaas.enrich(events, None) == events


def test_a_subscription_event_is_completed_too() -> None:
    events = asaas.normalise(subscription_event("SUBSCRIPTION_CREATED"))

    [created] = asaas.enrich(events, JOHN)

    assert isinstance(created, SubscriptionChanged)
    assert (created.customer.name, created.started) == ("John Doe", True)


def test_nothing_to_fetch_when_the_events_name_the_customer() -> None:
    known = CustomerRef(id="cus_1", name="Ana", email="ana@example.com", phone="+5511987654321", tax_id="1")
    [received] = asaas.normalise(payment_event("PAYMENT_RECEIVED"))

    assert asaas.customer_to_fetch([received.model_copy(update={"customer": known})]) is None
    assert asaas.customer_to_fetch([]) is None


@pytest.mark.parametrize(
    ("given", "e164"),
    [
        ("11988888888", "+5511988888888"),
        ("(11) 98888-8888", "+5511988888888"),
        ("4738010919", "+554738010919"),
        ("+55 47 99937-6637", "+5547999376637"),
        ("55 11 98888 8888", "+5511988888888"),
        ("011 98888-8888", "+5511988888888"),
        ("55991234567", "+5555991234567"),  # DDD 55 (Rio Grande do Sul), no country code
        ("+1 415 555 2671", "+14155552671"),
        ("98888-8888", None),  # no area code: not a number an SMS can reach
        ("0800 123 4567", None),  # takes calls within Brazil only
        ("(47) 9937-6637", "+5547999376637"),  # a mobile written without its ninth digit
        ("  ", None),
        (None, None),
    ],
)
def test_brazilian_phones_become_e164(given: str | None, e164: str | None) -> None:
    assert brazilian_phone(given) == e164
