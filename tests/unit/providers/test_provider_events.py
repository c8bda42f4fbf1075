from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from ponte.domain.events import (
    ChargebackClosed,
    CustomerRef,
    DomainEvent,
    InvoiceOverdue,
    PaymentMethod,
    PaymentReceived,
)
from ponte.domain.money import Money
from ponte.providers import WEBHOOK_PROVIDERS
from ponte.providers.base import header, load_json

EVENTS = TypeAdapter[DomainEvent](DomainEvent)
WHEN = datetime(2024, 6, 12, 19, 45, tzinfo=UTC)


def test_an_event_survives_a_round_trip_through_json() -> None:
    overdue = InvoiceOverdue(
        provider="asaas",
        event_id="evt_1",
        occurred_at=WHEN,
        customer=CustomerRef(id="cus_1", reference="ACME-7"),
        amount=Money(amount=123456, currency="BRL"),
        payment_method=PaymentMethod.BOLETO,
        due_date=date(2024, 6, 10),
    )

    assert EVENTS.validate_json(EVENTS.dump_json(overdue)) == overdue


def test_the_kind_picks_the_event_class() -> None:
    closed = EVENTS.validate_python(
        {
            "kind": "chargeback.closed",
            "provider": "stripe",
            "event_id": "evt_2",
            "occurred_at": "2024-06-12T19:45:00Z",
            "customer": {},
            "amount": {"amount": 1000, "currency": "USD"},
            "outcome": "won",
        }
    )

    assert isinstance(closed, ChargebackClosed)


def test_events_are_immutable() -> None:
    received = PaymentReceived(
        provider="stripe",
        event_id="evt_3",
        occurred_at=WHEN,
        customer=CustomerRef(),
        amount=Money(amount=1, currency="USD"),
    )

    with pytest.raises(ValidationError):
        received.event_id = "evt_4"  # type: ignore[misc]


@pytest.mark.parametrize(
    "changes",
    [
        {"occurred_at": datetime(2024, 6, 12, 19, 45)},  # noqa: DTZ001 - a moment without its time zone
        {"event_id": ""},
        {"surprise": "field"},
    ],
)
def test_an_event_refuses_what_would_make_it_ambiguous(changes: dict[str, object]) -> None:
    facts = {
        "provider": "stripe",
        "event_id": "evt_5",
        "occurred_at": WHEN,
        "customer": CustomerRef(),
        "amount": Money.zero("USD"),
    }

    with pytest.raises(ValidationError):
        PaymentReceived.model_validate(facts | changes)


def test_header_lookup_ignores_letter_case() -> None:
    headers = {"Content-Type": "application/json", "X-Signature": "ts=1,v1=a"}

    assert header(headers, "x-signature") == "ts=1,v1=a"
    assert header(headers, "CONTENT-TYPE") == "application/json"
    assert header(headers, "x-request-id") is None


def test_json_numbers_with_a_fraction_become_exact_decimals() -> None:
    assert load_json(b'{"value": 0.1, "count": 3}') == {"value": Decimal("0.1"), "count": 3}


UNKNOWN_EVENTS = {
    "stripe": b'{"id": "evt_1", "type": "payout.paid", "created": 1, "data": {"object": {}}}',
    "asaas": b'{"id": "evt_1", "event": "PAYMENT_BANK_SLIP_VIEWED", "dateCreated": "2024-06-12 16:45:03"}',
    "standard": b'{"id": "evt_1", "type": "contact.created", "timestamp": "2024-01-01T00:00:00Z", "data": {}}',
}


@pytest.mark.parametrize("name", sorted(WEBHOOK_PROVIDERS))
def test_every_listed_provider_ignores_event_types_ponte_does_not_act_on(name: str) -> None:
    assert set(WEBHOOK_PROVIDERS) == set(UNKNOWN_EVENTS)
    assert WEBHOOK_PROVIDERS[name].normalise(UNKNOWN_EVENTS[name]) == []


@pytest.mark.parametrize("name", sorted(WEBHOOK_PROVIDERS))
def test_every_listed_provider_takes_the_request_headers_and_the_business_time_zone(name: str) -> None:
    headers = {"webhook-id": "msg_1", "content-type": "application/json"}

    assert WEBHOOK_PROVIDERS[name].normalise(UNKNOWN_EVENTS[name], headers=headers, time_zone="America/Manaus") == []
